package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tree-based parser EventParser replaced, kept as the reference its streaming reader must agree
 * with (EventParserEquivalenceTest): parses and strictly validates event bodies. Never throws on bad bytes: every problem comes back
 * as a {@link Violation} with a {@link ReasonCode}. Unknown fields are ignored. Thread-safe.
 */
final class TreeEventParser {

  /** Default size limit of a body: 64 KiB. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  /** Default tolerance for event times ahead of the ingestion clock: 60 s. */
  public static final long DEFAULT_FUTURE_TOLERANCE_MS = 60_000;

  private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_ID_CHARS = 128;
  private static final int MAX_TEXT_CHARS = 1024;
  private static final int MAX_WATCHED_SECONDS = 86_400;

  private final ObjectMapper mapper;
  private final long futureToleranceMs;
  private final int maxBytes;
  private final Set<Integer> supportedSchemaVersions;

  TreeEventParser(long futureToleranceMs, int maxBytes, Set<Integer> supportedSchemaVersions) {
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
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (
        Exception e) { // JsonProcessingException, IOException, or anything a corrupt body triggers
      return invalid(ReasonCode.MALFORMED_JSON, "", firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      return invalid(ReasonCode.MALFORMED_JSON, "", "body is not a JSON object");
    }
    try {
      return validate(root, ingestionTimeMs);
    } catch (RuntimeException e) { // defensive: validation must never throw
      return invalid(ReasonCode.MALFORMED_JSON, "", "unreadable body: " + e);
    }
  }

  private ParseResult validate(JsonNode root, long ingestionTimeMs) {
    List<Violation> violations = new ArrayList<>();
    int schemaVersion = 1;
    JsonNode version = root.get("schemaVersion");
    if (version != null && !version.isNull()) {
      if (!version.isIntegralNumber() || !version.canConvertToInt()) {
        violations.add(new Violation(ReasonCode.BAD_TYPE, "schemaVersion", "must be an integer"));
        return new ParseResult.Invalid(violations);
      }
      schemaVersion = version.intValue();
      if (!supportedSchemaVersions.contains(schemaVersion)) {
        violations.add(
            new Violation(
                ReasonCode.UNSUPPORTED_SCHEMA_VERSION,
                "schemaVersion",
                "version " + schemaVersion + " is not one of " + supportedSchemaVersions));
        return new ParseResult.Invalid(violations);
      }
    }
    String eventId = text(root, "eventId", true, violations);
    if (eventId != null && (eventId.isEmpty() || eventId.length() > MAX_ID_CHARS)) {
      violations.add(
          new Violation(ReasonCode.OUT_OF_RANGE, "eventId", "must have 1-128 characters"));
    }
    String memberId = text(root, "memberId", true, violations);
    if (memberId != null && !MEMBER_ID.matcher(memberId).matches()) {
      violations.add(
          new Violation(
              ReasonCode.OUT_OF_RANGE, "memberId", "must be 1-64 characters of [A-Za-z0-9_-]"));
    }
    EventType type = null;
    String typeName = text(root, "type", true, violations);
    if (typeName != null) {
      type = EventType.fromWire(typeName).orElse(null);
      if (type == null) {
        violations.add(
            new Violation(ReasonCode.BAD_TYPE, "type", "unknown event type '" + typeName + "'"));
      }
    }
    Long eventTime = integral(root, "eventTime", true, violations);
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
        titleId = text(root, "titleId", true, violations);
        if (titleId != null && (titleId.isEmpty() || titleId.length() > MAX_ID_CHARS)) {
          violations.add(
              new Violation(ReasonCode.OUT_OF_RANGE, "titleId", "must have 1-128 characters"));
        }
      }
      switch (type) {
        case STOP -> {
          Long w = integral(root, "watchedSeconds", true, violations);
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
          Long r = integral(root, "rating", true, violations);
          if (r != null) {
            if (r < 1 || r > 5) {
              violations.add(new Violation(ReasonCode.OUT_OF_RANGE, "rating", "must be in 1..5"));
            } else {
              rating = r.intValue();
            }
          }
        }
        case SEARCH -> {
          query = text(root, "query", true, violations);
          if (query != null && query.length() > MAX_TEXT_CHARS) {
            violations.add(
                new Violation(
                    ReasonCode.OUT_OF_RANGE, "query", "must have at most 1024 characters"));
          }
        }
        case DEVICE -> {
          Double b = number(root, "bandwidthKbps", violations);
          bandwidthKbps = b == null ? 0 : b;
          Double l = number(root, "latencyMs", violations);
          latencyMs = l == null ? 0 : l;
          resolution = text(root, "resolution", true, violations);
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

  private static String text(JsonNode root, String field, boolean required, List<Violation> out) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      }
      return null;
    }
    if (!node.isTextual()) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be a string"));
      return null;
    }
    return node.textValue();
  }

  private static Long integral(JsonNode root, String field, boolean required, List<Violation> out) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      }
      return null;
    }
    if (!node.isIntegralNumber()) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be an integral JSON number"));
      return null;
    }
    if (!node.canConvertToLong()) {
      out.add(new Violation(ReasonCode.OUT_OF_RANGE, field, "does not fit a 64-bit integer"));
      return null;
    }
    return node.longValue();
  }

  private static Double number(JsonNode root, String field, List<Violation> out) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      out.add(new Violation(ReasonCode.MISSING_FIELD, field, "is required"));
      return null;
    }
    if (!node.isNumber()) {
      out.add(new Violation(ReasonCode.BAD_TYPE, field, "must be a JSON number"));
      return null;
    }
    double v = node.doubleValue();
    if (!Double.isFinite(v) || v < 0) {
      out.add(new Violation(ReasonCode.OUT_OF_RANGE, field, "must be a finite number >= 0"));
      return null;
    }
    return v;
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
