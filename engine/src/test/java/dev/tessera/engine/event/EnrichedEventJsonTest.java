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

  @Test
  void theDirectReaderReadsWhatTheWriterWritesInTheCommonCase() {
    long t = 1_700_000_000_000L;
    EnrichedEvent[] common = {
        EnrichedEvent.of(Event.ofTitle("e1", "m1", EventType.PLAY, t, "t1"), "drama", "comedy"),
        EnrichedEvent.of(Event.stop("e2", "m1", -t, "t1", 3600), "drama"),
        EnrichedEvent.of(Event.rate("e3", "m1", 0, "t2", 4)),
        EnrichedEvent.of(Event.search("e4", "m1", t, "space docs")),
        EnrichedEvent.of(Event.device("e6", "m1", t, 5400.5, 1e-7, "1080p")),
        new EnrichedEvent(Event.ofTitle("e7", "m1", EventType.CLICK, t, "t404"), List.of(), true)};
    for (EnrichedEvent event : common) {
      byte[] bytes = EnrichedEventJson.encode(event, t + 5, "NL", "basic");
      EnrichedEventJson.Decoded direct = EnrichedEventJson.decodeDirect(bytes);
      assertThat(direct).as("%s", event).isNotNull();
      assertThat(direct).isEqualTo(EnrichedEventJson.decodeWithParser(bytes));
    }
    // Genre lists and titles are shared between records, not decoded again.
    byte[] bytes = EnrichedEventJson.encode(common[0], t, null, null);
    assertThat(EnrichedEventJson.decode(bytes).event().genres())
        .isSameAs(EnrichedEventJson.decode(bytes.clone()).event().genres());
    assertThat(EnrichedEventJson.decode(bytes).event().event().titleId())
        .isSameAs(EnrichedEventJson.decode(bytes.clone()).event().event().titleId());
  }

  /**
   * The direct reader and the parser agree on every input: encoded records of odd strings and
   * numbers, and those records damaged at random (bytes deleted, inserted, replaced, cut off,
   * appended, fields repeated). Agreeing means the same decoded record, or both rejecting.
   */
  @Test
  void decodingAgreesWithTheParserOnAnyBytes() {
    Random random = new Random(11);
    String[] texts = {"e-1", "m_2", "", "space \"docs\"", "back\\slash", "tab\there", "caf\u00e9",
        "\u007f", "drama", "[]", "[\"a\"]", "play", "1", "true"};
    double[] doubles = {0, 5400.5, 32.25, 1e-7, 1e21, 123456789.125, Double.NaN, -0.0,
        Double.MIN_VALUE, Double.MAX_VALUE};
    byte[] interesting = " \"\\,:{}[]0123456789-+.eEtruefalsn".getBytes(StandardCharsets.US_ASCII);
    int directlyRead = 0;
    for (int i = 0; i < 100_000; i++) {
      EventType type = EventType.values()[random.nextInt(EventType.values().length)];
      Event event = new Event(mostlyPlain(texts, random), mostlyPlain(texts, random), type,
          random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(1000) - 10,
          random.nextInt(3), type.hasTitle() ? mostlyPlain(texts, random) : null,
          random.nextInt(), random.nextInt(6), type == EventType.SEARCH ? mostlyPlain(texts, random) : null,
          doubles[random.nextInt(doubles.length)], random.nextDouble() * 1000,
          random.nextBoolean() ? mostlyPlain(texts, random) : null);
      List<String> genres = random.nextBoolean() ? List.of()
          : List.of(mostlyPlain(texts, random), mostlyPlain(texts, random));
      byte[] bytes = EnrichedEventJson.encode(new EnrichedEvent(event, genres, random.nextBoolean()),
          random.nextLong(), random.nextBoolean() ? null : mostlyPlain(texts, random),
          random.nextBoolean() ? null : mostlyPlain(texts, random));
      if (i % 4 != 0) {
        bytes = damage(bytes, random, interesting);
      }
      if (EnrichedEventJson.decodeDirect(bytes) != null) {
        directlyRead++;
      }
      assertThat(outcome(bytes, EnrichedEventJson::decode))
          .as("%s", new String(bytes, StandardCharsets.ISO_8859_1))
          .isEqualTo(outcome(bytes, EnrichedEventJson::decodeWithParser));
    }
    assertThat(directlyRead).as("records the direct reader took").isGreaterThan(10_000);
  }

  private static Object outcome(byte[] bytes,
      java.util.function.Function<byte[], EnrichedEventJson.Decoded> decoder) {
    try {
      return decoder.apply(bytes);
    } catch (IllegalArgumentException e) {
      return IllegalArgumentException.class;
    }
  }

  private static byte[] damage(byte[] bytes, Random random, byte[] interesting) {
    int at = random.nextInt(bytes.length);
    byte some = random.nextInt(8) == 0 ? (byte) (random.nextInt(256) - 128)
        : interesting[random.nextInt(interesting.length)];
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    return switch (random.nextInt(7)) {
      case 0 -> concat(java.util.Arrays.copyOf(bytes, at),
          java.util.Arrays.copyOfRange(bytes, at + 1, bytes.length));
      case 1 -> concat(java.util.Arrays.copyOf(bytes, at),
          concat(new byte[] {some}, java.util.Arrays.copyOfRange(bytes, at, bytes.length)));
      case 2 -> {
        byte[] copy = bytes.clone();
        copy[at] = some;
        yield copy;
      }
      case 3 -> java.util.Arrays.copyOf(bytes, at);
      case 4 -> concat(bytes, new byte[] {some});
      case 5 -> text.replaceFirst(",\"", ",\"memberId\":\"again\",\"")
          .getBytes(StandardCharsets.ISO_8859_1);
      default -> text.replaceFirst(":(-?[0-9])", ":$1.0").getBytes(StandardCharsets.ISO_8859_1);
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** Mostly the first texts (plain), sometimes any (escapes, non-ASCII, control characters). */
  private static String mostlyPlain(String[] texts, Random random) {
    return random.nextInt(5) == 0 ? pick(texts, random) : texts[random.nextInt(2)];
  }

  private static String pick(String[] texts, Random random) {
    return texts[random.nextInt(texts.length)];
  }
}
