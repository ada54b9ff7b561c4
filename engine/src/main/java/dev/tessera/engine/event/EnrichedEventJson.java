package dev.tessera.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire format of the domain topics: one enriched event as a JSON object, written by ingestion
 * and read by the member actors and the batch archive. Same field names as the raw event (only the
 * fields its type carries), plus {@code genres}, {@code unknownTitle}, {@code ingestedAt} (the
 * server-side ingestion instant, epoch ms) and, when the member's profile is known, {@code country}
 * and {@code plan}. Thread-safe.
 */
public final class EnrichedEventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** A decoded domain record. */
  public record Decoded(EnrichedEvent event, long ingestedAt, String country, String plan) {}

  private EnrichedEventJson() {}

  /**
   * Encodes one enriched event.
   *
   * @param country the member's country, or null when the profile is unknown
   * @param plan the member's plan, or null when the profile is unknown
   */
  public static byte[] encode(EnrichedEvent enriched, long ingestedAt, String country, String plan) {
    byte[] direct = new DirectWriter().write(enriched, ingestedAt, country, plan);
    return direct != null ? direct : encodeWithGenerator(enriched, ingestedAt, country, plan);
  }

  /** The general encoder, for what {@link DirectWriter} leaves to it. */
  private static byte[] encodeWithGenerator(
      EnrichedEvent enriched, long ingestedAt, String country, String plan) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      Event e = enriched.event();
      json.writeStartObject();
      json.writeStringField("eventId", e.eventId());
      json.writeStringField("memberId", e.memberId());
      json.writeStringField("type", e.type().wireName());
      json.writeNumberField("eventTime", e.eventTime());
      json.writeNumberField("schemaVersion", e.schemaVersion());
      if (e.titleId() != null) {
        json.writeStringField("titleId", e.titleId());
      }
      switch (e.type()) {
        case STOP -> json.writeNumberField("watchedSeconds", e.watchedSeconds());
        case RATE -> json.writeNumberField("rating", e.rating());
        case SEARCH -> json.writeStringField("query", e.query());
        case DEVICE -> {
          json.writeNumberField("bandwidthKbps", e.bandwidthKbps());
          json.writeNumberField("latencyMs", e.latencyMs());
          if (e.resolution() != null) {
            json.writeStringField("resolution", e.resolution());
          }
        }
        default -> {
          // play, pause, click, impression, scroll carry nothing more
        }
      }
      json.writeArrayFieldStart("genres");
      for (String genre : enriched.genres()) {
        json.writeString(genre);
      }
      json.writeEndArray();
      json.writeBooleanField("unknownTitle", enriched.unknownTitle());
      json.writeNumberField("ingestedAt", ingestedAt);
      if (country != null) {
        json.writeStringField("country", country);
      }
      if (plan != null) {
        json.writeStringField("plan", plan);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a domain record written by {@link #encode}.
   *
   * @throws IllegalArgumentException when the bytes are not such a record
   */
  public static Decoded decode(byte[] bytes) {
    Decoded direct = decodeDirect(bytes);
    return direct != null ? direct : decodeWithParser(bytes);
  }

  /** The fast path alone: the record, or null when it leaves the bytes to the parser. */
  static Decoded decodeDirect(byte[] bytes) {
    return new DirectReader(bytes).read();
  }

  /**
   * The general decoder (Jackson's streaming parser), for what {@link DirectReader} leaves to it;
   * package-private for the test that holds both to the same results.
   */
  static Decoded decodeWithParser(byte[] bytes) {
    Fields f = new Fields();
    try (JsonParser json = FACTORY.createParser(bytes)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a domain record is a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        switch (field) {
          case "eventId" -> f.eventId = json.getText();
          case "memberId" -> f.memberId = json.getText();
          case "type" -> f.type = EventType.fromWire(json.getText())
              .orElseThrow(() -> new IllegalArgumentException("unknown type"));
          case "eventTime" -> f.eventTime = json.getLongValue();
          case "schemaVersion" -> f.schemaVersion = json.getIntValue();
          case "titleId" -> f.titleId = json.getText();
          case "watchedSeconds" -> f.watchedSeconds = json.getIntValue();
          case "rating" -> f.rating = json.getIntValue();
          case "query" -> f.query = json.getText();
          case "bandwidthKbps" -> f.bandwidthKbps = json.getDoubleValue();
          case "latencyMs" -> f.latencyMs = json.getDoubleValue();
          case "resolution" -> f.resolution = json.getText();
          case "genres" -> {
            List<String> read = new ArrayList<>(3);
            while (json.nextToken() != JsonToken.END_ARRAY) {
              read.add(json.getText());
            }
            f.genres = read;
          }
          case "unknownTitle" -> f.unknownTitle = json.getBooleanValue();
          case "ingestedAt" -> f.ingestedAt = json.getLongValue();
          case "country" -> f.country = json.getText();
          case "plan" -> f.plan = json.getText();
          default -> {
            if (value.isStructStart()) {
              json.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a domain record: " + e.getMessage(), e);
    }
    if (!f.complete()) {
      throw new IllegalArgumentException("a domain record needs eventId, memberId and type");
    }
    return f.decoded();
  }

  /** A domain record's fields as a decoder reads them, with the defaults of absent ones. */
  private static final class Fields {
    String eventId;
    String memberId;
    EventType type;
    long eventTime;
    int schemaVersion = 1;
    String titleId;
    int watchedSeconds;
    int rating;
    String query;
    double bandwidthKbps;
    double latencyMs;
    String resolution;
    List<String> genres = List.of();
    boolean unknownTitle;
    long ingestedAt;
    String country;
    String plan;

    boolean complete() {
      return eventId != null && memberId != null && type != null;
    }

    Decoded decoded() {
      Event event = new Event(eventId, memberId, type, eventTime, schemaVersion, titleId,
          watchedSeconds, rating, query, bandwidthKbps, latencyMs, resolution);
      return new Decoded(new EnrichedEvent(event, genres, unknownTitle), ingestedAt, country, plan);
    }
  }

  /**
   * Reads what {@link DirectWriter} writes, without a parser's per-call set-up and with the
   * low-cardinality strings (genre lists, titles, countries, plans, resolutions) shared instead of
   * allocated per record: an object of known fields in any order, no whitespace, strings of
   * printable ASCII without escapes, numbers in JSON's grammar. Returns null for anything else
   * (escapes, non-ASCII text, unknown fields, nulls, trailing bytes, malformed input), which {@link
   * #decodeWithParser} then reads or rejects: for every input both give the same event or both
   * fail (EnrichedEventJsonTest).
   */
  private static final class DirectReader {
    private static final String[] FIELDS = {"eventId", "memberId", "type", "eventTime",
        "schemaVersion", "titleId", "watchedSeconds", "rating", "query", "bandwidthKbps",
        "latencyMs", "resolution", "genres", "unknownTitle", "ingestedAt", "country", "plan"};
    private static final byte[][] FIELD_BYTES = Arrays.stream(FIELDS)
        .map(name -> name.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    private static final EventType[] TYPES = EventType.values();
    private static final byte[][] TYPE_BYTES = Arrays.stream(TYPES)
        .map(type -> type.wireName().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    private static final Shared STRINGS = new Shared(4096);
    private static final Shared GENRE_LISTS = new Shared(4096);

    private final byte[] b;
    private int at;
    private long number;
    private double decimal;
    private int nextField;

    DirectReader(byte[] bytes) {
      this.b = bytes;
    }

    Decoded read() {
      Fields f = new Fields();
      if (!take('{') || at >= b.length || b[at] == '}') {
        return null;
      }
      while (true) {
        int nameStart = at + 1;
        if (!skipString()) {
          return null;
        }
        int field = field(nameStart, at - 1);
        if (field < 0 || !take(':')) {
          return null;
        }
        switch (field) {
          case 0 -> f.eventId = string(false);
          case 1 -> f.memberId = string(false);
          case 2 -> {
            f.type = type();
            if (f.type == null) {
              return null;
            }
          }
          case 3, 4, 6, 7, 14 -> {
            if (!integer()) {
              return null;
            }
            if (field == 3) {
              f.eventTime = number;
            } else if (field == 14) {
              f.ingestedAt = number;
            } else if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE) {
              return null;
            } else if (field == 4) {
              f.schemaVersion = (int) number;
            } else if (field == 6) {
              f.watchedSeconds = (int) number;
            } else {
              f.rating = (int) number;
            }
          }
          case 5 -> f.titleId = string(true);
          case 8 -> f.query = string(false);
          case 9, 10 -> {
            if (!decimal()) {
              return null;
            }
            if (field == 9) {
              f.bandwidthKbps = decimal;
            } else {
              f.latencyMs = decimal;
            }
          }
          case 11 -> f.resolution = string(true);
          case 12 -> {
            f.genres = genres();
            if (f.genres == null) {
              return null;
            }
          }
          case 13 -> {
            int value = bool();
            if (value < 0) {
              return null;
            }
            f.unknownTitle = value == 1;
          }
          case 15 -> f.country = string(true);
          case 16 -> f.plan = string(true);
          default -> {
            return null;
          }
        }
        // A value that was not read left the cursor at -1, where nothing can be taken.
        if (take(',')) {
          continue;
        }
        if (take('}')) {
          break;
        }
        return null;
      }
      return at == b.length && f.complete() ? f.decoded() : null;
    }

    private boolean take(char c) {
      if (at >= 0 && at < b.length && b[at] == c) {
        at++;
        return true;
      }
      return false;
    }

    /** Moves past a string of printable ASCII without escapes; false (at -1) otherwise. */
    private boolean skipString() {
      if (!take('"')) {
        at = -1;
        return false;
      }
      for (int i = at; i < b.length; i++) {
        byte c = b[i];
        if (c == '"') {
          at = i + 1;
          return true;
        }
        if (c < 0x20 || c == '\\' || c >= 0x7f) {
          break; // control characters, escapes and non-ASCII (bytes are signed) go to the parser
        }
      }
      at = -1;
      return false;
    }

    /** The string value at the cursor (shared when {@code shared}), or null with at -1. */
    private String string(boolean shared) {
      int start = at + 1;
      if (!skipString()) {
        return null;
      }
      int end = at - 1;
      return shared ? (String) STRINGS.get(b, start, end, false)
          : new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * The index in {@link #FIELDS} of the name in [start, end), or -1. The writer writes the fields
     * in that order, skipping some, so the search starts after the previous field's.
     */
    private int field(int start, int end) {
      int length = end - start;
      for (int n = 0; n < FIELD_BYTES.length; n++) {
        int i = (nextField + n) % FIELD_BYTES.length;
        byte[] name = FIELD_BYTES[i];
        if (name.length == length && Arrays.equals(b, start, end, name, 0, length)) {
          nextField = i + 1;
          return i;
        }
      }
      return -1;
    }

    private EventType type() {
      int start = at + 1;
      if (!skipString()) {
        return null;
      }
      int end = at - 1;
      for (int i = 0; i < TYPE_BYTES.length; i++) {
        byte[] name = TYPE_BYTES[i];
        if (name.length == end - start && Arrays.equals(b, start, end, name, 0, name.length)) {
          return TYPES[i];
        }
      }
      return null;
    }

    /** A long in JSON's integer grammar, followed by ',' or '}', into number. */
    private boolean integer() {
      int i = at;
      boolean negative = i < b.length && b[i] == '-';
      if (negative) {
        i++;
      }
      int first = i;
      // Accumulated below zero, where the range reaches Long.MIN_VALUE.
      long value = 0;
      while (i < b.length && b[i] >= '0' && b[i] <= '9') {
        int digit = b[i] - '0';
        if (value < (Long.MIN_VALUE + digit) / 10) {
          return false; // beyond a long: the parser rejects it
        }
        value = value * 10 - digit;
        i++;
      }
      int digits = i - first;
      if (digits == 0 || (digits > 1 && b[first] == '0') || i >= b.length
          || (b[i] != ',' && b[i] != '}') || (!negative && value == Long.MIN_VALUE)) {
        return false;
      }
      number = negative ? value : -value;
      at = i;
      return true;
    }

    /** A number in JSON's grammar followed by ',' or '}', into decimal. */
    private boolean decimal() {
      int start = at;
      int i = start;
      if (i < b.length && b[i] == '-') {
        i++;
      }
      int intStart = i;
      i = digits(i);
      if (i == intStart || (i - intStart > 1 && b[intStart] == '0')) {
        return false;
      }
      if (i < b.length && b[i] == '.') {
        int fraction = ++i;
        i = digits(i);
        if (i == fraction) {
          return false;
        }
      }
      if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
        i++;
        if (i < b.length && (b[i] == '+' || b[i] == '-')) {
          i++;
        }
        int exponent = i;
        i = digits(i);
        if (i == exponent) {
          return false;
        }
      }
      if (i >= b.length || (b[i] != ',' && b[i] != '}')) {
        return false;
      }
      decimal = Double.parseDouble(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
      at = i;
      return true;
    }

    private int digits(int i) {
      while (i < b.length && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      return i;
    }

    /** 1 for true, 0 for false, -1 for anything else. */
    private int bool() {
      if (literal("true")) {
        return 1;
      }
      return literal("false") ? 0 : -1;
    }

    private boolean literal(String word) {
      int length = word.length();
      if (at + length > b.length) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if (b[at + i] != word.charAt(i)) {
          return false;
        }
      }
      at += length;
      return true;
    }

    /** A JSON array of strings, as a shared immutable list; null when not one. */
    @SuppressWarnings("unchecked")
    private List<String> genres() {
      int start = at;
      if (!take('[')) {
        return null;
      }
      if (!take(']')) {
        do {
          if (!skipString()) {
            return null;
          }
        } while (take(','));
        if (!take(']')) {
          return null;
        }
      }
      return (List<String>) GENRE_LISTS.get(b, start, at, true);
    }
  }

  /**
   * A small table of values decoded from byte ranges that recur (a title's genres, a country): a
   * hit returns the earlier instance, a miss decodes and takes the slot. Shared by all threads
   * without locks: an entry is immutable (final fields), so a racing reader sees a whole entry or
   * another one, never a torn one.
   */
  private static final class Shared {
    private record Entry(byte[] key, Object value) {}

    private final Entry[] slots;

    Shared(int size) {
      this.slots = new Entry[size];
    }

    /** The value of bytes [start, end): a String, or with {@code list} a string array's List. */
    Object get(byte[] bytes, int start, int end, boolean list) {
      int hash = 1;
      for (int i = start; i < end; i++) {
        hash = 31 * hash + bytes[i];
      }
      int slot = (hash ^ (hash >>> 16)) & (slots.length - 1);
      Entry entry = slots[slot];
      if (entry != null && Arrays.equals(entry.key(), 0, entry.key().length, bytes, start, end)) {
        return entry.value();
      }
      Object value = list ? stringList(bytes, start, end)
          : new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
      slots[slot] = new Entry(Arrays.copyOfRange(bytes, start, end), value);
      return value;
    }

    /** The strings of a JSON array of plain strings ({@code ["a","b"]}, already checked). */
    private static List<String> stringList(byte[] bytes, int start, int end) {
      List<String> strings = new ArrayList<>(4);
      int i = start + 1;
      while (i < end - 1) {
        int close = i + 1;
        while (bytes[close] != '"') {
          close++;
        }
        strings.add(new String(bytes, i + 1, close - i - 1, StandardCharsets.ISO_8859_1));
        i = close + 2; // past the quote and the comma (or onto the closing bracket)
      }
      return List.copyOf(strings);
    }
  }

  /**
   * Writes the same bytes as the generator for the common case, without its per-call set-up: every
   * string ASCII and every double finite. Returns null otherwise (the generator then writes it).
   */
  private static final class DirectWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private byte[] buffer = new byte[320];
    private int size;

    byte[] write(EnrichedEvent enriched, long ingestedAt, String country, String plan) {
      Event e = enriched.event();
      if (e.type() == EventType.DEVICE
          && !(Double.isFinite(e.bandwidthKbps()) && Double.isFinite(e.latencyMs()))) {
        return null;
      }
      if (!(raw("{\"eventId\":") && string(e.eventId()) && raw(",\"memberId\":")
          && string(e.memberId()) && raw(",\"type\":") && string(e.type().wireName())
          && raw(",\"eventTime\":") && raw(Long.toString(e.eventTime()))
          && raw(",\"schemaVersion\":") && raw(Integer.toString(e.schemaVersion())))) {
        return null;
      }
      if (e.titleId() != null && !(raw(",\"titleId\":") && string(e.titleId()))) {
        return null;
      }
      boolean written = switch (e.type()) {
        case STOP -> raw(",\"watchedSeconds\":") && raw(Integer.toString(e.watchedSeconds()));
        case RATE -> raw(",\"rating\":") && raw(Integer.toString(e.rating()));
        case SEARCH -> raw(",\"query\":") && string(e.query());
        case DEVICE -> raw(",\"bandwidthKbps\":") && raw(Double.toString(e.bandwidthKbps()))
            && raw(",\"latencyMs\":") && raw(Double.toString(e.latencyMs()))
            && (e.resolution() == null || (raw(",\"resolution\":") && string(e.resolution())));
        default -> true;
      };
      if (!(written && raw(",\"genres\":["))) {
        return null;
      }
      boolean first = true;
      for (String genre : enriched.genres()) {
        if (!((first || raw(",")) && string(genre))) {
          return null;
        }
        first = false;
      }
      if (!(raw("],\"unknownTitle\":") && raw(enriched.unknownTitle() ? "true" : "false")
          && raw(",\"ingestedAt\":") && raw(Long.toString(ingestedAt))
          && (country == null || (raw(",\"country\":") && string(country)))
          && (plan == null || (raw(",\"plan\":") && string(plan))) && raw("}"))) {
        return null;
      }
      return Arrays.copyOf(buffer, size);
    }

    /** Appends ASCII text as it is. */
    private boolean raw(String ascii) {
      int length = ascii.length();
      ensure(length);
      for (int i = 0; i < length; i++) {
        buffer[size++] = (byte) ascii.charAt(i);
      }
      return true;
    }

    /**
     * Appends a quoted JSON string, escaped as the generator escapes ({@code \"}, {@code \\}, the
     * short escapes of b, t, n, f, r, {@code \}{@code u00XX} for other control characters), or
     * returns false when the text is not ASCII (or is null, which the generator would write as a
     * JSON null).
     */
    private boolean string(String text) {
      if (text == null) {
        return false;
      }
      int length = text.length();
      ensure(length * 6 + 2);
      byte[] out = buffer;
      int at = size;
      out[at++] = '"';
      for (int i = 0; i < length; i++) {
        char c = text.charAt(i);
        if (c >= 0x80) {
          return false;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
          out[at++] = (byte) c;
          continue;
        }
        out[at++] = '\\';
        switch (c) {
          case '"', '\\' -> out[at++] = (byte) c;
          case '\b' -> out[at++] = 'b';
          case '\t' -> out[at++] = 't';
          case '\n' -> out[at++] = 'n';
          case '\f' -> out[at++] = 'f';
          case '\r' -> out[at++] = 'r';
          default -> {
            out[at++] = 'u';
            out[at++] = '0';
            out[at++] = '0';
            out[at++] = HEX[c >> 4];
            out[at++] = HEX[c & 0xF];
          }
        }
      }
      out[at++] = '"';
      size = at;
      return true;
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }
  }
}
