package dev.tessera.simulations.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tessera.engine.event.ReasonCode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.TreeSet;

/**
 * One JSON line of a truth file per produced record:
 *
 * <pre>
 * {"seq":17,"kind":"VALID","memberId":"m-000017","eventId":"ev-2a-16","key":"m-000017",
 *  "partition":3,"offset":2,"session":1,"shape":null,"reasons":[],"event":{...wire format...}}
 * </pre>
 *
 * {@code kind} is VALID, DUPLICATE, MALFORMED or LATE; {@code key} is the record key as text (or
 * null); {@code partition}/{@code offset} locate it in the raw topic (-1 when not produced);
 * MALFORMED lines have {@code shape}, {@code reasons} (the parser's reason codes), and null {@code
 * eventId} and {@code event}.
 */
public final class TruthJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private TruthJson() {}

  public static String line(SimulatedRecord record, int partition, long offset) {
    Truth t = record.truth();
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("seq", t.sequence());
      g.writeStringField("kind", t.kind().name());
      g.writeStringField("memberId", t.memberId());
      g.writeStringField("eventId", t.eventId());
      g.writeStringField("key", record.keyString());
      g.writeNumberField("partition", partition);
      g.writeNumberField("offset", offset);
      g.writeNumberField("session", t.session());
      g.writeStringField("shape", t.shape() == null ? null : t.shape().name());
      g.writeArrayFieldStart("reasons");
      for (ReasonCode reason : new TreeSet<>(t.reasons())) {
        g.writeString(reason.name());
      }
      g.writeEndArray();
      g.writeFieldName("event");
      if (t.event() == null) {
        g.writeNull();
      } else {
        EventJson.write(t.event(), g);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
