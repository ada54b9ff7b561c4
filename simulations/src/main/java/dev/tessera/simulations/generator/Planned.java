package dev.tessera.simulations.generator;

import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;

/** One member action the schedule decided, before faults, ids and absolute times. */
record Planned(
    int memberIndex,
    String memberId,
    int session,
    EventType type,
    long relativeTimeMs,
    String titleId,
    int watchedSeconds,
    int rating,
    String query,
    double bandwidthKbps,
    double latencyMs,
    String resolution) {

  Event toEvent(String eventId, long eventTime) {
    return new Event(
        eventId,
        memberId,
        type,
        eventTime,
        1,
        titleId,
        watchedSeconds,
        rating,
        query,
        bandwidthKbps,
        latencyMs,
        resolution);
  }
}
