package dev.tessera.engine.serving;

import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One feature vector as the serving API returned it, logged (hash-sampled) to the {@code
 * serving-samples} topic so that batch can recompute it from the archive and compare
 * (online/offline consistency). Wire format: {@link ServedSampleJson}.
 *
 * @param asOf the instant the served values are exact for (the snapshot's asOf)
 * @param servedAt when the response was sent
 * @param offsets per stream wire name ({@code views}, ...), the last Kafka offset the member's state
 *     had applied in that stream's topic (-1: none)
 * @param values the snapshot's values: {@code Long}, {@code Double}, {@code Map<String, Double>} or
 *     null
 */
public record ServedSample(
    String memberId,
    String group,
    int groupVersion,
    long asOf,
    long servedAt,
    Map<String, Long> offsets,
    Map<String, Object> values) {

  public ServedSample {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(group, "group");
    offsets = Collections.unmodifiableMap(new LinkedHashMap<>(offsets));
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The sample of a served snapshot; {@code lastOffset} gives each stream's last applied offset. */
  public static ServedSample of(
      FeatureSnapshot s, long servedAt, java.util.function.ToLongFunction<EventStream> lastOffset) {
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (EventStream stream : EventStream.values()) {
      offsets.put(stream.wireName(), lastOffset.applyAsLong(stream));
    }
    return new ServedSample(s.memberId(), s.group(), s.version(), s.asOf(), servedAt, offsets,
        s.values());
  }

  /** The last applied offset of a stream, -1 when none (or not given). */
  public long offset(EventStream stream) {
    return offsets.getOrDefault(stream.wireName(), -1L);
  }

  /**
   * Whether a response is in the logged share: a hash of (member, asOf) below {@code rate}, so the
   * decision is the same on every node and every replay of the same request.
   */
  public static boolean sampled(String memberId, long asOf, double rate) {
    if (rate <= 0) {
      return false;
    }
    if (rate >= 1) {
      return true;
    }
    long h = 0xcbf29ce484222325L;
    for (byte b : memberId.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001b3L;
    }
    h ^= asOf;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53 < rate;
  }
}
