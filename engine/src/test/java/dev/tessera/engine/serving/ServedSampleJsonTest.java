package dev.tessera.engine.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServedSampleJsonTest {

  @Test
  void aServedSnapshotRoundTripsExactly() {
    FeatureGroup group = FeatureRegistry.fromConfig(ConfigFactory.load()).get("member_engagement", 1);
    MemberFeatureState state = MemberFeatureState.create(group, "m-1");
    long t0 = 1_764_000_000_000L;
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      long t = t0 + i * 37_000L;
      state.apply(EnrichedEvent.of(Event.ofTitle("p" + i, "m-1", EventType.PLAY, t, "t-" + i % 7),
          "drama"), i);
      state.apply(EnrichedEvent.of(Event.stop("s" + i, "m-1", t + 1, "t-" + i % 7,
          random.nextInt(4000)), i % 2 == 0 ? "drama" : "comedy", "kids"), 1000 + i);
      state.apply(EnrichedEvent.of(Event.ofTitle("c" + i, "m-1",
          i % 3 == 0 ? EventType.CLICK : EventType.IMPRESSION, t + 2, "t-1")), i);
    }
    FeatureSnapshot snapshot = state.snapshot(t0 + 200 * 37_000L, t0);
    ServedSample sample = ServedSample.of(snapshot, t0 + 5, state::lastOffset);

    ServedSample back = ServedSampleJson.read(ServedSampleJson.write(sample));

    assertThat(back).isEqualTo(sample);
    snapshot.values().forEach((k, v) -> {
      assertThat(back.values().get(k)).isEqualTo(v);
      assertThat(back.values().get(k).getClass()).isEqualTo(v.getClass());
    });
    assertThat(back.offsets()).containsEntry("views", 1199L).containsEntry("search", -1L);
  }

  @Test
  void valuesOfEveryKindReadBackAsTheSameTypeAndBits() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("count", 3L);
    values.put("zero", 0.0);
    values.put("whole", 3.0);
    values.put("tiny", 1.0E-300);
    values.put("third", 1.0 / 3);
    values.put("nan", Double.NaN);
    values.put("inf", Double.NEGATIVE_INFINITY);
    values.put("none", null);
    values.put("map", new TreeMap<>(Map.of("a", 0.1, "b", 2.0)));
    values.put("empty", new TreeMap<String, Double>());
    ServedSample s = new ServedSample("m-2", "g", 2, 10, 11, Map.of("views", 4L), values);

    ServedSample back = ServedSampleJson.read(ServedSampleJson.write(s));

    assertThat(back.values().get("count")).isEqualTo(3L);
    assertThat(back.values().get("whole")).isEqualTo(3.0);
    assertThat(back.values().get("third")).isEqualTo(1.0 / 3);
    assertThat((Double) back.values().get("nan")).isNaN();
    assertThat(back.values().get("inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(back.values()).containsEntry("none", null);
    assertThat(back.values().get("map")).isEqualTo(Map.of("a", 0.1, "b", 2.0));
    assertThat(back.values().get("empty")).isEqualTo(Map.of());
    assertThat(back.groupVersion()).isEqualTo(2);
  }

  @Test
  void readsTheDocumentedFormat() {
    String json = "{\"memberId\":\"m-1\",\"group\":\"member_engagement\",\"groupVersion\":1,"
        + "\"asOf\":1764000000000,\"servedAt\":1764000000123,\"offsets\":{\"views\":41,"
        + "\"engagement\":17,\"search\":-1,\"ratings\":-1,\"device\":3},\"values\":{\"plays_1h\":3,"
        + "\"ctr_1h\":0.25,\"genre_affinity_24h\":{\"drama\":1}}}";
    ServedSample s = ServedSampleJson.read(json.getBytes(StandardCharsets.UTF_8));
    assertThat(s.asOf()).isEqualTo(1764000000000L);
    assertThat(s.offset(dev.tessera.engine.event.EventStream.ENGAGEMENT)).isEqualTo(17L);
    assertThat(s.values()).containsEntry("plays_1h", 3L).containsEntry("ctr_1h", 0.25)
        .containsEntry("genre_affinity_24h", Map.of("drama", 1.0));
    assertThatThrownBy(() -> ServedSampleJson.read("[1]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void samplingIsDeterministicAndNearTheRate() {
    int in = 0;
    for (int i = 0; i < 100_000; i++) {
      boolean a = ServedSample.sampled("m-" + i, 1_764_000_000_000L + i, 0.1);
      assertThat(ServedSample.sampled("m-" + i, 1_764_000_000_000L + i, 0.1)).isEqualTo(a);
      in += a ? 1 : 0;
    }
    assertThat(in).isBetween(9_500, 10_500);
  }
}
