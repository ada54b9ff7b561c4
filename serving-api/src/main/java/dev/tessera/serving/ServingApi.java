package dev.tessera.serving;

import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.features.FeatureLookup;
import dev.tessera.serving.features.FeatureRoutes;
import dev.tessera.serving.features.MemberReadPath;
import dev.tessera.serving.features.SampleLog;
import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.Endpoints;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.metrics.HttpMetrics;
import dev.tessera.serving.registry.RegistryRoutes;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Tessera's HTTP API, every route in one tree (see {@code openapi.yaml}, served at {@code
 * /v1/openapi.yaml}): feature reads, the feature registry, {@code /metrics}, and the routes other
 * parts of the node add (cluster membership, workflows) through {@link Extension}s. Authorization
 * and the error shape are the same everywhere because every endpoint goes through {@link
 * Endpoints} and {@link BearerAuth}.
 */
public final class ServingApi extends AllDirectives {

  /** Routes another part of the node contributes, given the shared endpoint wrapper and auth. */
  @FunctionalInterface
  public interface Extension {
    Route route(Endpoints endpoints, BearerAuth auth);
  }

  private final FeatureRoutes features;
  private final MemberReadPath memberReads;
  private final RegistryRoutes registry;
  private final Endpoints endpoints;
  private final BearerAuth auth;
  private final PrometheusRegistry metrics;
  private final List<Extension> extensions;
  private final byte[] openApi;

  public ServingApi(FeatureLookup lookup, FeatureRegistry registry, ServingSettings settings,
      PrometheusRegistry metrics, SampleLog samples, List<Extension> extensions) {
    ErrorResponses errors = new ErrorResponses(settings.retryAfter());
    HttpMetrics httpMetrics = new HttpMetrics(metrics);
    this.endpoints = new Endpoints(httpMetrics, errors);
    this.auth = new BearerAuth(settings.auth(), errors);
    this.features = new FeatureRoutes(lookup, registry, settings, errors, samples);
    this.memberReads = new MemberReadPath(features, auth, httpMetrics, errors);
    this.registry = new RegistryRoutes(registry, errors);
    this.metrics = metrics;
    this.extensions = List.copyOf(extensions);
    this.openApi = resource("openapi.yaml");
  }

  /**
   * What the server binds: single member reads through {@link MemberReadPath} (same answers, a
   * fraction of the DSL's garbage), every other request through {@link #route()}.
   */
  public Function<HttpRequest, CompletionStage<HttpResponse>> handler(
      ClassicActorSystemProvider system) {
    Function<HttpRequest, CompletionStage<HttpResponse>> routed = route().handler(system);
    return request -> {
      CompletionStage<HttpResponse> direct = memberReads.answer(request);
      return direct != null ? direct : routed.apply(request);
    };
  }

  public Route route() {
    Route own = concat(
        pathPrefix("v1", () -> concat(
            pathPrefix("members", () -> pathPrefix(memberId -> path("features", () ->
                get(() -> endpoint(MemberReadPath.ROUTE, () -> auth.read(
                    () -> features.memberFeatures(memberId))))))),
            path(segments("features/batch-get"), () -> post(() ->
                endpoint("batch_get", () -> auth.read(features::batchGet)))),
            pathPrefix("feature-groups", () -> concat(
                pathEnd(() -> get(() -> endpoint("feature_groups", () -> auth.read(
                    () -> complete(registry.list()))))),
                pathPrefix(name -> path(version -> get(() -> endpoint("feature_group",
                    () -> auth.read(() -> complete(registry.one(name, version))))))))),
            path("openapi.yaml", () -> get(() -> endpoint("openapi", () -> complete(
                HttpResponse.create().withEntity(HttpEntities.create(
                    ContentTypes.create(MediaTypes.applicationWithOpenCharset("yaml"),
                        HttpCharsets.UTF_8), openApi)))))))),
        path("metrics", () -> get(() -> endpoint("metrics", () -> auth.read(
            () -> complete(scrape()))))));
    Route all = own;
    for (Extension extension : extensions) {
      all = concat(all, extension.route(endpoints, auth));
    }
    Route tree = all;
    // Whatever matched no endpoint (unknown path, wrong method) is answered and counted here.
    return endpoints.outermost(() -> tree);
  }

  private Route endpoint(String name, java.util.function.Supplier<Route> inner) {
    return endpoints.endpoint(name, inner);
  }

  private static org.apache.pekko.http.javadsl.server.PathMatcher0 segments(String path) {
    String[] parts = path.split("/");
    org.apache.pekko.http.javadsl.server.PathMatcher0 matcher =
        org.apache.pekko.http.javadsl.server.PathMatchers.segment(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      matcher = matcher.slash(parts[i]);
    }
    return matcher;
  }

  private HttpResponse scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      PrometheusTextFormatWriter.create().write(out, metrics.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
        out.toByteArray()));
  }

  private static byte[] resource(String name) {
    try (InputStream in = ServingApi.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
