package dev.tessera.engine.event;

/**
 * The stream an event type belongs to. Each (member, stream) is applied in its own Kafka order and
 * has its own watermark; the mapping from {@link EventType} to stream lives here so that every
 * runtime uses the same one.
 */
public enum EventStream {
  VIEWS("views"),
  ENGAGEMENT("engagement"),
  SEARCH("search"),
  RATINGS("ratings"),
  DEVICE("device");

  private static final EventStream[] VALUES = values();

  private final String wireName;

  EventStream(String wireName) {
    this.wireName = wireName;
  }

  /** The lower-case name used in topics, config and JSON. */
  public String wireName() {
    return wireName;
  }

  /** The stream of the given ordinal; cheap, for hot paths and binary formats. */
  public static EventStream ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }

  /** The number of streams. */
  public static int count() {
    return VALUES.length;
  }
}
