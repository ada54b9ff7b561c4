package dev.tessera.simulations.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tessera.engine.event.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes an {@link Event} in the wire format {@code EventParser} reads: {@code eventId, memberId,
 * type} (lower-case wire name), {@code eventTime} (epoch ms), {@code schemaVersion}, then only the
 * fields the type carries ({@code titleId}; {@code watchedSeconds} for stop; {@code rating} for
 * rate; {@code query} for search; {@code bandwidthKbps, latencyMs, resolution} for device).
 */
public final class EventJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private EventJson() {}

  public static byte[] write(Event event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(event, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the event as one JSON object to a generator. */
  public static void write(Event event, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("eventId", event.eventId());
    g.writeStringField("memberId", event.memberId());
    g.writeStringField("type", event.type().wireName());
    g.writeNumberField("eventTime", event.eventTime());
    g.writeNumberField("schemaVersion", event.schemaVersion());
    if (event.type().hasTitle()) {
      g.writeStringField("titleId", event.titleId());
    }
    switch (event.type()) {
      case STOP -> g.writeNumberField("watchedSeconds", event.watchedSeconds());
      case RATE -> g.writeNumberField("rating", event.rating());
      case SEARCH -> g.writeStringField("query", event.query());
      case DEVICE -> {
        g.writeNumberField("bandwidthKbps", event.bandwidthKbps());
        g.writeNumberField("latencyMs", event.latencyMs());
        g.writeStringField("resolution", event.resolution());
      }
      default -> {}
    }
    g.writeEndObject();
  }
}
