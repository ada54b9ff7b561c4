package dev.tessera.engine.definition;

import com.typesafe.config.Config;
import dev.tessera.engine.EngineSettings;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feature groups keyed by (name, version). A published key is immutable: registering a different
 * definition under it fails; registering an equal one is a no-op. Thread-safe.
 */
public final class FeatureRegistry {

  /** A registry key. */
  public record Key(String name, int version) {
    public Key {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return name + " v" + version;
    }
  }

  private final ConcurrentHashMap<Key, FeatureGroup> groups = new ConcurrentHashMap<>();

  /** A registry holding every group under {@code tessera.feature-groups}. */
  public static FeatureRegistry fromConfig(Config config) {
    EngineSettings settings = EngineSettings.create(config);
    FeatureRegistry registry = new FeatureRegistry();
    new FeatureGroupLoader(settings.allowedLateness(), settings.defaultMaxDistinct())
        .load(config)
        .forEach(registry::register);
    return registry;
  }

  /**
   * Publishes a group.
   *
   * @throws IllegalStateException if (name, version) is already published with a different
   *     definition
   */
  public FeatureGroup register(FeatureGroup group) {
    Key key = new Key(group.name(), group.version());
    FeatureGroup existing = groups.putIfAbsent(key, group);
    if (existing != null && !existing.equals(group)) {
      throw new IllegalStateException(
          "feature group "
              + key
              + " is already published with a different definition; publish it as version "
              + (latest(group.name()).map(FeatureGroup::version).orElse(group.version()) + 1));
    }
    return existing == null ? group : existing;
  }

  public Optional<FeatureGroup> find(String name, int version) {
    return Optional.ofNullable(groups.get(new Key(name, version)));
  }

  /** The group, or an exception naming the missing key. */
  public FeatureGroup get(String name, int version) {
    return find(name, version)
        .orElseThrow(
            () -> new IllegalArgumentException("no feature group " + new Key(name, version)));
  }

  /** The highest version of a group. */
  public Optional<FeatureGroup> latest(String name) {
    return groups.values().stream()
        .filter(g -> g.name().equals(name))
        .max(Comparator.comparingInt(FeatureGroup::version));
  }

  /** Every group, sorted by name then version. */
  public List<FeatureGroup> all() {
    return groups.values().stream()
        .sorted(Comparator.comparing(FeatureGroup::name).thenComparingInt(FeatureGroup::version))
        .toList();
  }
}
