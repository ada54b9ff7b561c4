package dev.tessera.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventParserTest {

  private static final long NOW = 1_767_225_600_000L;
  private final EventParser parser = EventParser.create();

  private ParseResult parse(String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
  }

  private static List<Violation> violations(ParseResult r) {
    assertThat(r).isInstanceOf(ParseResult.Invalid.class);
    return ((ParseResult.Invalid) r).violations();
  }

  private static Event valid(ParseResult r) {
    assertThat(r).as("%s", r).isInstanceOf(ParseResult.Valid.class);
    return ((ParseResult.Valid) r).event();
  }

  @Test
  void parsesEveryTypeWithItsFields() {
    Event stop =
        valid(
            parse(
                "{\"eventId\":\"e1\",\"memberId\":\"m-1_A\",\"type\":\"stop\",\"eventTime\":"
                    + NOW
                    + ",\"titleId\":\"t1\",\"watchedSeconds\":86400}"));
    assertThat(stop.type()).isEqualTo(EventType.STOP);
    assertThat(stop.watchedSeconds()).isEqualTo(86400);
    assertThat(stop.stream()).isEqualTo(EventStream.VIEWS);
    assertThat(stop.schemaVersion()).isEqualTo(1);
    Event rate =
        valid(
            parse(
                "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"rate\",\"eventTime\":1,"
                    + "\"titleId\":\"t\",\"rating\":5,\"schemaVersion\":1}"));
    assertThat(rate.rating()).isEqualTo(5);
    Event search =
        valid(
            parse(
                "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"search\",\"eventTime\":1,"
                    + "\"query\":\"space\"}"));
    assertThat(search.query()).isEqualTo("space");
    Event device =
        valid(
            parse(
                "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"device\",\"eventTime\":1,"
                    + "\"bandwidthKbps\":5000.5,\"latencyMs\":20,\"resolution\":\"4k\"}"));
    assertThat(device.bandwidthKbps()).isEqualTo(5000.5);
    assertThat(device.stream()).isEqualTo(EventStream.DEVICE);
    assertThat(
            valid(
                parse("{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":1}"))
                .stream())
        .isEqualTo(EventStream.ENGAGEMENT);
  }

  @Test
  void mapsEveryTypeToItsStream() {
    assertThat(EventType.PLAY.stream()).isEqualTo(EventStream.VIEWS);
    assertThat(EventType.PAUSE.stream()).isEqualTo(EventStream.VIEWS);
    assertThat(EventType.CLICK.stream()).isEqualTo(EventStream.ENGAGEMENT);
    assertThat(EventType.IMPRESSION.stream()).isEqualTo(EventStream.ENGAGEMENT);
    assertThat(EventType.SEARCH.stream()).isEqualTo(EventStream.SEARCH);
    assertThat(EventType.RATE.stream()).isEqualTo(EventStream.RATINGS);
    assertThat(EventType.DEVICE.stream()).isEqualTo(EventStream.DEVICE);
  }

  @Test
  void ignoresUnknownFields() {
    valid(
        parse(
            "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"play\",\"eventTime\":1,\"titleId\":\"t\","
                + "\"extra\":{\"nested\":[1,2]}}"));
  }

  @Test
  void reportsEveryMissingField() {
    List<Violation> v = violations(parse("{\"type\":\"stop\"}"));
    assertThat(v).extracting(Violation::reason).containsOnly(ReasonCode.MISSING_FIELD);
    assertThat(v)
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("eventId", "memberId", "eventTime", "titleId", "watchedSeconds");
    assertThat(violations(parse("{\"eventId\":\"e\",\"memberId\":\"m\",\"eventTime\":1}")))
        .containsExactly(new Violation(ReasonCode.MISSING_FIELD, "type", "is required"));
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"device\",\"eventTime\":1}")))
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("bandwidthKbps", "latencyMs", "resolution");
    assertThat(
            violations(
                parse("{\"eventId\":null,\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":1}")))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.MISSING_FIELD);
  }

  @Test
  void rejectsWrongTypesExactly() {
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"stop\",\"eventTime\":\"1\","
                        + "\"titleId\":\"t\",\"watchedSeconds\":1.5}")))
        .extracting(Violation::reason, Violation::field)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(ReasonCode.BAD_TYPE, "eventTime"),
            org.assertj.core.groups.Tuple.tuple(ReasonCode.BAD_TYPE, "watchedSeconds"));
    assertThat(
            violations(
                parse("{\"eventId\":1,\"memberId\":\"m\",\"type\":\"PLAY\",\"eventTime\":1.0}")))
        .extracting(Violation::reason)
        .containsOnly(ReasonCode.BAD_TYPE)
        .hasSize(3);
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"rate\",\"eventTime\":1,"
                        + "\"titleId\":\"t\",\"rating\":\"5\"}")))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.BAD_TYPE);
  }

  @Test
  void rejectsValuesOutOfRange() {
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"\",\"memberId\":\"bad id!\",\"type\":\"stop\",\"eventTime\":-1,"
                        + "\"titleId\":\"t\",\"watchedSeconds\":86401}")))
        .extracting(Violation::reason)
        .containsOnly(ReasonCode.OUT_OF_RANGE)
        .hasSize(4);
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\""
                        + "m".repeat(65)
                        + "\",\"type\":\"rate\","
                        + "\"eventTime\":1,\"titleId\":\"t\",\"rating\":0}")))
        .extracting(Violation::reason)
        .containsOnly(ReasonCode.OUT_OF_RANGE)
        .hasSize(2);
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\""
                        + "e".repeat(129)
                        + "\",\"memberId\":\"m\",\"type\":\"scroll\","
                        + "\"eventTime\":1}")))
        .extracting(Violation::field)
        .containsExactly("eventId");
  }

  @Test
  void rejectsEventsMoreThanSixtySecondsAhead() {
    String at = "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":";
    valid(parse(at + (NOW + 60_000) + "}"));
    assertThat(violations(parse(at + (NOW + 60_001) + "}")))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.FUTURE_EVENT);
  }

  @Test
  void rejectsMalformedJsonAndTrailingData() {
    for (String s :
        List.of(
            "{",
            "[1,2]",
            "\"x\"",
            "null",
            "{\"eventId\":\"e\"} {}",
            "{\"a\":1}x",
            "{'a':1}",
            "{\"a\":1,\"a\":2}",
            "")) {
      assertThat(violations(parse(s)))
          .as(s)
          .extracting(Violation::reason)
          .containsExactly(ReasonCode.MALFORMED_JSON);
    }
    assertThat(violations(parser.parse(null, NOW)))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.MALFORMED_JSON);
    assertThat(
            violations(
                parser.parse(
                    new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, NOW)))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.MALFORMED_JSON);
  }

  @Test
  void rejectsBodiesAbove64KiB() {
    String pad = "x".repeat(64 * 1024);
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":1,"
                        + "\"pad\":\""
                        + pad
                        + "\"}")))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.TOO_LARGE);
  }

  @Test
  void rejectsUnsupportedSchemaVersion() {
    assertThat(
            violations(
                parse(
                    "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":1,"
                        + "\"schemaVersion\":2}")))
        .extracting(Violation::reason)
        .containsExactly(ReasonCode.UNSUPPORTED_SCHEMA_VERSION);
    EventParser v2 = new EventParser(60_000, 65536, Set.of(1, 2));
    assertThat(
            v2.parse(
                ("{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"scroll\",\"eventTime\":1,"
                        + "\"schemaVersion\":2}")
                    .getBytes(StandardCharsets.UTF_8),
                NOW))
        .isInstanceOf(ParseResult.Valid.class);
  }

  @Test
  void neverThrowsOnRandomBytes() {
    Random random = new Random(42);
    String good =
        "{\"eventId\":\"e\",\"memberId\":\"m\",\"type\":\"stop\",\"eventTime\":1,\"titleId\":\"t\","
            + "\"watchedSeconds\":10}";
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
      } else {
        bytes = good.getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      assertThat(parser.parse(bytes, NOW)).isNotNull();
    }
  }

  @Test
  void enrichesWithCatalogueAndFlagsUnknownTitles() {
    TitleCatalogue catalogue =
        TitleCatalogue.of(
            java.util.Map.of("t1", new TitleMetadata("t1", List.of("drama", "comedy"), 5400)));
    EnrichedEvent known =
        EnrichedEvent.enrich(Event.ofTitle("e", "m", EventType.PLAY, 1, "t1"), catalogue);
    assertThat(known.genres()).containsExactly("drama", "comedy");
    assertThat(known.unknownTitle()).isFalse();
    EnrichedEvent unknown =
        EnrichedEvent.enrich(Event.ofTitle("e", "m", EventType.PLAY, 1, "t9"), catalogue);
    assertThat(unknown.genres()).isEmpty();
    assertThat(unknown.unknownTitle()).isTrue();
    EnrichedEvent search = EnrichedEvent.enrich(Event.search("e", "m", 1, "q"), catalogue);
    assertThat(search.unknownTitle()).isFalse();
  }
}
