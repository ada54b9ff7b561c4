package dev.tessera.engine.event;

import java.io.Serializable;
import java.util.Objects;

/**
 * A validated member interaction. Fields that the event's type does not carry are {@code null}
 * (strings) or 0 (numbers); {@link EventParser} guarantees the ones its type requires are present
 * and in range.
 *
 * @param eventId 1-128 characters, unique per (member, stream)
 * @param memberId 1-64 characters of {@code [A-Za-z0-9_-]}
 * @param eventTime epoch milliseconds, UTC
 * @param schemaVersion the body's schema version (default 1)
 * @param titleId for play, pause, stop, click, impression and rate
 * @param watchedSeconds for stop, 0..86400
 * @param rating for rate, 1..5
 * @param query for search
 * @param bandwidthKbps for device, &gt;= 0
 * @param latencyMs for device, &gt;= 0
 * @param resolution for device
 */
public record Event(
    String eventId,
    String memberId,
    EventType type,
    long eventTime,
    int schemaVersion,
    String titleId,
    int watchedSeconds,
    int rating,
    String query,
    double bandwidthKbps,
    double latencyMs,
    String resolution)
    implements Serializable {

  public Event {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(type, "type");
  }

  public EventStream stream() {
    return type.stream();
  }

  /** A play, pause, stop, click, impression or rate event of a title. */
  public static Event ofTitle(
      String eventId, String memberId, EventType type, long eventTime, String titleId) {
    return new Event(eventId, memberId, type, eventTime, 1, titleId, 0, 0, null, 0, 0, null);
  }

  /** A stop event with the seconds watched. */
  public static Event stop(
      String eventId, String memberId, long eventTime, String titleId, int watchedSeconds) {
    return new Event(
        eventId,
        memberId,
        EventType.STOP,
        eventTime,
        1,
        titleId,
        watchedSeconds,
        0,
        null,
        0,
        0,
        null);
  }

  /** A rate event. */
  public static Event rate(
      String eventId, String memberId, long eventTime, String titleId, int rating) {
    return new Event(
        eventId, memberId, EventType.RATE, eventTime, 1, titleId, 0, rating, null, 0, 0, null);
  }

  /** A search event. */
  public static Event search(String eventId, String memberId, long eventTime, String query) {
    return new Event(
        eventId, memberId, EventType.SEARCH, eventTime, 1, null, 0, 0, query, 0, 0, null);
  }

  /** A scroll event. */
  public static Event scroll(String eventId, String memberId, long eventTime) {
    return new Event(
        eventId, memberId, EventType.SCROLL, eventTime, 1, null, 0, 0, null, 0, 0, null);
  }

  /** A device event. */
  public static Event device(
      String eventId,
      String memberId,
      long eventTime,
      double bandwidthKbps,
      double latencyMs,
      String resolution) {
    return new Event(
        eventId,
        memberId,
        EventType.DEVICE,
        eventTime,
        1,
        null,
        0,
        0,
        null,
        bandwidthKbps,
        latencyMs,
        resolution);
  }
}
