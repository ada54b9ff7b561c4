package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.ClassUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Parses and strictly validates event bodies. Never throws on bad bytes: every problem comes back
 * as a {@link Violation} with a {@link ReasonCode}. Unknown fields are ignored. Thread-safe.
 */
public final class EventParser {

  /** Default size limit of a body: 64 KiB. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  /** Default tolerance for event times ahead of the ingestion clock: 60 s. */
  public static final long DEFAULT_FUTURE_TOLERANCE_MS = 60_000;

  private static final int MAX_ID_CHARS = 128;
  private static final int MAX_TEXT_CHARS = 1024;
  private static final int MAX_WATCHED_SECONDS = 86_400;

  private final ObjectMapper mapper;
  private final long futureToleranceMs;
  private final int maxBytes;
  private final Set<Integer> supportedSchemaVersions;

  public EventParser(long futureToleranceMs, int maxBytes, Set<Integer> supportedSchemaVersions) {
    this.futureToleranceMs = futureToleranceMs;
    this.maxBytes = maxBytes;
    this.supportedSchemaVersions = Set.copyOf(supportedSchemaVersions);
    this.mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();
  }

  /** A parser with the limits of {@code tessera.engine}. */
  public static EventParser create(dev.tessera.engine.EngineSettings settings) {
    return new EventParser(
        settings.futureTolerance().toMillis(),
        settings.maxEventBytes(),
        settings.supportedSchemaVersions());
  }

  /** A parser with the defaults: 60 s future tolerance, 64 KiB, schema version 1. */
  public static EventParser create() {
    return new EventParser(DEFAULT_FUTURE_TOLERANCE_MS, DEFAULT_MAX_BYTES, Set.of(1));
  }

  /**
   * Parses one body.
   *
   * @param bytes the record value (may be null)
   * @param ingestionTimeMs the ingestion clock, for the {@link ReasonCode#FUTURE_EVENT} check
   */
  public ParseResult parse(byte[] bytes, long ingestionTimeMs) {
    if (bytes == null || bytes.length == 0) {
      return invalid(ReasonCode.MALFORMED_JSON, "", "empty body");
    }
    if (bytes.length > maxBytes) {
      return invalid(
          ReasonCode.TOO_LARGE, "", "body of " + bytes.length + " bytes exceeds " + maxBytes);
    }
    Fields root;
    try {
      root = read(bytes);
    } catch (
        Exception e) { // JsonProcessingException, IOException, or anything a corrupt body triggers
      return invalid(ReasonCode.MALFORMED_JSON, "", firstLine(e.getMessage()));
    }
    if (root == null) {
      return invalid(ReasonCode.MALFORMED_JSON, "", "body is not a JSON object");
    }
    try {
      return validate(root, ingestionTimeMs);
    } catch (RuntimeException e) { // defensive: validation must never throw
      return invalid(ReasonCode.MALFORMED_JSON, "", "unreadable body: " + e);
    }
  }

  /**
   * Reads the body with the streaming parser, keeping only the values of the fields an event has.
   * Accepts and rejects exactly what {@code mapper.readTree} did (duplicate names, trailing
   * tokens, numbers it could not hold), with the same messages, without building a tree.
   *
   * @return the fields, or null when the body is well-formed JSON but not an object
   */
  private Fields read(byte[] bytes) throws IOException {
    try (JsonParser json = mapper.createParser(bytes)) {
      JsonToken first = json.nextToken();
      if (first == null) {
        return null;
      }
      Fields fields = null;
      if (first == JsonToken.START_OBJECT) {
        fields = new Fields();
        String name;
        while ((name = json.nextFieldName()) != null) {
          JsonToken value = json.nextToken();
          int slot = slot(name);
          if (slot < 0) {
            skipValue(json, value);
          } else {
            fields.set(slot, json, value);
          }
        }
      } else {
        skipValue(json, first);
      }
      JsonToken trailing = json.nextToken();
      if (trailing != null) {
        throw MismatchedInputException.from(json, JsonNode.class, String.format(
            "Trailing token (of type %s) found after value (bound as %s): not allowed as per"
                + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`",
            trailing, ClassUtil.nameOf(JsonNode.class)));
      }
      return fields;
    }
  }

  /** Reads past one value, converting its numbers as a tree would (so the same ones fail). */
  private static void skipValue(JsonParser json, JsonToken token) throws IOException {
    int depth = 0;
    do {
      if (token == null) {
        throw new JsonParseException(json, "Unexpected end-of-input");
      }
      if (token.isStructStart()) {
        depth++;
      } else if (token.isStructEnd()) {
        depth--;
      } else if (token.isNumeric()) {
        convertNumber(json, token);
      }
      if (depth == 0) {
        return;
      }
      token = json.nextToken();
    } while (true);
  }

  private static void convertNumber(JsonParser json, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_NUMBER_INT) {
      if (json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        json.getBigIntegerValue();
      }
    } else {
      json.getDoubleValue();
    }
  }

  private static final int SCHEMA_VERSION = 0;
  private static final int EVENT_ID = 1;
  private static final int MEMBER_ID_FIELD = 2;
  private static final int TYPE = 3;
  private static final int EVENT_TIME = 4;
  private static final int TITLE_ID = 5;
  private static final int WATCHED_SECONDS = 6;
  private static final int RATING = 7;
  private static final int QUERY = 8;
  private static final int BANDWIDTH_KBPS = 9;
  private static final int LATENCY_MS = 10;
  private static final int RESOLUTION = 11;
  private static final String[] NAMES = {"schemaVersion", "eventId", "memberId", "type",
      "eventTime", "titleId", "watchedSeconds", "rating", "query", "bandwidthKbps", "latencyMs",
      "resolution"};

  private static int slot(String name) {
    return switch (name) {
      case "schemaVersion" -> SCHEMA_VERSION;
      case "eventId" -> EVENT_ID;
      case "memberId" -> MEMBER_ID_FIELD;
      case "type" -> TYPE;
      case "eventTime" -> EVENT_TIME;
      case "titleId" -> TITLE_ID;
      case "watchedSeconds" -> WATCHED_SECONDS;
      case "rating" -> RATING;
      case "query" -> QUERY;
      case "bandwidthKbps" -> BANDWIDTH_KBPS;
      case "latencyMs" -> LATENCY_MS;
      case "resolution" -> RESOLUTION;
      default -> -1;
    };
  }

  /** Kinds of a field's value, as far as validation tells them apart. */
  private static final byte ABSENT = 0; // missing or JSON null
  private static final byte TEXT = 1;
  private static final byte INT = 2; // an integral number that fits an int
  private static final byte LONG = 3; // an integral number that fits a long but not an int
  private static final byte BIG_INTEGER = 4; // an integral number beyond a long
  private static final byte FLOAT = 5; // a number with a fraction or exponent
  private static final byte OTHER = 6; // boolean, object or array

  /** The values of the known fields of one body. */
  private static final class Fields {
    final byte[] kinds = new byte[NAMES.length];
    final String[] texts = new String[NAMES.length];
    final long[] longs = new long[NAMES.length];
    final double[] doubles = new double[NAMES.length];

    void set(int slot, JsonParser json, JsonToken token) throws IOException {
      switch (token) {
        case VALUE_NULL -> kinds[slot] = ABSENT;
        case VALUE_STRING -> {
          kinds[slot] = TEXT;
          texts[slot] = json.getText();
        }
        case VALUE_NUMBER_INT -> {
          JsonParser.NumberType type = json.getNumberType();
          if (type == JsonParser.NumberType.BIG_INTEGER) {
            kinds[slot] = BIG_INTEGER;
            doubles[slot] = json.getBigIntegerValue().doubleValue();
          } else {
            kinds[slot] = type == JsonParser.NumberType.INT ? INT : LONG;
            longs[slot] = json.getLongValue();
            doubles[slot] = longs[slot];
          }
        }
        case VALUE_NUMBER_FLOAT -> {
          kinds[slot] = FLOAT;
          doubles[slot] = json.getDoubleValue();
        }
        default -> {
          kinds[slot] = OTHER;
          skipValue(json, token);
        }
      }
    }
  }

  private ParseResult validate(Fields root, long ingestionTimeMs) {
    List<Violation> violations = new ArrayList<>();
    int schemaVersion = 1;
    byte version = root.kinds[SCHEMA_VERSION];
    if (version != ABSENT) {
      if (version != INT) {
        violations.add(new Violation(ReasonCode.BAD_TYPE, "schemaVersion", "must be an integer"));
        return new ParseResult.Invalid(violations);
      }
      schemaVersion = (int) root.longs[SCHEMA_VERSION];
      if (!supportedSchemaVersions.contains(schemaVersion)) {
        violations.add(
            new Violation(
                ReasonCode.UNSUPPORTED_SCHEMA_VERSION,
                "schemaVersion",
                "version " + schemaVersion + " is not one of " + supportedSchemaVersions));
        return new ParseResult.Invalid(violations);
      }
    }
    String eventId = text(root, EVENT_ID, true, violations);
    if (eventId != null && (eventId.isEmpty() || eventId.length() > MAX_ID_CHARS)) {
      violations.add(
          new Violation(ReasonCode.OUT_OF_RANGE, "eventId", "must have 1-128 characters"));
    }
    String memberId = text(root, MEMBER_ID_FIELD, true, violations);
    if (memberId != null && !isMemberId(memberId)) {
      violations.add(
          new Violation(
              ReasonCode.OUT_OF_RANGE, "memberId", "must be 1-64 characters of [A-Za-z0-9_-]"));
    }
    EventType type = null;
    String typeName = text(root, TYPE, true, violations);
    if (typeName != null) {
      type = EventType.fromWire(typeName).orElse(null);
      if (type == null) {
        violations.add(
            new Violation(ReasonCode.BAD_TYPE, "type", "unknown event type '" + typeName + "'"));
      }
    }
    Long eventTime = integral(root, EVENT_TIME, true, violations);
    if (eventTime != null) {
      if (eventTime < 0) {
        violations.add(new Violation(ReasonCode.OUT_OF_RANGE, "eventTime", "must not be negative"));
      } else if (eventTime > ingestionTimeMs + futureToleranceMs) {
        violations.add(
            new Violation(
                ReasonCode.FUTURE_EVENT,
                "eventTime",
                "is " + (eventTime - ingestionTimeMs) + " ms ahead of the ingestion clock"));
      }
    }
    String titleId = null;
    int watchedSeconds = 0;
    int rating = 0;
    String query = null;
    double bandwidthKbps = 0;
    double latencyMs = 0;
    String resolution = null;
    if (type != null) {
      if (type.hasTitle()) {
        titleId = text(root, TITLE_ID, true, violations);
        if (titleId != null && (titleId.isEmpty() || titleId.length() > MAX_ID_CHARS)) {
          violations.add(
              new Violation(ReasonCode.OUT_OF_RANGE, "titleId", "must have 1-128 characters"));
        }
      }
      switch (type) {
        case STOP -> {
          Long w = integral(root, WATCHED_SECONDS, true, violations);
          if (w != null) {
            if (w < 0 || w > MAX_WATCHED_SECONDS) {
              violations.add(
                  new Violation(ReasonCode.OUT_OF_RANGE, "watchedSeconds", "must be in 0..86400"));
            } else {
              watchedSeconds = w.intValue();
            }
          }
        }
        case RATE -> {
          Long r = integral(root, RATING, true, violations);
          if (r != null) {
            if (r < 1 || r > 5) {
              violations.add(new Violation(ReasonCode.OUT_OF_RANGE, "rating", "must be in 1..5"));
            } else {
              rating = r.intValue();
            }
          }
        }
        case SEARCH -> {
          query = text(root, QUERY, true, violations);
          if (query != null && query.length() > MAX_TEXT_CHARS) {
            violations.add(
                new Violation(
                    ReasonCode.OUT_OF_RANGE, "query", "must have at most 1024 characters"));
          }
        }
        case DEVICE -> {
          Double b = number(root, BANDWIDTH_KBPS, violations);
          bandwidthKbps = b == null ? 0 : b;
          Double l = number(root, LATENCY_MS, violations);
          latencyMs = l == null ? 0 : l;
          resolution = text(root, RESOLUTION, true, violations);
          if (resolution != null && (resolution.isEmpty() || resolution.length() > MAX_ID_CHARS)) {
            violations.add(
                new Violation(ReasonCode.OUT_OF_RANGE, "resolution", "must have 1-128 characters"));
          }
        }
        default -> {}
      }
    }
    if (!violations.isEmpty()) {
      return new ParseResult.Invalid(violations);
    }
    return new ParseResult.Valid(
        new Event(
            eventId,
            memberId,
            type,
            eventTime,
            schemaVersion,
            titleId,
            watchedSeconds,
            rating,
            query,
            bandwidthKbps,
            latencyMs,
            resolution));
  }

  private static String text(Fields root, int slot, boolean required, List<Violation> out) {
    String field = NAMES[slot];
    byte kind = root.kinds[slot];
    if (kind == ABSENT) {
      if (required) {
        out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      }
      return null;
    }
    if (kind != TEXT) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be a string"));
      return null;
    }
    return root.texts[slot];
  }

  private static Long integral(Fields root, int slot, boolean required, List<Violation> out) {
    String field = NAMES[slot];
    byte kind = root.kinds[slot];
    if (kind == ABSENT) {
      if (required) {
        out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      }
      return null;
    }
    if (kind != INT && kind != LONG && kind != BIG_INTEGER) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be an integral JSON number"));
      return null;
    }
    if (kind == BIG_INTEGER) {
      out.add(new Violation(ReasonCode.OUT_OF_RANGE, field, "does not fit a 64-bit integer"));
      return null;
    }
    return root.longs[slot];
  }

  private static Double number(Fields root, int slot, List<Violation> out) {
    String field = NAMES[slot];
    byte kind = root.kinds[slot];
    if (kind == ABSENT) {
      out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      return null;
    }
    if (kind == TEXT || kind == OTHER) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be a JSON number"));
      return null;
    }
    double v = root.doubles[slot];
    if (!Double.isFinite(v) || v < 0) {
      out.add(new Violation(ReasonCode.OUT_OF_RANGE, field, "must be a finite number >= 0"));
      return null;
    }
    return v;
  }

  /** Whether {@code id} matches {@code [A-Za-z0-9_-]{1,64}}. */
  private static boolean isMemberId(String id) {
    int length = id.length();
    if (length < 1 || length > 64) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static ParseResult invalid(ReasonCode reason, String field, String message) {
    return new ParseResult.Invalid(
        List.of(new Violation(reason, field, Objects.requireNonNullElse(message, ""))));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
