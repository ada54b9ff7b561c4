package dev.tessera.engine.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code serving-samples} wire format (key = member id):
 *
 * <pre>{@code
 * {"memberId":"m-1","group":"member_engagement","groupVersion":1,"asOf":1764000000000,
 *  "servedAt":1764000000123,"offsets":{"views":41,"engagement":17,"search":-1,"ratings":-1,"device":3},
 *  "values":{"plays_1h":3,"ctr_1h":0.25,"genre_affinity_24h":{"drama":1.0},"avg_x":null}}
 * }</pre>
 *
 * <p>Values are exactly reversible: a {@code Long} is written as a JSON integer and read back as a
 * {@code Long}; a {@code Double} is written with Java's shortest round-trip representation, which
 * always has a '.' or an exponent ({@code 3.0}, {@code 1.0E-5}), and read back as the same {@code
 * Double} bit for bit; the non-finite doubles are the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}; null is null; a map is an object of doubles (read back sorted by key, as
 * snapshots hold them; an integer inside a map reads as a double). Thread-safe.
 */
public final class ServedSampleJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private ServedSampleJson() {}

  public static byte[] write(ServedSample s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("memberId", s.memberId());
      json.writeStringField("group", s.group());
      json.writeNumberField("groupVersion", s.groupVersion());
      json.writeNumberField("asOf", s.asOf());
      json.writeNumberField("servedAt", s.servedAt());
      json.writeObjectFieldStart("offsets");
      for (Map.Entry<String, Long> e : s.offsets().entrySet()) {
        json.writeNumberField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
      json.writeObjectFieldStart("values");
      for (Map.Entry<String, Object> e : s.values().entrySet()) {
        json.writeFieldName(e.getKey());
        writeValue(json, e.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator json, Object v) throws IOException {
    if (v == null) {
      json.writeNull();
    } else if (v instanceof Long l) {
      json.writeNumber(l);
    } else if (v instanceof Integer i) {
      json.writeNumber(i.longValue());
    } else if (v instanceof Double d) {
      writeDouble(json, d);
    } else if (v instanceof Map<?, ?> m) {
      json.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        json.writeFieldName(String.valueOf(e.getKey()));
        writeDouble(json, ((Number) e.getValue()).doubleValue());
      }
      json.writeEndObject();
    } else {
      throw new IllegalArgumentException("unsupported feature value " + v.getClass());
    }
  }

  private static void writeDouble(JsonGenerator json, double d) throws IOException {
    if (Double.isFinite(d)) {
      json.writeNumber(Double.toString(d)); // shortest exact form, always with '.' or 'E'
    } else {
      json.writeString(Double.toString(d));
    }
  }

  /**
   * Reads a sample.
   *
   * @throws IllegalArgumentException when the bytes are not a sample
   */
  public static ServedSample read(byte[] bytes) {
    String memberId = null;
    String group = null;
    int version = 0;
    long asOf = 0;
    long servedAt = 0;
    Map<String, Long> offsets = new LinkedHashMap<>();
    Map<String, Object> values = new LinkedHashMap<>();
    try (JsonParser json = FACTORY.createParser(bytes)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a served sample is a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken token = json.nextToken();
        switch (field) {
          case "memberId" -> memberId = json.getText();
          case "group" -> group = json.getText();
          case "groupVersion" -> version = json.getIntValue();
          case "asOf" -> asOf = json.getLongValue();
          case "servedAt" -> servedAt = json.getLongValue();
          case "offsets" -> {
            expect(token, JsonToken.START_OBJECT, "offsets");
            while (json.nextToken() == JsonToken.FIELD_NAME) {
              String stream = json.currentName();
              json.nextToken();
              offsets.put(stream, json.getLongValue());
            }
          }
          case "values" -> {
            expect(token, JsonToken.START_OBJECT, "values");
            while (json.nextToken() == JsonToken.FIELD_NAME) {
              String name = json.currentName();
              values.put(name, readValue(json, json.nextToken()));
            }
          }
          default -> {
            if (token.isStructStart()) {
              json.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a served sample: " + e.getMessage(), e);
    }
    if (memberId == null || group == null) {
      throw new IllegalArgumentException("a served sample needs memberId and group");
    }
    return new ServedSample(memberId, group, version, asOf, servedAt, offsets, values);
  }

  private static Object readValue(JsonParser json, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT -> json.getLongValue();
      case VALUE_NUMBER_FLOAT -> Double.parseDouble(json.getText());
      case VALUE_STRING -> Double.parseDouble(json.getText()); // NaN, Infinity, -Infinity
      case START_OBJECT -> {
        Map<String, Double> m = new TreeMap<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
          String k = json.currentName();
          JsonToken v = json.nextToken();
          m.put(k, v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_FLOAT
              ? Double.parseDouble(json.getText()) : json.getDoubleValue());
        }
        yield m;
      }
      default -> throw new IllegalArgumentException("unexpected " + t + " in values");
    };
  }

  private static void expect(JsonToken actual, JsonToken expected, String field) {
    if (actual != expected) {
      throw new IllegalArgumentException(field + " must be a JSON object");
    }
  }
}
