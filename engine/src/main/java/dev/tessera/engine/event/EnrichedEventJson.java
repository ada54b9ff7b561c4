package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
    byte[] direct = new DirectWriter().write(enriched, ingestedAt, country, plan);
    return direct != null ? direct : encodeWithGenerator(enriched, ingestedAt, country, plan);
  }

  /** The general encoder, for what {@link DirectWriter} leaves to it. */
  private static byte[] encodeWithGenerator(
      EnrichedEvent enriched, long ingestedAt, String country, String plan) {
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

  /**
   * Writes the same bytes as the generator for the common case, without its per-call set-up: every
   * string ASCII and every double finite. Returns null otherwise (the generator then writes it).
   */
  private static final class DirectWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private byte[] buffer = new byte[320];
    private int size;

    byte[] write(EnrichedEvent enriched, long ingestedAt, String country, String plan) {
      Event e = enriched.event();
      if (e.type() == EventType.DEVICE
          && !(Double.isFinite(e.bandwidthKbps()) && Double.isFinite(e.latencyMs()))) {
        return null;
      }
      if (!(raw("{\"eventId\":") && string(e.eventId()) && raw(",\"memberId\":")
          && string(e.memberId()) && raw(",\"type\":") && string(e.type().wireName())
          && raw(",\"eventTime\":") && raw(Long.toString(e.eventTime()))
          && raw(",\"schemaVersion\":") && raw(Integer.toString(e.schemaVersion())))) {
        return null;
      }
      if (e.titleId() != null && !(raw(",\"titleId\":") && string(e.titleId()))) {
        return null;
      }
      boolean written = switch (e.type()) {
        case STOP -> raw(",\"watchedSeconds\":") && raw(Integer.toString(e.watchedSeconds()));
        case RATE -> raw(",\"rating\":") && raw(Integer.toString(e.rating()));
        case SEARCH -> raw(",\"query\":") && string(e.query());
        case DEVICE -> raw(",\"bandwidthKbps\":") && raw(Double.toString(e.bandwidthKbps()))
            && raw(",\"latencyMs\":") && raw(Double.toString(e.latencyMs()))
            && (e.resolution() == null || (raw(",\"resolution\":") && string(e.resolution())));
        default -> true;
      };
      if (!(written && raw(",\"genres\":["))) {
        return null;
      }
      boolean first = true;
      for (String genre : enriched.genres()) {
        if (!((first || raw(",")) && string(genre))) {
          return null;
        }
        first = false;
      }
      if (!(raw("],\"unknownTitle\":") && raw(enriched.unknownTitle() ? "true" : "false")
          && raw(",\"ingestedAt\":") && raw(Long.toString(ingestedAt))
          && (country == null || (raw(",\"country\":") && string(country)))
          && (plan == null || (raw(",\"plan\":") && string(plan))) && raw("}"))) {
        return null;
      }
      return Arrays.copyOf(buffer, size);
    }

    /** Appends ASCII text as it is. */
    private boolean raw(String ascii) {
      int length = ascii.length();
      ensure(length);
      for (int i = 0; i < length; i++) {
        buffer[size++] = (byte) ascii.charAt(i);
      }
      return true;
    }

    /**
     * Appends a quoted JSON string, escaped as the generator escapes ({@code \"}, {@code \\}, the
     * short escapes of b, t, n, f, r, {@code \}{@code u00XX} for other control characters), or
     * returns false when the text is not ASCII (or is null, which the generator would write as a
     * JSON null).
     */
    private boolean string(String text) {
      if (text == null) {
        return false;
      }
      int length = text.length();
      ensure(length * 6 + 2);
      byte[] out = buffer;
      int at = size;
      out[at++] = '"';
      for (int i = 0; i < length; i++) {
        char c = text.charAt(i);
        if (c >= 0x80) {
          return false;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
          out[at++] = (byte) c;
          continue;
        }
        out[at++] = '\\';
        switch (c) {
          case '"', '\\' -> out[at++] = (byte) c;
          case '\b' -> out[at++] = 'b';
          case '\t' -> out[at++] = 't';
          case '\n' -> out[at++] = 'n';
          case '\f' -> out[at++] = 'f';
          case '\r' -> out[at++] = 'r';
          default -> {
            out[at++] = 'u';
            out[at++] = '0';
            out[at++] = '0';
            out[at++] = HEX[c >> 4];
            out[at++] = HEX[c & 0xF];
          }
        }
      }
      out[at++] = '"';
      size = at;
      return true;
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }
  }
}
