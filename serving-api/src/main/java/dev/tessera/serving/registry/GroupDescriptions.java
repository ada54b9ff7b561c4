package dev.tessera.serving.registry;

import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.Condition;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.EventFilter;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EventType;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature group's definition as JSON-ready maps, in the vocabulary of its HOCON form (aggregation
 * names, field names, window lengths), so what the API shows is what an engineer writes.
 */
public final class GroupDescriptions {
  private GroupDescriptions() {}

  public static Map<String, Object> summary(FeatureGroup group) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", group.name());
    out.put("version", group.version());
    out.put("ttl", group.ttl().toString());
    out.put("allowedLateness", Duration.ofMillis(group.allowedLatenessMs()).toString());
    out.put("features", group.features().stream().map(FeatureDefinition::name).toList());
    return out;
  }

  public static Map<String, Object> describe(FeatureGroup group) {
    Map<String, Object> out = summary(group);
    List<Map<String, Object>> features = new ArrayList<>();
    for (FeatureDefinition feature : group.features()) {
      features.add(describe(feature));
    }
    out.put("features", features);
    return out;
  }

  static Map<String, Object> describe(FeatureDefinition feature) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", feature.name());
    out.put("aggregation", feature.aggregation().configName());
    out.putAll(parameters(feature.aggregation()));
    out.putAll(filter(feature.filter()));
    out.put("window", window(feature.window()));
    out.put("valueType", feature.isMapValued() ? "map<string,double>"
        : feature.aggregation() instanceof Aggregation.Count
            || feature.aggregation() instanceof Aggregation.DistinctCount ? "long" : "double");
    if (feature.range() != null) {
      Map<String, Object> range = new LinkedHashMap<>();
      range.put("min", finiteOrNull(feature.range().min()));
      range.put("max", finiteOrNull(feature.range().max()));
      out.put("range", range);
    }
    return out;
  }

  private static Map<String, Object> window(Window window) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (window instanceof Window.Sliding sliding) {
      out.put("type", "sliding");
      out.put("length", Duration.ofMillis(sliding.lengthMs()).toString());
      out.put("hop", Duration.ofMillis(sliding.hopMs()).toString());
    } else {
      out.put("type", "tumbling");
      out.put("length", Duration.ofMillis(window.lengthMs()).toString());
    }
    return out;
  }

  private static Map<String, Object> filter(EventFilter filter) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (filter.types().size() < EventType.values().length) {
      out.put("types", filter.types().stream().sorted().map(EventType::wireName).toList());
    }
    if (!filter.conditions().isEmpty()) {
      List<Map<String, Object>> where = new ArrayList<>();
      for (Condition condition : filter.conditions()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("field", condition.field().configName());
        c.put("op", condition.op().symbol());
        c.put("value", condition.field().isNumeric() ? condition.number() : condition.text());
        where.add(c);
      }
      out.put("where", where);
    }
    return out;
  }

  /** The aggregation's own parameters (field, category, half-life, ...), by record component. */
  private static Map<String, Object> parameters(Aggregation aggregation) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent component : aggregation.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(aggregation);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + component.getName(), e);
      }
      String name = component.getName();
      if (value instanceof EventField field) {
        out.put(name, field.configName());
      } else if (value instanceof Aggregation.Operand operand) {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("aggregation", operand.aggregation().configName());
        nested.putAll(parameters(operand.aggregation()));
        nested.putAll(filter(operand.filter()));
        out.put(name, nested);
      } else if (name.endsWith("Ms") && value instanceof Long ms) {
        out.put(name.substring(0, name.length() - 2), Duration.ofMillis(ms).toString());
      } else {
        out.put(name, value);
      }
    }
    return out;
  }

  private static Object finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
