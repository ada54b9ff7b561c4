package dev.tessera.engine.definition;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventType;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which events a feature aggregates: a set of types (empty = every type) and conditions that must
 * all hold.
 */
public record EventFilter(Set<EventType> types, List<Condition> conditions)
    implements Serializable {

  public EventFilter {
    types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    conditions = List.copyOf(conditions);
  }

  /** Every event. */
  public static EventFilter all() {
    return new EventFilter(Set.of(), List.of());
  }

  /** Events of these types. */
  public static EventFilter types(EventType... types) {
    return new EventFilter(Set.of(types), List.of());
  }

  public EventFilter and(Condition condition) {
    List<Condition> c = new java.util.ArrayList<>(conditions);
    c.add(condition);
    return new EventFilter(types, c);
  }

  public boolean acceptsType(EventType type) {
    return types.isEmpty() || types.contains(type);
  }

  public boolean matches(EnrichedEvent e) {
    if (!acceptsType(e.type())) {
      return false;
    }
    for (int i = 0; i < conditions.size(); i++) {
      if (!conditions.get(i).test(e)) {
        return false;
      }
    }
    return true;
  }
}
