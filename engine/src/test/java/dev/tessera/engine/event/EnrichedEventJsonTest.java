package dev.tessera.engine.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnrichedEventJsonTest {

  private static void roundTrips(EnrichedEvent enriched, String country, String plan) {
    byte[] bytes = EnrichedEventJson.encode(enriched, 1_700_000_000_123L, country, plan);
    EnrichedEventJson.Decoded decoded = EnrichedEventJson.decode(bytes);
    assertThat(decoded.event()).isEqualTo(enriched);
    assertThat(decoded.ingestedAt()).isEqualTo(1_700_000_000_123L);
    assertThat(decoded.country()).isEqualTo(country);
    assertThat(decoded.plan()).isEqualTo(plan);
  }

  @Test
  void everyEventTypeRoundTrips() {
    long t = 1_700_000_000_000L;
    roundTrips(EnrichedEvent.of(Event.ofTitle("e1", "m1", EventType.PLAY, t, "t1"), "drama", "comedy"), "NL", "basic");
    roundTrips(EnrichedEvent.of(Event.stop("e2", "m1", t, "t1", 3600), "drama"), null, null);
    roundTrips(EnrichedEvent.of(Event.rate("e3", "m1", t, "t2", 4)), "US", "premium");
    roundTrips(EnrichedEvent.of(Event.search("e4", "m1", t, "space \"docs\"")), null, null);
    roundTrips(EnrichedEvent.of(Event.scroll("e5", "m1", t)), null, null);
    roundTrips(EnrichedEvent.of(Event.device("e6", "m1", t, 5400.5, 32.25, "1080p")), null, null);
    roundTrips(new EnrichedEvent(Event.ofTitle("e7", "m1", EventType.CLICK, t, "t404"), List.of(), true), null, null);
  }

  @Test
  void theWireFormatIsReadableJsonWithTheRawFieldNames() {
    byte[] bytes = EnrichedEventJson.encode(
        EnrichedEvent.of(Event.stop("e2", "m-1", 42, "t1", 60), "drama"), 99, "NL", "basic");
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(
        "{\"eventId\":\"e2\",\"memberId\":\"m-1\",\"type\":\"stop\",\"eventTime\":42,\"schemaVersion\":1,"
            + "\"titleId\":\"t1\",\"watchedSeconds\":60,\"genres\":[\"drama\"],\"unknownTitle\":false,"
            + "\"ingestedAt\":99,\"country\":\"NL\",\"plan\":\"basic\"}");
  }

  @Test
  void garbageIsRejectedWithAnIllegalArgument() {
    assertThatThrownBy(() -> EnrichedEventJson.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnrichedEventJson.decode("{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnrichedEventJson.decode(new byte[] {(byte) 0xff, 0x00}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writesTheSameBytesAsTheJacksonGeneratorItReplaced() {
    Random random = new Random(7);
    String[] texts = {"e-1", "m_2", "", "space \"docs\"", "back\\slash", "tab\there", "nl\ncr\r",
        "\u0000\u0001\u001f\u007f", "caf\u00e9", "\ud83c\udfac", "\b\f/", "drama"};
    double[] doubles = {0, 5400.5, 32.25, 1e-7, 1e21, 123456789.125, Double.NaN,
        Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE};
    for (int i = 0; i < 50_000; i++) {
      EventType type = EventType.values()[random.nextInt(EventType.values().length)];
      Event event = new Event(pick(texts, random), pick(texts, random), type,
          random.nextLong(), random.nextInt(3), type.hasTitle() ? pick(texts, random) : null,
          random.nextInt(), random.nextInt(6), type == EventType.SEARCH ? pick(texts, random) : null,
          doubles[random.nextInt(doubles.length)], random.nextDouble() * 1000,
          random.nextBoolean() ? pick(texts, random) : null);
      List<String> genres = random.nextBoolean() ? List.of()
          : List.of(pick(texts, random), pick(texts, random));
      EnrichedEvent enriched = new EnrichedEvent(event, genres, random.nextBoolean());
      long ingestedAt = random.nextLong();
      String country = random.nextBoolean() ? null : pick(texts, random);
      String plan = random.nextBoolean() ? null : pick(texts, random);
      assertThat(EnrichedEventJson.encode(enriched, ingestedAt, country, plan))
          .as("%s", enriched)
          .isEqualTo(JacksonEnrichedEventJson.encode(enriched, ingestedAt, country, plan));
    }
  }

  private static String pick(String[] texts, Random random) {
    return texts[random.nextInt(texts.length)];
  }
}
