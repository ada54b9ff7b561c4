package dev.tessera.simulations.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON values of the two compacted reference topics, in the exact shapes the ingestion pipeline
 * reads:
 *
 * <pre>
 * content-metadata  key titleId   {"titleId":"t-00042","genres":["drama","comedy"],"durationSeconds":5400,"releaseDate":"2019-04-12"}
 * member-profiles   key memberId  {"memberId":"m-000017","country":"NL","plan":"premium","signupDate":"2023-01-30"}
 * </pre>
 */
public final class ReferenceJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private ReferenceJson() {}

  public static byte[] key(Title title) {
    return title.titleId().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] key(MemberProfile profile) {
    return profile.memberId().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] value(Title title) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("titleId", title.titleId());
      g.writeArrayFieldStart("genres");
      for (String genre : title.genres()) {
        g.writeString(genre);
      }
      g.writeEndArray();
      g.writeNumberField("durationSeconds", title.durationSeconds());
      g.writeStringField("releaseDate", title.releaseDate().toString());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] value(MemberProfile profile) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("memberId", profile.memberId());
      g.writeStringField("country", profile.country());
      g.writeStringField("plan", profile.plan());
      g.writeStringField("signupDate", profile.signupDate().toString());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
