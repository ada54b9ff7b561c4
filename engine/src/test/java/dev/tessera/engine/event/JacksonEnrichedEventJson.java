package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Jackson-generator encoder that EnrichedEventJson's direct writer replaced, kept as the
 * reference whose bytes it must reproduce (EnrichedEventJsonTest).
 */
final class JacksonEnrichedEventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JacksonEnrichedEventJson() {}

  /**
   * Encodes one enriched event.
   *
   * @param country the member's country, or null when the profile is unknown
   * @param plan the member's plan, or null when the profile is unknown
   */
  static byte[] encode(EnrichedEvent enriched, long ingestedAt, String country, String plan) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      Event e = enriched.event();
      json.writeStartObject();
      json.writeStringField("eventId", e.eventId());
      json.writeStringField("memberId", e.memberId());
      json.writeStringField("type", e.type().wireName());
      json.writeNumberField("eventTime", e.eventTime());
      json.writeNumberField("schemaVersion", e.schemaVersion());
      if (e.titleId() != null) {
        json.writeStringField("titleId", e.titleId());
      }
      switch (e.type()) {
        case STOP -> json.writeNumberField("watchedSeconds", e.watchedSeconds());
        case RATE -> json.writeNumberField("rating", e.rating());
        case SEARCH -> json.writeStringField("query", e.query());
        case DEVICE -> {
          json.writeNumberField("bandwidthKbps", e.bandwidthKbps());
          json.writeNumberField("latencyMs", e.latencyMs());
          if (e.resolution() != null) {
            json.writeStringField("resolution", e.resolution());
          }
        }
        default -> {
          // play, pause, click, impression, scroll carry nothing more
        }
      }
      json.writeArrayFieldStart("genres");
      for (String genre : enriched.genres()) {
        json.writeString(genre);
      }
      json.writeEndArray();
      json.writeBooleanField("unknownTitle", enriched.unknownTitle());
      json.writeNumberField("ingestedAt", ingestedAt);
      if (country != null) {
        json.writeStringField("country", country);
      }
      if (plan != null) {
        json.writeStringField("plan", plan);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

}
