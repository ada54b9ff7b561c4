package dev.tessera.serving.registry;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.http.ApiProblem;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.http.Json;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The feature registry over HTTP: {@code GET /v1/feature-groups} (every published (name, version)
 * with its feature names) and {@code GET /v1/feature-groups/{name}/{version}} (each feature's full
 * definition). The registry is immutable while the node runs, so both answers are rendered once.
 */
public final class RegistryRoutes {
  private final FeatureRegistry registry;
  private final ErrorResponses errors;
  private final byte[] list;

  public RegistryRoutes(FeatureRegistry registry, ErrorResponses errors) {
    this.registry = registry;
    this.errors = errors;
    List<Map<String, Object>> groups = registry.all().stream()
        .sorted(Comparator.comparing(FeatureGroup::name).thenComparing(FeatureGroup::version))
        .map(GroupDescriptions::summary)
        .toList();
    this.list = Json.bytes(json -> json.writeObject(Map.of("featureGroups", groups)));
  }

  public HttpResponse list() {
    return Json.response(StatusCodes.OK, list);
  }

  public HttpResponse one(String name, String version) {
    int parsed;
    try {
      parsed = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      return errors.fromThrowable(ApiProblem.badRequest("INVALID_PARAMETER",
          "a feature group version is a positive integer", Map.of("version", version)));
    }
    Optional<FeatureGroup> group = parsed >= 1 ? registry.find(name, parsed) : Optional.empty();
    if (group.isEmpty()) {
      return errors.fromThrowable(ApiProblem.notFound("UNKNOWN_FEATURE_GROUP",
          "no feature group " + name + " version " + version, Map.of("group", name,
              "version", version)));
    }
    return Json.response(StatusCodes.OK, GroupDescriptions.describe(group.get()));
  }
}
