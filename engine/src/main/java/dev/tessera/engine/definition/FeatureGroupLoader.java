package dev.tessera.engine.definition;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.window.WindowContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads feature groups from HOCON ({@code tessera.feature-groups { <group> { version, ttl, features
 * { ... } } }}). Every problem fails the load with an {@link InvalidDefinitionException} naming the
 * exact config path and the reason. The keys are documented in this module's {@code reference.conf}
 * and {@code README.md}.
 */
public final class FeatureGroupLoader {

  /** Where groups live in config. */
  public static final String ROOT = "tessera.feature-groups";

  private static final Set<String> GROUP_KEYS =
      Set.of("version", "ttl", "allowed-lateness", "features");
  private static final Set<String> FEATURE_KEYS =
      Set.of(
          "aggregation",
          "types",
          "where",
          "window",
          "window-type",
          "hop",
          "field",
          "category",
          "weight",
          "half-life",
          "gap",
          "max-distinct",
          "numerator",
          "denominator",
          "when-zero",
          "range");
  private static final Set<String> OPERAND_KEYS = Set.of("aggregation", "field", "types", "where");

  private final long defaultLatenessMs;
  private final int defaultMaxDistinct;

  /**
   * @param defaultLateness lateness of groups that do not set {@code allowed-lateness}
   * @param defaultMaxDistinct bound of distinct-count features that do not set {@code max-distinct}
   */
  public FeatureGroupLoader(Duration defaultLateness, int defaultMaxDistinct) {
    this.defaultLatenessMs = defaultLateness.toMillis();
    this.defaultMaxDistinct = defaultMaxDistinct;
  }

  /** Loads every group under {@value #ROOT}; empty when the section is absent. */
  public List<FeatureGroup> load(Config config) {
    if (!config.hasPath(ROOT)) {
      return List.of();
    }
    ConfigObject groups = object(config.root(), ROOT, ROOT);
    List<FeatureGroup> out = new ArrayList<>();
    for (String groupName : new java.util.TreeSet<>(groups.keySet())) {
      String path = ROOT + "." + groupName;
      out.add(group(groupName, object(groups.get(groupName), path), path));
    }
    return out;
  }

  private FeatureGroup group(String name, ConfigObject g, String path) {
    if (!FeatureDefinition.NAME.matcher(name).matches()) {
      throw new InvalidDefinitionException(
          path, "group name must match " + FeatureDefinition.NAME.pattern());
    }
    unknownKeys(g, GROUP_KEYS, path);
    int version = (int) integer(g, "version", path, 1, Integer.MAX_VALUE, null);
    Duration ttl = duration(g, "ttl", path, null);
    if (ttl.isZero()) {
      throw new InvalidDefinitionException(path + ".ttl", "must be positive");
    }
    long lateness =
        g.containsKey("allowed-lateness")
            ? duration(g, "allowed-lateness", path, null).toMillis()
            : defaultLatenessMs;
    ConfigObject features = object(required(g, "features", path), path + ".features");
    if (features.isEmpty()) {
      throw new InvalidDefinitionException(
          path + ".features", "a group needs at least one feature");
    }
    List<FeatureDefinition> defs = new ArrayList<>();
    for (String featureName : new java.util.TreeSet<>(features.keySet())) {
      String fpath = path + ".features." + featureName;
      if (!FeatureDefinition.NAME.matcher(featureName).matches()) {
        throw new InvalidDefinitionException(
            path + ".features",
            "feature name '" + featureName + "' must match " + FeatureDefinition.NAME.pattern());
      }
      defs.add(feature(featureName, object(features.get(featureName), fpath), fpath));
    }
    try {
      return new FeatureGroup(name, version, ttl, lateness, defs);
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(path, e.getMessage());
    }
  }

  private FeatureDefinition feature(String name, ConfigObject f, String path) {
    unknownKeys(f, FEATURE_KEYS, path);
    String aggName = string(f, "aggregation", path, null);
    Window window = window(f, path);
    EventFilter filter = filter(f, path);
    Aggregation agg =
        switch (aggName) {
          case "count" -> new Aggregation.Count();
          case "sum" -> new Aggregation.Sum(numericField(f, "field", path, null));
          case "avg" -> new Aggregation.Avg(numericField(f, "field", path, null));
          case "min" -> new Aggregation.Min(numericField(f, "field", path, null));
          case "max" -> new Aggregation.Max(numericField(f, "field", path, null));
          case "last" -> new Aggregation.Last(numericField(f, "field", path, null));
          case "distinct-count" ->
              new Aggregation.DistinctCount(
                  categoryField(f, "field", path),
                  (int) integer(f, "max-distinct", path, 1, 1_000_000, (long) defaultMaxDistinct));
          case "decayed-sum" ->
              new Aggregation.DecayedSum(
                  numericField(f, "field", path, null), positiveDuration(f, "half-life", path));
          case "category-share" ->
              new Aggregation.CategoryShare(
                  categoryField(f, "category", path),
                  numericField(f, "weight", path, EventField.ONE));
          case "entropy" ->
              new Aggregation.Entropy(
                  categoryField(f, "category", path),
                  numericField(f, "weight", path, EventField.ONE));
          case "decayed-category-sum" ->
              new Aggregation.DecayedCategorySum(
                  categoryField(f, "category", path),
                  numericField(f, "weight", path, EventField.ONE),
                  positiveDuration(f, "half-life", path));
          case "session-duration" -> {
            long gap = positiveDuration(f, "gap", path);
            if (window.tileMs() > gap) {
              throw new InvalidDefinitionException(
                  path + ".gap",
                  "must be at least the window's tile (" + window.tileMs() / 1000 + " s)");
            }
            yield new Aggregation.SessionDuration(gap);
          }
          case "ratio" ->
              new Aggregation.Ratio(
                  operand(f, "numerator", path),
                  operand(f, "denominator", path),
                  dbl(f, "when-zero", path, 0.0));
          default ->
              throw new InvalidDefinitionException(
                  path + ".aggregation",
                  "unknown aggregation '"
                      + aggName
                      + "' (count, sum, avg, min, max, last, distinct-count, decayed-sum, "
                      + "category-share, entropy, decayed-category-sum, session-duration, ratio)");
        };
    ValueRange range = null;
    if (f.containsKey("range")) {
      String rpath = path + ".range";
      ConfigObject r = object(f.get("range"), rpath);
      unknownKeys(r, Set.of("min", "max"), rpath);
      double min = dbl(r, "min", rpath, Double.NEGATIVE_INFINITY);
      double max = dbl(r, "max", rpath, Double.POSITIVE_INFINITY);
      if (min > max) {
        throw new InvalidDefinitionException(rpath, "min must not exceed max");
      }
      range = new ValueRange(min, max);
    }
    try {
      return new FeatureDefinition(name, agg, filter, window, range);
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(path, e.getMessage());
    }
  }

  private Window window(ConfigObject f, String path) {
    Duration length = duration(f, "window", path, null);
    long ms = length.toMillis();
    String type = f.containsKey("window-type") ? string(f, "window-type", path, null) : "sliding";
    if (ms < 1000 || ms % 1000 != 0) {
      throw new InvalidDefinitionException(
          path + ".window", "must be a positive whole number of seconds");
    }
    switch (type) {
      case "sliding" -> {
        long hop =
            f.containsKey("hop")
                ? duration(f, "hop", path, null).toMillis()
                : WindowContract.defaultHopMs(ms);
        if (hop < 1000 || hop % 1000 != 0) {
          throw new InvalidDefinitionException(
              path + ".hop", "must be a positive whole number of seconds");
        }
        if (ms % hop != 0) {
          throw new InvalidDefinitionException(
              f.containsKey("hop") ? path + ".hop" : path + ".window",
              "window " + ms / 1000 + " s is not a multiple of its hop " + hop / 1000 + " s");
        }
        return new Window.Sliding(ms, hop);
      }
      case "tumbling" -> {
        if (f.containsKey("hop")) {
          throw new InvalidDefinitionException(path + ".hop", "a tumbling window has no hop");
        }
        return new Window.Tumbling(ms);
      }
      default ->
          throw new InvalidDefinitionException(
              path + ".window-type", "must be sliding or tumbling, not '" + type + "'");
    }
  }

  private EventFilter filter(ConfigObject f, String path) {
    Set<EventType> types = EnumSet.noneOf(EventType.class);
    if (f.containsKey("types")) {
      ConfigList list = list(f.get("types"), path + ".types");
      for (int i = 0; i < list.size(); i++) {
        ConfigValue v = list.get(i);
        String p = path + ".types[" + i + "]";
        if (v.valueType() != ConfigValueType.STRING) {
          throw new InvalidDefinitionException(p, "must be an event type name");
        }
        String s = (String) v.unwrapped();
        types.add(
            EventType.fromWire(s)
                .orElseThrow(
                    () -> new InvalidDefinitionException(p, "unknown event type '" + s + "'")));
      }
      if (types.isEmpty()) {
        throw new InvalidDefinitionException(
            path + ".types", "must not be empty (omit it to accept every type)");
      }
    }
    List<Condition> conditions = new ArrayList<>();
    if (f.containsKey("where")) {
      ConfigList list = list(f.get("where"), path + ".where");
      for (int i = 0; i < list.size(); i++) {
        String p = path + ".where[" + i + "]";
        ConfigObject c = object(list.get(i), p);
        unknownKeys(c, Set.of("field", "op", "value"), p);
        EventField field = field(c, "field", p);
        String opName = string(c, "op", p, null);
        Condition.Op op =
            Condition.Op.fromSymbol(opName)
                .orElseThrow(
                    () ->
                        new InvalidDefinitionException(
                            p + ".op", "unknown operator '" + opName + "' (= != < <= > >=)"));
        if (field.isNumeric()) {
          conditions.add(Condition.numeric(field, op, dbl(c, "value", p, null)));
        } else {
          if (op != Condition.Op.EQ && op != Condition.Op.NE) {
            throw new InvalidDefinitionException(
                p + ".op", "category field " + field.configName() + " supports only = and !=");
          }
          conditions.add(Condition.text(field, op, string(c, "value", p, null)));
        }
      }
    }
    return new EventFilter(types, conditions);
  }

  private Aggregation.Operand operand(ConfigObject f, String key, String path) {
    String p = path + "." + key;
    ConfigObject o = object(required(f, key, path), p);
    unknownKeys(o, OPERAND_KEYS, p);
    String agg = string(o, "aggregation", p, null);
    Aggregation a =
        switch (agg) {
          case "count" -> new Aggregation.Count();
          case "sum" -> new Aggregation.Sum(numericField(o, "field", p, null));
          default ->
              throw new InvalidDefinitionException(
                  p + ".aggregation", "a ratio operand must be count or sum");
        };
    return new Aggregation.Operand(a, filter(o, p));
  }

  // ---- typed accessors that name the exact path on failure

  private static ConfigValue required(ConfigObject o, String key, String path) {
    ConfigValue v = o.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      throw new InvalidDefinitionException(path + "." + key, "is required");
    }
    return v;
  }

  private static ConfigObject object(ConfigValue v, String path) {
    if (v == null || v.valueType() != ConfigValueType.OBJECT) {
      throw new InvalidDefinitionException(path, "must be an object");
    }
    return (ConfigObject) v;
  }

  private static ConfigObject object(ConfigObject root, String dottedPath, String path) {
    ConfigValue v;
    try {
      v = root.toConfig().getValue(dottedPath);
    } catch (ConfigException e) {
      throw new InvalidDefinitionException(path, e.getMessage());
    }
    return object(v, path);
  }

  private static ConfigList list(ConfigValue v, String path) {
    if (v.valueType() != ConfigValueType.LIST) {
      throw new InvalidDefinitionException(path, "must be a list");
    }
    return (ConfigList) v;
  }

  private static String string(ConfigObject o, String key, String path, String dflt) {
    ConfigValue v = o.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidDefinitionException(path + "." + key, "is required");
    }
    if (v.valueType() != ConfigValueType.STRING) {
      throw new InvalidDefinitionException(path + "." + key, "must be a string");
    }
    return (String) v.unwrapped();
  }

  private static long integer(
      ConfigObject o, String key, String path, long min, long max, Long dflt) {
    ConfigValue v = o.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidDefinitionException(path + "." + key, "is required");
    }
    Object u = v.unwrapped();
    if (v.valueType() != ConfigValueType.NUMBER || !(u instanceof Integer || u instanceof Long)) {
      throw new InvalidDefinitionException(path + "." + key, "must be an integer");
    }
    long n = ((Number) u).longValue();
    if (n < min || n > max) {
      throw new InvalidDefinitionException(
          path + "." + key, "must be in " + min + ".." + max + ", was " + n);
    }
    return n;
  }

  private static double dbl(ConfigObject o, String key, String path, Double dflt) {
    ConfigValue v = o.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidDefinitionException(path + "." + key, "is required");
    }
    if (v.valueType() != ConfigValueType.NUMBER) {
      throw new InvalidDefinitionException(path + "." + key, "must be a number");
    }
    return ((Number) v.unwrapped()).doubleValue();
  }

  private static Duration duration(ConfigObject o, String key, String path, Duration dflt) {
    ConfigValue v = o.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidDefinitionException(path + "." + key, "is required");
    }
    Duration d;
    try {
      d = o.toConfig().getDuration(ConfigUtil.quoteString(key));
    } catch (ConfigException e) {
      throw new InvalidDefinitionException(
          path + "." + key, "must be a duration such as 5m or 24h");
    }
    if (d.isNegative()) {
      throw new InvalidDefinitionException(path + "." + key, "must not be negative");
    }
    return d;
  }

  private static long positiveDuration(ConfigObject o, String key, String path) {
    Duration d = duration(o, key, path, null);
    if (d.isZero()) {
      throw new InvalidDefinitionException(path + "." + key, "must be positive");
    }
    return d.toMillis();
  }

  private static EventField field(ConfigObject o, String key, String path) {
    String name = string(o, key, path, null);
    return EventField.fromConfig(name)
        .orElseThrow(
            () ->
                new InvalidDefinitionException(
                    path + "." + key, "unknown event field '" + name + "'"));
  }

  private static EventField numericField(ConfigObject o, String key, String path, EventField dflt) {
    if (dflt != null && !o.containsKey(key)) {
      return dflt;
    }
    EventField f = field(o, key, path);
    if (!f.isNumeric()) {
      throw new InvalidDefinitionException(
          path + "." + key, "field '" + f.configName() + "' is not numeric");
    }
    return f;
  }

  private static EventField categoryField(ConfigObject o, String key, String path) {
    EventField f = field(o, key, path);
    if (f.isNumeric()) {
      throw new InvalidDefinitionException(
          path + "." + key, "field '" + f.configName() + "' is not a category");
    }
    return f;
  }

  private static void unknownKeys(ConfigObject o, Set<String> allowed, String path) {
    for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw new InvalidDefinitionException(path + "." + e.getKey(), "unknown key");
      }
    }
  }
}
