package dev.tessera.engine.event;

import java.util.Optional;

/**
 * The type of a member interaction, with its lower-case wire name and the {@link EventStream} it
 * belongs to.
 */
public enum EventType {
  PLAY("play", EventStream.VIEWS),
  PAUSE("pause", EventStream.VIEWS),
  STOP("stop", EventStream.VIEWS),
  CLICK("click", EventStream.ENGAGEMENT),
  IMPRESSION("impression", EventStream.ENGAGEMENT),
  SCROLL("scroll", EventStream.ENGAGEMENT),
  SEARCH("search", EventStream.SEARCH),
  RATE("rate", EventStream.RATINGS),
  DEVICE("device", EventStream.DEVICE);

  private static final EventType[] VALUES = values();

  private final String wireName;
  private final EventStream stream;

  EventType(String wireName, EventStream stream) {
    this.wireName = wireName;
    this.stream = stream;
  }

  public String wireName() {
    return wireName;
  }

  public EventStream stream() {
    return stream;
  }

  /** Whether events of this type carry a {@code titleId}. */
  public boolean hasTitle() {
    return this == PLAY
        || this == PAUSE
        || this == STOP
        || this == CLICK
        || this == IMPRESSION
        || this == RATE;
  }

  /** The type with this exact (lower-case) wire name. */
  public static Optional<EventType> fromWire(String name) {
    for (EventType t : VALUES) {
      if (t.wireName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  public static EventType ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }
}
