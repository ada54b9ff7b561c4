package dev.tessera.sharding.store;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.FeatureValues;
import dev.tessera.sharding.CborSerializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A feature snapshot as the online store keeps it, keyed by {@code (memberId, group)}.
 *
 * <p>Both maps are copied into compact, immutable, insertion-ordered maps that allow null values
 * (see {@code CompactMap}); numbers are normalised so a snapshot equals itself after a trip through
 * Jackson (which reads small integers back as {@code Integer}): integral values become {@code
 * Long}, the others {@code Double}, and the values of a map-valued feature {@code Double}.
 *
 * @param memberId the member
 * @param group the feature group's name
 * @param groupVersion the feature group's version the values were computed with
 * @param snapshotVersion increases with every snapshot of the key; the store never lets a smaller
 *     or equal one replace the one it holds
 * @param values feature name -> {@code Long} | {@code Double} | {@code Map<String, Double>} | null,
 *     as the engine's {@link FeatureSnapshot} gives them
 * @param asOf epoch millis the values are exact for
 * @param watermark the member's largest accepted eventTime ({@link Long#MIN_VALUE} if none)
 * @param computedAt wall-clock epoch millis of the computation
 * @param expiresAt epoch millis from which the key is expired (last accepted eventTime plus the
 *     group's TTL): reads at {@code now >= expiresAt} see {@link Lookup.Expired}
 * @param lastOffsets stream wire name ({@code views}, {@code engagement}, {@code search}, {@code
 *     ratings}, {@code device}) -> offset of the last Kafka record applied (-1 for none)
 */
public record StoredSnapshot(
    String memberId,
    String group,
    int groupVersion,
    long snapshotVersion,
    @JsonDeserialize(contentUsing = FeatureValueDeserializer.class) Map<String, Object> values,
    long asOf,
    long watermark,
    long computedAt,
    long expiresAt,
    Map<String, Long> lastOffsets)
    implements CborSerializable {

  private static final Double ZERO = 0.0;
  private static final Double ONE = 1.0;
  /** The stream wire names by ordinal: the keys of every {@code lastOffsets} built by {@link #of}. */
  private static final CompactMap.Keys STREAM_NAMES = CompactMap.keys(
      Arrays.stream(EventStream.values()).map(EventStream::wireName)
          .toArray(String[]::new));

  public StoredSnapshot {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(lastOffsets, "lastOffsets");
    if (values instanceof FeatureValues vector) {
      values = copyOf(vector);
    } else if (!(values instanceof CompactMap)) {
      values = CompactMap.copyOf(values, e -> featureValue(e.getKey(), e.getValue()));
    }
    if (!(lastOffsets instanceof CompactMap)) {
      lastOffsets = CompactMap.copyOf(lastOffsets, e -> offset(e.getKey(), e.getValue()));
    }
  }

  /**
   * The store's form of an engine snapshot, as a member entity publishes it.
   *
   * @param lastOffsets the last applied offset of each stream by {@link EventStream} ordinal (-1
   *     for none)
   */
  public static StoredSnapshot of(
      FeatureSnapshot snapshot, int groupVersion, long snapshotVersion, long[] lastOffsets) {
    if (lastOffsets.length != EventStream.count()) {
      throw new IllegalArgumentException("lastOffsets has " + lastOffsets.length
          + " streams, not " + EventStream.count());
    }
    // Built in place, not copied from a map: a member publishes after every batch.
    Object[] offsets = new Object[lastOffsets.length];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = lastOffsets[i];
    }
    return new StoredSnapshot(snapshot.memberId(), snapshot.group(), groupVersion,
        snapshotVersion, snapshot.values(), snapshot.asOf(), snapshot.watermark(),
        snapshot.computedAt(), snapshot.expiresAt(), CompactMap.of(STREAM_NAMES, offsets));
  }

  /**
   * An engine vector copied by position: its key set is looked up once per group plan (by the
   * identity of the plan's shared name list), not hashed from the names at every publication.
   */
  private static CompactMap<Object> copyOf(FeatureValues vector) {
    List<String> names = vector.nameList();
    Object[] values = new Object[names.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = featureValue(names.get(i), vector.valueAt(i));
    }
    return CompactMap.of(keysOf(names), values);
  }

  /** Pairs of (a plan's name list, its key set), searched by identity; copied on write. */
  private static volatile Object[] planKeys = new Object[0];
  private static final int MAX_PLANS = 64;

  private static CompactMap.Keys keysOf(List<String> names) {
    Object[] known = planKeys;
    for (int i = 0; i < known.length; i += 2) {
      if (known[i] == names) {
        return (CompactMap.Keys) known[i + 1];
      }
    }
    CompactMap.Keys keys = CompactMap.keys(names.toArray(String[]::new));
    synchronized (StoredSnapshot.class) {
      Object[] current = planKeys;
      if (current.length < 2 * MAX_PLANS) {
        Object[] grown = Arrays.copyOf(current, current.length + 2);
        grown[current.length] = names;
        grown[current.length + 1] = keys;
        planKeys = grown;
      }
    }
    return keys;
  }

  /** The engine's form of this vector (without the store's version and offsets). */
  public dev.tessera.engine.state.FeatureSnapshot toFeatureSnapshot() {
    return new dev.tessera.engine.state.FeatureSnapshot(memberId, group, groupVersion, values, asOf,
        watermark, computedAt, expiresAt);
  }

  private static Object featureValue(String feature, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!(key instanceof String)) {
          throw new IllegalArgumentException(
              "feature " + feature + ": map key " + key + " is not a string");
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> categories = (Map<String, ?>) map;
      return CompactMap.copyOf(categories, e -> mapValue(feature, e.getKey(), e.getValue()));
    }
    if (value instanceof Number number) {
      return isIntegral(number) ? (Object) boxLong(number) : box(number);
    }
    throw new IllegalArgumentException("feature " + feature + ": unsupported value type "
        + value.getClass().getName() + " (Long, Double, Map<String, Double> or null)");
  }

  private static Double mapValue(String feature, String key, Object value) {
    if (value instanceof Number number) {
      return box(number);
    }
    throw new IllegalArgumentException(
        "feature " + feature + ": value of " + key + " is not a number: " + value);
  }

  private static Long offset(String stream, Object value) {
    if (value instanceof Number number && isIntegral(number)) {
      return boxLong(number);
    }
    throw new IllegalArgumentException("lastOffsets." + stream + " is not an offset: " + value);
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
        || n instanceof BigInteger;
  }

  private static Long boxLong(Number number) {
    return number instanceof Long boxed ? boxed : Long.valueOf(number.longValue());
  }

  /** Boxes a double, sharing the instances of the most common values (0 and 1). */
  private static Double box(Number number) {
    if (number instanceof BigDecimal) {
      number = number.doubleValue();
    }
    double d = number.doubleValue();
    if (Double.doubleToRawLongBits(d) == 0L) {
      return ZERO;
    }
    if (d == 1.0) {
      return ONE;
    }
    return number instanceof Double boxed ? boxed : Double.valueOf(d);
  }

  /** Whether {@code value} is one of the shared boxed doubles (it then costs no memory per map). */
  static boolean isSharedBox(Object value) {
    return value == ZERO || value == ONE;
  }
}
