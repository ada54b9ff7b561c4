package dev.tessera.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming {@link EventParser} decides every body exactly as the tree-based parser it
 * replaced ({@link TreeEventParser}): same event, or the same violations with the same messages.
 */
class EventParserEquivalenceTest {
  private static final long NOW = 1_767_225_600_000L;
  private final EventParser streaming = new EventParser(60_000, 4096, Set.of(1, 2));
  private final TreeEventParser tree = new TreeEventParser(60_000, 4096, Set.of(1, 2));

  private ParseResult assertSame(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ParseResult result = streaming.parse(bytes, NOW);
    assertThat(result).as(body).isEqualTo(tree.parse(bytes, NOW));
    return result;
  }

  @Test
  void decidesHandPickedEdgeCasesAsTheTreeParser() {
    String digits = "9".repeat(1200);
    List<String> bodies = List.of("", " ", "null", "1", "\"x\"", "[]", "[1,2", "[1] 2", "{}",
        "{} {}", "{}x", "{\"a\":1}]", "{\"a\":", "{\"a\":1,\"a\":2}", "{\"eventId\":1,\"eventId\":2}",
        "{\"a\":{\"b\":[1,{\"c\":2}]}}", "{\"a\":" + digits + "}", "{\"a\":1." + digits + "}",
        "{\"a\":[" + digits + "]}", "{\"eventTime\":" + digits + "}", "[" + digits + "]",
        "{\"schemaVersion\":2147483648}", "{\"schemaVersion\":1.0}", "{\"schemaVersion\":null}",
        "{\"schemaVersion\":\"1\"}", "{\"schemaVersion\":3}", "{\"eventTime\":9223372036854775808}",
        "{\"eventTime\":-9223372036854775808}", "{\"eventTime\":1e3}", "/* c */ {}",
        "{\"memberId\":\"m-\u00e9\"}", "{\"memberId\":\"" + "m".repeat(65) + "\"}",
        "{\"type\":\"device\",\"bandwidthKbps\":1e400,\"latencyMs\":-0.0}",
        "{\"type\":\"device\",\"bandwidthKbps\":" + digits + ",\"latencyMs\":true}",
        "{\"type\":\"device\",\"bandwidthKbps\":NaN}", "{'a':1}", "{\"a\":01}", "{\"a\":\"\\u00\"}",
        "\uFEFF{}", "{\"a\":1}\n", "x".repeat(5000));
    bodies.forEach(this::assertSame);
  }

  @Test
  void decidesRandomBodiesAsTheTreeParser() {
    Random random = new Random(20261127);
    Set<String> outcomes = new java.util.HashSet<>();
    for (int i = 0; i < 200_000; i++) {
      ParseResult result = assertSame(body(random));
      outcomes.add(result instanceof ParseResult.Invalid invalid
          ? invalid.violations().get(0).reason().name() : "VALID");
    }
    // Every outcome is exercised, not only the common ones.
    assertThat(outcomes).contains("VALID", "MALFORMED_JSON", "MISSING_FIELD", "BAD_TYPE",
        "OUT_OF_RANGE", "FUTURE_EVENT", "UNSUPPORTED_SCHEMA_VERSION");
  }

  private static final String[] TYPES = {"play", "pause", "stop", "click", "impression", "scroll",
      "search", "rate", "device", "PLAY", "other"};
  private static final String[] FIELDS = {"schemaVersion", "eventId", "memberId", "type",
      "eventTime", "titleId", "watchedSeconds", "rating", "query", "bandwidthKbps", "latencyMs",
      "resolution", "extra", "nested"};

  private static String body(Random random) {
    List<String> members = new ArrayList<>();
    for (String field : FIELDS) {
      if (random.nextInt(10) < 8 || field.equals("type")) {
        members.add("\"" + field + "\":" + value(field, random));
      }
    }
    if (random.nextInt(20) == 0) {
      members.add(members.get(random.nextInt(members.size())));
    }
    java.util.Collections.shuffle(members, random);
    String body = "{" + String.join(",", members) + "}";
    return switch (random.nextInt(25)) {
      case 0 -> body.substring(0, random.nextInt(body.length()));
      case 1 -> body + (random.nextBoolean() ? " {}" : " x");
      case 2 -> {
        char[] chars = body.toCharArray();
        chars[random.nextInt(chars.length)] = "{}[]\":,1a \\".charAt(random.nextInt(11));
        yield new String(chars);
      }
      case 3 -> "[" + body + "]";
      default -> body;
    };
  }

  private static String value(String field, Random random) {
    int odd = random.nextInt(30);
    if (odd == 0) {
      return "null";
    }
    if (odd == 1) {
      return random.nextBoolean() ? "true" : "{\"x\":[1,2.5,{\"y\":null}]}";
    }
    if (odd == 2) {
      return switch (random.nextInt(5)) {
        case 0 -> "1.5";
        case 1 -> "-3";
        case 2 -> "12345678901234567890123";
        case 3 -> "\"7\"";
        default -> "2147483648";
      };
    }
    return switch (field) {
      case "schemaVersion" -> Integer.toString(random.nextInt(3));
      case "eventId" -> random.nextInt(50) == 0 ? "\"\"" : "\"e-" + random.nextInt(1000) + "\"";
      case "memberId" -> random.nextInt(50) == 0 ? "\"bad id\"" : "\"m-" + random.nextInt(99) + "\"";
      case "type" -> "\"" + TYPES[random.nextInt(TYPES.length)] + "\"";
      case "eventTime" -> Long.toString(NOW + random.nextInt(240_000) - 120_000);
      case "watchedSeconds" -> Integer.toString(random.nextInt(90_000) - 100);
      case "rating" -> Integer.toString(random.nextInt(7));
      case "bandwidthKbps", "latencyMs" -> random.nextBoolean()
          ? Double.toString(random.nextDouble() * 10_000 - 100)
          : Integer.toString(random.nextInt(10_000));
      case "nested" -> "{\"a\":[1,{\"b\":\"c\"}],\"d\":-0.5e-3}";
      default -> "\"" + "q".repeat(random.nextInt(20)) + "\\u00e9\\n\"";
    };
  }
}
