package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of the domain topics: one enriched event as a JSON object, written by ingestion
 * and read by the member actors and the batch archive. Same field names as the raw event (only the
 * fields its type carries), plus {@code genres}, {@code unknownTitle}, {@code ingestedAt} (the
 * server-side ingestion instant, epoch ms) and, when the member's profile is known, {@code country}
 * and {@code plan}. Thread-safe.
 */
public final class EnrichedEventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** A decoded domain record. */
  public record Decoded(EnrichedEvent event, long ingestedAt, String country, String plan) {}

  private EnrichedEventJson() {}

  /**
   * Encodes one enriched event.
   *
   * @param country the member's country, or null when the profile is unknown
   * @param plan the member's plan, or null when the profile is unknown
   */
  public static byte[] encode(EnrichedEvent enriched, long ingestedAt, String country, String plan) {
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

  /**
   * Decodes a domain record written by {@link #encode}.
   *
   * @throws IllegalArgumentException when the bytes are not such a record
   */
  public static Decoded decode(byte[] bytes) {
    String eventId = null;
    String memberId = null;
    EventType type = null;
    long eventTime = 0;
    int schemaVersion = 1;
    String titleId = null;
    int watchedSeconds = 0;
    int rating = 0;
    String query = null;
    double bandwidthKbps = 0;
    double latencyMs = 0;
    String resolution = null;
    List<String> genres = List.of();
    boolean unknownTitle = false;
    long ingestedAt = 0;
    String country = null;
    String plan = null;
    try (JsonParser json = FACTORY.createParser(bytes)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a domain record is a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        switch (field) {
          case "eventId" -> eventId = json.getText();
          case "memberId" -> memberId = json.getText();
          case "type" -> type = EventType.fromWire(json.getText())
              .orElseThrow(() -> new IllegalArgumentException("unknown type"));
          case "eventTime" -> eventTime = json.getLongValue();
          case "schemaVersion" -> schemaVersion = json.getIntValue();
          case "titleId" -> titleId = json.getText();
          case "watchedSeconds" -> watchedSeconds = json.getIntValue();
          case "rating" -> rating = json.getIntValue();
          case "query" -> query = json.getText();
          case "bandwidthKbps" -> bandwidthKbps = json.getDoubleValue();
          case "latencyMs" -> latencyMs = json.getDoubleValue();
          case "resolution" -> resolution = json.getText();
          case "genres" -> {
            List<String> read = new ArrayList<>(3);
            while (json.nextToken() != JsonToken.END_ARRAY) {
              read.add(json.getText());
            }
            genres = read;
          }
          case "unknownTitle" -> unknownTitle = json.getBooleanValue();
          case "ingestedAt" -> ingestedAt = json.getLongValue();
          case "country" -> country = json.getText();
          case "plan" -> plan = json.getText();
          default -> {
            if (value.isStructStart()) {
              json.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a domain record: " + e.getMessage(), e);
    }
    if (eventId == null || memberId == null || type == null) {
      throw new IllegalArgumentException("a domain record needs eventId, memberId and type");
    }
    Event event = new Event(eventId, memberId, type, eventTime, schemaVersion, titleId,
        watchedSeconds, rating, query, bandwidthKbps, latencyMs, resolution);
    return new Decoded(new EnrichedEvent(event, genres, unknownTitle), ingestedAt, country, plan);
  }
}
