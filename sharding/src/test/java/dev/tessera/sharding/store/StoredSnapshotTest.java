package dev.tessera.sharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.FeatureValues;
import dev.tessera.engine.state.MemberFeatureState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StoredSnapshotTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void copiesItsMapsKeepingOrderAndNulls() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("b_count", 3L);
    values.put("a_avg", null);
    TreeMap<String, Double> shares = new TreeMap<>(Map.of("drama", 0.75, "action", 0.25));
    values.put("c_share", shares);
    StoredSnapshot snapshot = new StoredSnapshot("m1", "g", 1, 1, values, 0, 0, 0, 10,
        Map.of("views", 7L));
    values.put("b_count", 4L);
    shares.put("kids", 1.0);

    assertThat(snapshot.values()).containsExactly(entry("b_count", 3L), entry("a_avg", null),
        entry("c_share", Map.of("action", 0.25, "drama", 0.75)));
    assertThat(snapshot.values()).containsKey("a_avg").doesNotContainKey("d");
    assertThat(List.copyOf(((Map<?, ?>) snapshot.values().get("c_share")).keySet()))
        .isEqualTo(List.of("action", "drama"));
    assertThatThrownBy(() -> snapshot.values().put("x", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(snapshot.values()).isEqualTo(new HashMap<>(snapshot.values()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void normalisesNumbersToLongAndDouble() {
    // What Jackson gives for small numbers when it reads a snapshot back.
    Map<String, Long> intOffsets = (Map<String, Long>) (Map<?, ?>) Map.of("views", 7);
    StoredSnapshot snapshot = new StoredSnapshot("m1", "g", 1, 1,
        Map.of("count", 3, "sum", 2.5f, "shares", Map.of("drama", 1)), 0, 0, 0, 10, intOffsets);

    assertThat(snapshot.values().get("count")).isEqualTo(3L);
    assertThat(snapshot.values().get("sum")).isEqualTo(2.5);
    assertThat(snapshot.values().get("shares")).isEqualTo(Map.of("drama", 1.0));
    assertThat(snapshot.lastOffsets().get("views")).isEqualTo(7L);
  }

  @Test
  void takesAnEngineSnapshotWithOffsetsByStreamOrdinal() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("plays_1m", 2L);
    values.put("avg_rating", null);
    FeatureSnapshot engine = new FeatureSnapshot("m1", "g", 3, values, 10, 9, 11, 100);

    StoredSnapshot stored = StoredSnapshot.of(engine, 3, 17, new long[] {5, -1, 7, -1, 9});

    assertThat(stored).isEqualTo(new StoredSnapshot("m1", "g", 3, 17, values, 10, 9, 11, 100,
        Map.of("views", 5L, "engagement", -1L, "search", 7L, "ratings", -1L, "device", 9L)));
    assertThat(List.copyOf(stored.lastOffsets().keySet()))
        .isEqualTo(List.of("views", "engagement", "search", "ratings", "device"));
    assertThatThrownBy(() -> StoredSnapshot.of(engine, 3, 18, new long[] {1}))
        .hasMessageContaining("lastOffsets");
  }

  /**
   * A kernel vector (read by position, key set found by its plan's name list) is stored exactly as
   * the same values copied from an ordinary map would be, maps included.
   */
  @Test
  void takesAKernelVectorAsItWouldTheSameValuesInAMap() {
    FeatureGroup group = FeatureRegistry.fromConfig(ConfigFactory.load()).all().get(0);
    MemberFeatureState state = MemberFeatureState.create(group, "m1");
    long t = 1_700_000_000_000L;
    state.apply(EnrichedEvent.of(Event.ofTitle("e1", "m1", EventType.PLAY, t, "t1"),
        "drama", "comedy"), 1);
    state.apply(EnrichedEvent.of(Event.stop("e2", "m1", t + 60_000, "t1", 600), "drama"), 2);
    state.apply(EnrichedEvent.of(Event.ofTitle("e3", "m1", EventType.CLICK, t + 1000, "t2")), 3);
    FeatureSnapshot vector = state.snapshot(t + 90_000, t + 90_000);
    assertThat(vector.values()).isInstanceOf(FeatureValues.class);

    StoredSnapshot stored = StoredSnapshot.of(vector, group.version(), 5, new long[] {1, 2, 3, 4, 5});
    StoredSnapshot copied = StoredSnapshot.of(new FeatureSnapshot(vector.memberId(),
        vector.group(), vector.version(), new LinkedHashMap<>(vector.values()),
        vector.asOf(), vector.watermark(), vector.computedAt(), vector.expiresAt()),
        group.version(), 5, new long[] {1, 2, 3, 4, 5});

    assertThat(stored).isEqualTo(copied);
    assertThat(List.copyOf(stored.values().keySet()))
        .isEqualTo(List.copyOf(copied.values().keySet()));
    assertThat(stored.values().values()).anyMatch(value -> value instanceof Map<?, ?>);
    // A second vector of the same plan shares the first one's key set.
    StoredSnapshot again = StoredSnapshot.of(state.snapshot(t + 95_000, t + 95_000),
        group.version(), 6, new long[] {1, 2, 3, 4, 5});
    assertThat(((CompactMap<?>) again.values()).sharesKeys()).isTrue();
  }

  @Test
  void refusesValuesOfOtherTypes() {
    assertThatThrownBy(() -> new StoredSnapshot("m1", "g", 1, 1, Map.of("name", "x"), 0, 0, 0, 10,
            Map.of()))
        .hasMessageContaining("feature name");
  }

  @Test
  void snapshotsAndRepliesSurviveSerialisationUnchanged() {
    StoredSnapshot snapshot = Snapshots.engagement("m1", 42, 123_456, 5);
    Map<String, Object> withNull = new LinkedHashMap<>(snapshot.values());
    withNull.put("last_rating", null);
    StoredSnapshot sparse = new StoredSnapshot("m2", "g", 2, 1, withNull, 1, 2, 3, 4,
        Map.of("views", -1L));
    TestProbe<Lookup> probe = testKit.createTestProbe();

    for (Object message : List.of(snapshot, new Lookup.Present(sparse),
        new Lookup.Expired(snapshot), Lookup.NotFound.INSTANCE, new OnlineStore.Put(snapshot),
        new OnlineStore.Get("m1", "g", 5, probe.getRef()),
        new OnlineStore.Stats(1, 2, 3, 4, 5, 6))) {
      assertThat(serialization.verifySerialization(message, true)).isEqualTo(message);
    }
  }

  @Test
  void serialisationKeepsOrderAndValueTypes() {
    StoredSnapshot snapshot = Snapshots.engagement("m1", 42, 123_456, 5);

    StoredSnapshot back = serialization.verifySerialization(snapshot, true);

    assertThat(List.copyOf(back.values().keySet()))
        .isEqualTo(List.copyOf(snapshot.values().keySet()));
    assertThat(back.values().get("plays_1m")).isInstanceOf(Long.class);
    assertThat(back.values().get("session_seconds")).isInstanceOf(Double.class);
    Map<?, ?> genres = (Map<?, ?>) back.values().get("genre_affinity_24h");
    assertThat(List.copyOf(genres.keySet()))
        .isEqualTo(List.copyOf(((Map<?, ?>) snapshot.values().get("genre_affinity_24h")).keySet()));
    assertThat(List.copyOf(back.lastOffsets().keySet()))
        .isEqualTo(List.of("views", "engagement", "search", "ratings", "device"));
  }
}
