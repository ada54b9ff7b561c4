package dev.tessera.orchestrator.signal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signal JSON of the {@code workflow-signals} topic and {@code POST /signals}: {@code
 * {"id","name","emittedAt","source","joinKeys":{...},"payload":{...}}}. {@code id} and {@code
 * name} are required; {@code emittedAt} defaults to the receiving time, {@code source} to the
 * given default, {@code joinKeys} and {@code payload} to empty objects. Join key values are read
 * as text.
 */
public final class SignalJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SignalJson() {}

  /**
   * @throws IllegalArgumentException saying what is wrong, when the bytes are not a signal
   */
  public static Signal parse(byte[] json, String defaultSource, long now) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("signal is not JSON: " + e.getMessage());
    }
    return fromTree(root, defaultSource, now);
  }

  public static Signal fromTree(JsonNode root, String defaultSource, long now) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("signal must be a JSON object");
    }
    String id = text(root, "id");
    String name = text(root, "name");
    long emittedAt = now;
    if (root.hasNonNull("emittedAt")) {
      if (!root.get("emittedAt").canConvertToLong()) {
        throw new IllegalArgumentException("signal field emittedAt must be epoch millis");
      }
      emittedAt = root.get("emittedAt").asLong();
    }
    String source = root.hasNonNull("source") ? root.get("source").asText() : defaultSource;
    Map<String, String> joinKeys = new LinkedHashMap<>();
    JsonNode keys = root.get("joinKeys");
    if (keys != null && !keys.isNull()) {
      if (!keys.isObject()) {
        throw new IllegalArgumentException("signal field joinKeys must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        joinKeys.put(e.getKey(), e.getValue().asText());
      }
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    JsonNode body = root.get("payload");
    if (body != null && !body.isNull()) {
      if (!body.isObject()) {
        throw new IllegalArgumentException("signal field payload must be an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> values = MAPPER.convertValue(body, Map.class);
      payload.putAll(values);
    }
    return new Signal(id, name, emittedAt, source, joinKeys, payload);
  }

  public static byte[] toJson(Signal signal) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", signal.id());
    m.put("name", signal.name());
    m.put("emittedAt", signal.emittedAt());
    m.put("source", signal.source());
    m.put("joinKeys", signal.joinKeys());
    m.put("payload", signal.payload());
    try {
      return MAPPER.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("signal " + signal.id() + " is not JSON-like", e);
    }
  }

  private static String text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("signal field " + field + " is required (text)");
    }
    return value.asText();
  }
}
