package dev.tessera.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code tessera.engine} section, read once and validated; the failing key is named in the
 * error.
 *
 * @param allowedLateness default allowed lateness of a group that does not set its own
 * @param futureTolerance how far ahead of the ingestion clock an eventTime may be
 * @param maxEventBytes largest accepted event body
 * @param supportedSchemaVersions schema versions the parser reads
 * @param defaultMaxDistinct bound of a distinct-count feature that does not set {@code
 *     max-distinct}
 */
public record EngineSettings(
    Duration allowedLateness,
    Duration futureTolerance,
    int maxEventBytes,
    Set<Integer> supportedSchemaVersions,
    int defaultMaxDistinct) {

  public EngineSettings {
    supportedSchemaVersions = Set.copyOf(supportedSchemaVersions);
  }

  /**
   * Reads {@code tessera.engine} from a resolved config (with this module's reference.conf as
   * fallback).
   */
  public static EngineSettings create(Config config) {
    Config c = config.getConfig("tessera.engine");
    Duration lateness = duration(c, "allowed-lateness");
    Duration future = duration(c, "future-tolerance");
    int maxBytes = positiveInt(c, "max-event-bytes");
    List<Integer> versions;
    try {
      versions = c.getIntList("supported-schema-versions");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "tessera.engine.supported-schema-versions: " + e.getMessage(), e);
    }
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(
          "tessera.engine.supported-schema-versions: must not be empty");
    }
    return new EngineSettings(
        lateness, future, maxBytes, Set.copyOf(versions), positiveInt(c, "default-max-distinct"));
  }

  private static Duration duration(Config c, String key) {
    try {
      Duration d = c.getDuration(key);
      if (d.isNegative()) {
        throw new IllegalArgumentException("tessera.engine." + key + ": must not be negative");
      }
      return d;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("tessera.engine." + key + ": " + e.getMessage(), e);
    }
  }

  private static int positiveInt(Config c, String key) {
    try {
      int v = c.getInt(key);
      if (v < 1) {
        throw new IllegalArgumentException("tessera.engine." + key + ": must be >= 1");
      }
      return v;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("tessera.engine." + key + ": " + e.getMessage(), e);
    }
  }
}
