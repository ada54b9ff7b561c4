package dev.tessera.batch.signal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A workflow signal for the orchestrator, on the {@code workflow-signals} topic (key = id, value =
 * this JSON): {@code {"id","name","emittedAt","source","joinKeys":{"group","version"},"payload"}}.
 * The id is {@code <name>/<group>/<version>/<run-id>}: a re-run of the same run emits the same id,
 * so the orchestrator deduplicates.
 */
public record WorkflowSignal(
    String id,
    String name,
    long emittedAt,
    String source,
    Map<String, String> joinKeys,
    Map<String, Object> payload) {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

  public WorkflowSignal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    joinKeys = Map.copyOf(joinKeys);
    payload = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(payload));
  }

  public static WorkflowSignal of(
      String name, String source, String group, int version, String runId,
      Map<String, Object> payload, long emittedAt) {
    return new WorkflowSignal(name + "/" + group + "/" + version + "/" + runId, name, emittedAt,
        source, Map.of("group", group, "version", Integer.toString(version)), payload);
  }

  public byte[] toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("name", name);
    m.put("emittedAt", emittedAt);
    m.put("source", source);
    m.put("joinKeys", new java.util.TreeMap<>(joinKeys));
    m.put("payload", payload);
    try {
      return MAPPER.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A run id that is the same whenever the same inputs are given: hex of SHA-256, 16 chars. */
  public static String runId(String... inputs) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String s : inputs) {
        sha.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
