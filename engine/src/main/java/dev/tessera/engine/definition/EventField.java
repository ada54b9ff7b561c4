package dev.tessera.engine.definition;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import java.util.List;
import java.util.Optional;

/**
 * The event fields a feature can aggregate, filter or group by, named as in the event JSON. Numeric
 * fields read 0 on events that do not carry them; {@link #ONE} is the constant 1 (a count as a
 * weight). {@link #GENRE} is the enriched, multi-valued field: an event has one value per genre of
 * its title.
 */
public enum EventField {
  ONE("one", true),
  WATCHED_SECONDS("watchedSeconds", true),
  RATING("rating", true),
  BANDWIDTH_KBPS("bandwidthKbps", true),
  LATENCY_MS("latencyMs", true),
  TITLE_ID("titleId", false),
  GENRE("genre", false),
  TYPE("type", false),
  QUERY("query", false),
  RESOLUTION("resolution", false);

  private final String configName;
  private final boolean numeric;

  EventField(String configName, boolean numeric) {
    this.configName = configName;
    this.numeric = numeric;
  }

  public String configName() {
    return configName;
  }

  public boolean isNumeric() {
    return numeric;
  }

  public static Optional<EventField> fromConfig(String name) {
    for (EventField f : values()) {
      if (f.configName.equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The numeric value of the field on this event (0 when absent). */
  public double number(EnrichedEvent e) {
    Event ev = e.event();
    return switch (this) {
      case ONE -> 1;
      case WATCHED_SECONDS -> ev.watchedSeconds();
      case RATING -> ev.rating();
      case BANDWIDTH_KBPS -> ev.bandwidthKbps();
      case LATENCY_MS -> ev.latencyMs();
      default -> throw new IllegalStateException(configName + " is not numeric");
    };
  }

  /**
   * The category values of the field on this event: zero or one for single-valued fields, one per
   * genre for {@link #GENRE}.
   */
  public List<String> categories(EnrichedEvent e) {
    Event ev = e.event();
    return switch (this) {
      case GENRE -> e.genres();
      case TITLE_ID -> ev.titleId() == null ? List.of() : List.of(ev.titleId());
      case TYPE -> List.of(ev.type().wireName());
      case QUERY -> ev.query() == null ? List.of() : List.of(ev.query());
      case RESOLUTION -> ev.resolution() == null ? List.of() : List.of(ev.resolution());
      default -> throw new IllegalStateException(configName + " is not a category");
    };
  }

  /**
   * The single category value, or null; for {@link #GENRE} the first genre. Avoids allocation on
   * hot paths.
   */
  public String category(EnrichedEvent e) {
    Event ev = e.event();
    return switch (this) {
      case GENRE -> e.genres().isEmpty() ? null : e.genres().get(0);
      case TITLE_ID -> ev.titleId();
      case TYPE -> ev.type().wireName();
      case QUERY -> ev.query();
      case RESOLUTION -> ev.resolution();
      default -> throw new IllegalStateException(configName + " is not a category");
    };
  }
}
