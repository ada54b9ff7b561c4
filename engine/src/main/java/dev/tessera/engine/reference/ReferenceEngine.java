package dev.tessera.engine.reference;

import dev.tessera.engine.aggregate.CategoryMath;
import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.EventFilter;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.window.Outcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The plain, slow, obvious implementation of the window contract: keeps every accepted event raw
 * and computes each feature by filtering them, straight from the definitions. No tiles, no
 * eviction, no sharing. It is the oracle of the property tests; never use it in production.
 */
public final class ReferenceEngine {

  private final FeatureGroup group;
  private final String memberId;
  private final Map<EventStream, Long> watermarks = new EnumMap<>(EventStream.class);

  /** Per stream: eventId -&gt; eventTime of its most recent accepted copy. */
  private final Map<EventStream, Map<String, Long>> acceptedIds = new EnumMap<>(EventStream.class);

  private final List<EnrichedEvent> accepted = new ArrayList<>();

  public ReferenceEngine(FeatureGroup group, String memberId) {
    this.group = group;
    this.memberId = memberId;
  }

  /** Applies one event of its stream, in that stream's order, by the contract's rules. */
  public Outcome apply(EnrichedEvent e) {
    EventStream stream = e.stream();
    Long wm = watermarks.get(stream);
    Map<String, Long> ids = acceptedIds.computeIfAbsent(stream, s -> new HashMap<>());
    Long firstCopy = ids.get(e.eventId());
    if (firstCopy != null && firstCopy >= wm - group.duplicateHorizonMs()) {
      return Outcome.DUPLICATE;
    }
    if (wm != null && e.eventTime() < wm - group.allowedLatenessMs()) {
      return Outcome.LATE;
    }
    ids.put(e.eventId(), e.eventTime());
    watermarks.put(stream, wm == null ? e.eventTime() : Math.max(wm, e.eventTime()));
    accepted.add(e);
    return Outcome.ACCEPTED;
  }

  public List<EnrichedEvent> accepted() {
    return List.copyOf(accepted);
  }

  /** The largest accepted eventTime, or {@link Long#MIN_VALUE}. */
  public long watermark() {
    long max = Long.MIN_VALUE;
    for (EnrichedEvent e : accepted) {
      max = Math.max(max, e.eventTime());
    }
    return max;
  }

  /** Every feature as of t, computed from the raw accepted events. */
  public FeatureSnapshot snapshot(long t, long computedAt) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (FeatureDefinition f : group.features()) {
      values.put(f.name(), value(f, t));
    }
    long wm = watermark();
    long expires = wm == Long.MIN_VALUE ? Long.MIN_VALUE : wm + group.ttl().toMillis();
    return new FeatureSnapshot(
        memberId, group.name(), group.version(), values, t, wm, computedAt, expires);
  }

  private List<EnrichedEvent> inWindow(Window w, EventFilter filter, long t) {
    long from;
    long to;
    if (w instanceof Window.Sliding s) {
      from = Math.floorDiv(t, s.hopMs()) * s.hopMs() - s.lengthMs();
      to = t;
    } else {
      long end = Math.floorDiv(t, w.lengthMs()) * w.lengthMs();
      from = end - w.lengthMs();
      to = end - 1;
    }
    List<EnrichedEvent> out = new ArrayList<>();
    for (EnrichedEvent e : accepted) {
      if (e.eventTime() >= from && e.eventTime() <= to && filter.matches(e)) {
        out.add(e);
      }
    }
    return out;
  }

  private Object value(FeatureDefinition f, long t) {
    Aggregation agg = f.aggregation();
    if (agg instanceof Aggregation.Ratio r) {
      double num = operand(r.numerator(), f.window(), t);
      double den = operand(r.denominator(), f.window(), t);
      return den == 0 ? r.whenZero() : num / den;
    }
    List<EnrichedEvent> events = inWindow(f.window(), f.filter(), t);
    if (agg instanceof Aggregation.Count) {
      return (long) events.size();
    }
    if (agg instanceof Aggregation.Sum s) {
      return sum(events, s.field());
    }
    if (agg instanceof Aggregation.Avg a) {
      return events.isEmpty() ? null : sum(events, a.field()) / events.size();
    }
    if (agg instanceof Aggregation.Min m) {
      return events.stream().mapToDouble(m.field()::number).min().stream()
          .boxed()
          .findFirst()
          .orElse(null);
    }
    if (agg instanceof Aggregation.Max m) {
      return events.stream().mapToDouble(m.field()::number).max().stream()
          .boxed()
          .findFirst()
          .orElse(null);
    }
    if (agg instanceof Aggregation.Last l) {
      EnrichedEvent best = null;
      for (EnrichedEvent e : events) {
        if (best == null
            || e.eventTime() > best.eventTime()
            || (e.eventTime() == best.eventTime()
                && l.field().number(e) > l.field().number(best))) {
          best = e;
        }
      }
      return best == null ? null : l.field().number(best);
    }
    if (agg instanceof Aggregation.DistinctCount d) {
      Set<String> values = new HashSet<>();
      for (EnrichedEvent e : events) {
        values.addAll(d.field().categories(e));
      }
      return (long) Math.min(values.size(), d.maxDistinct());
    }
    if (agg instanceof Aggregation.DecayedSum d) {
      double s = 0;
      for (EnrichedEvent e : events) {
        s += d.field().number(e) * Math.pow(2, -(double) (t - e.eventTime()) / d.halfLifeMs());
      }
      return s;
    }
    if (agg instanceof Aggregation.CategoryShare s) {
      return CategoryMath.shares(credits(events, s.category(), s.weight()));
    }
    if (agg instanceof Aggregation.Entropy en) {
      return CategoryMath.entropy(credits(events, en.category(), en.weight()));
    }
    if (agg instanceof Aggregation.DecayedCategorySum d) {
      Map<String, Double> out = new TreeMap<>();
      for (EnrichedEvent e : events) {
        double w =
            d.weight().number(e) * Math.pow(2, -(double) (t - e.eventTime()) / d.halfLifeMs());
        for (String c : d.category().categories(e)) {
          out.merge(c, w, Double::sum);
        }
      }
      out.values().removeIf(v -> !(v > 0));
      return out;
    }
    if (agg instanceof Aggregation.SessionDuration s) {
      List<Long> times = new ArrayList<>();
      for (EnrichedEvent e : events) {
        times.add(e.eventTime());
      }
      if (times.isEmpty()) {
        return 0.0;
      }
      times.sort(null);
      long last = times.get(times.size() - 1);
      if (t - last > s.gapMs()) {
        return 0.0;
      }
      long first = last;
      for (int i = times.size() - 2; i >= 0; i--) {
        if (first - times.get(i) > s.gapMs()) {
          break;
        }
        first = times.get(i);
      }
      return (last - first) / 1000.0;
    }
    throw new IllegalStateException("unknown aggregation " + agg);
  }

  private double operand(Aggregation.Operand op, Window w, long t) {
    List<EnrichedEvent> events = inWindow(w, op.filter(), t);
    if (op.aggregation() instanceof Aggregation.Sum s) {
      return sum(events, s.field());
    }
    return events.size();
  }

  private static double sum(List<EnrichedEvent> events, EventField field) {
    double s = 0;
    for (EnrichedEvent e : events) {
      s += field.number(e);
    }
    return s;
  }

  private static Map<String, Double> credits(
      List<EnrichedEvent> events, EventField category, EventField weight) {
    Map<String, Double> credits = new TreeMap<>();
    for (EnrichedEvent e : events) {
      for (String c : category.categories(e)) {
        credits.merge(c, weight.number(e), Double::sum);
      }
    }
    return credits;
  }
}
