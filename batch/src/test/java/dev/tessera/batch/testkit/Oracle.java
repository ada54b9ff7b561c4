package dev.tessera.batch.testkit;

import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The expected vectors, computed independently of batch's code: the engine's plain {@link
 * ReferenceEngine} fed a member's visible events, each stream in offset order.
 */
public final class Oracle {
  private Oracle() {}

  /** As of t, seeing the events ingested at or before t. */
  public static FeatureSnapshot asOf(
      FeatureGroup group, String member, Map<EventStream, List<TimedEvent>> streams, long t) {
    return seeing(group, member, streams, e -> e.ingestedAt() <= t, t);
  }

  /** As of t, seeing the events that pass {@code visible}. */
  public static FeatureSnapshot seeing(
      FeatureGroup group,
      String member,
      Map<EventStream, List<TimedEvent>> streams,
      Predicate<TimedEvent> visible,
      long t) {
    ReferenceEngine reference = new ReferenceEngine(group, member);
    for (List<TimedEvent> stream : streams.values()) {
      for (TimedEvent e : stream) {
        if (visible.test(e)) {
          reference.apply(e.event());
        }
      }
    }
    return reference.snapshot(t, 0);
  }
}
