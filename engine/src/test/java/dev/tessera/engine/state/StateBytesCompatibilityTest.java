package dev.tessera.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.testkit.Groups;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * States persisted by an earlier kernel stay readable: Cassandra holds them and batch replays them.
 * The resource is {@code toBytes()} of the kernel at commit a8b9fac (format 1, raw events as
 * columns with every category list, ids not yet swept) after {@link #events} with seed 42.
 */
class StateBytesCompatibilityTest {
  private static final long T0 = 1_767_225_600_000L;
  private final FeatureGroup group = Groups.memberEngagement();

  @Test
  void readsFormatOneBytesOfTheFormerLayoutAsTheSameState() throws IOException {
    Random random = new Random(42);
    MemberFeatureState fresh = MemberFeatureState.create(group, "m1");
    events(350, T0, random).forEach(fresh::apply);
    MemberFeatureState restored = MemberFeatureState.fromBytes(group, formerBytes());

    assertSameVectors(fresh, restored);
    // both go on alike: same outcomes (duplicates of old ids included) and vectors
    List<EnrichedEvent> more = events(200, fresh.watermark(), random);
    for (EnrichedEvent e : more) {
      assertThat(restored.apply(e)).as("%s", e).isEqualTo(fresh.apply(e));
    }
    assertSameVectors(fresh, restored);
    assertThat(MemberFeatureState.fromBytes(group, restored.toBytes()).toBytes())
        .isEqualTo(restored.toBytes());
  }

  private static void assertSameVectors(MemberFeatureState a, MemberFeatureState b) {
    assertThat(b.exactFrom()).isEqualTo(a.exactFrom());
    for (long after : new long[] {0, 1_000, 60_000, 3_600_000, 30 * 3_600_000L}) {
      long t = a.watermark() + after;
      assertThat(SnapshotDifference.of(a.snapshot(t, 0), b.snapshot(t, 0)))
          .as("at +%d", after)
          .isNull();
    }
  }

  private static byte[] formerBytes() throws IOException {
    try (InputStream in =
        StateBytesCompatibilityTest.class.getResourceAsStream(
            "member-engagement-format-1-a8b9fac.hex")) {
      return HexFormat.of()
          .parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
  }

  /** Plays, clicks, impressions, searches and stops with genres; some out of order or repeated. */
  private static List<EnrichedEvent> events(int count, long start, Random random) {
    String[] genres = {"drama", "comedy", "action"};
    List<EnrichedEvent> out = new ArrayList<>();
    long time = start;
    for (int i = 0; i < count; i++) {
      time += random.nextInt(600_000);
      long t = random.nextInt(10) == 0 ? time - random.nextInt(200_000) : time;
      String id =
          random.nextInt(15) == 0 && i > 0 ? "e" + random.nextInt(i) : "e" + start + "-" + i;
      String title = "t" + random.nextInt(10);
      String[] g = {genres[title.hashCode() % 3], genres[(title.hashCode() + 1) % 3]};
      int r = random.nextInt(6);
      Event e =
          r == 0
              ? Event.stop(id, "m1", t, title, random.nextInt(3600))
              : r == 1
                  ? Event.search(id, "m1", t, "q" + random.nextInt(4))
                  : Event.ofTitle(
                      id,
                      "m1",
                      r == 2 ? EventType.CLICK : r == 3 ? EventType.IMPRESSION : EventType.PLAY,
                      t,
                      title);
      out.add(EnrichedEvent.of(e, r == 1 ? new String[0] : g));
    }
    return out;
  }
}
