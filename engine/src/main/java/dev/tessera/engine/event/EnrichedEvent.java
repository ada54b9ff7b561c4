package dev.tessera.engine.event;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * An event joined with its title's catalogue metadata: what the kernel aggregates. A title missing
 * from the catalogue is enriched with no genres and {@code unknownTitle = true}; its watch time
 * still counts in sums but in no genre.
 *
 * @param genres the title's genres (empty for events without a title or with an unknown title)
 * @param unknownTitle the event names a title that the catalogue does not know
 */
public record EnrichedEvent(Event event, List<String> genres, boolean unknownTitle)
    implements Serializable {

  public EnrichedEvent {
    Objects.requireNonNull(event, "event");
    genres = List.copyOf(genres);
  }

  /** Joins the event with the catalogue. */
  public static EnrichedEvent enrich(Event event, TitleCatalogue catalogue) {
    if (event.titleId() == null) {
      return new EnrichedEvent(event, List.of(), false);
    }
    return catalogue
        .find(event.titleId())
        .map(m -> new EnrichedEvent(event, m.genres(), false))
        .orElseGet(() -> new EnrichedEvent(event, List.of(), true));
  }

  /** An event of a known title with the given genres (tests, generators). */
  public static EnrichedEvent of(Event event, String... genres) {
    return new EnrichedEvent(event, List.of(genres), false);
  }

  public String eventId() {
    return event.eventId();
  }

  public String memberId() {
    return event.memberId();
  }

  public EventType type() {
    return event.type();
  }

  public EventStream stream() {
    return event.type().stream();
  }

  public long eventTime() {
    return event.eventTime();
  }
}
