package dev.tessera.simulations.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The infinite, deterministic stream of raw records: the {@link Schedule}'s member actions, each
 * turned into a VALID record (sometimes pulled back in time by up to {@code maxDisorderMs}), a LATE
 * one or a MALFORMED one, with DUPLICATE re-sends of recent valid records in between.
 *
 * <p>Per (member, stream) the generator keeps the watermark the kernel will have when it reaches
 * each record in this order (the largest event time of the VALID records so far): a LATE record is
 * placed 1 s to 30 min beyond the allowed lateness behind it, and disorder never reaches it. A
 * fault that cannot be placed yet (no earlier valid record to repeat, no watermark to be late
 * against) is owed and placed at the next chance, so the fractions hold.
 */
final class EventGenerator implements Iterator<SimulatedRecord> {

  private static final int RECENT = 256;
  private static final long FUTURE_SHIFT_MS = 50L * 365 * 86_400_000L;
  private static final long MAX_EXTRA_LATENESS_MS = 30 * 60_000L;
  private static final String[] UNKNOWN_TYPES = {"like", "share", "teleport", "PLAY", "Stop"};
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MalformedShape[] SHAPES = MalformedShape.values();

  private final SimulationConfig config;
  private final boolean encode;
  private final Schedule schedule;
  private final SplittableRandom random;
  private final byte[][] memberKeys;
  private final long[][] watermarks;
  private final SimulatedRecord[] recentValid = new SimulatedRecord[RECENT];
  private final int[] recentMember = new int[RECENT];
  private final String eventIdPrefix;
  private long recentCount;
  private long sequence;
  private long planned;
  private int duplicatesOwed;
  private int lateOwed;

  /**
   * @param encode false for a dry run that only needs times and kinds: VALID and LATE records then
   *     carry no key and value bytes
   */
  EventGenerator(SimulationConfig config, ReferenceData reference, boolean encode) {
    this.config = config;
    this.encode = encode;
    this.schedule = new Schedule(config, reference);
    this.random = new SplittableRandom(config.seed() ^ 0x6661756c74734cL);
    this.memberKeys = new byte[config.members()][];
    this.watermarks = new long[config.members()][EventStream.count()];
    for (int i = 0; i < config.members(); i++) {
      memberKeys[i] = reference.members().get(i).memberId().getBytes(StandardCharsets.UTF_8);
      Arrays.fill(watermarks[i], Long.MIN_VALUE);
    }
    this.eventIdPrefix = "ev-" + Long.toHexString(config.seed()) + "-";
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public SimulatedRecord next() {
    long seq = sequence++;
    double u = random.nextDouble();
    RecordKind kind;
    if (u < config.duplicateFraction()) {
      kind = RecordKind.DUPLICATE;
    } else if (u < config.duplicateFraction() + config.malformedFraction()) {
      kind = RecordKind.MALFORMED;
    } else if (u
        < config.duplicateFraction() + config.malformedFraction() + config.lateFraction()) {
      kind = RecordKind.LATE;
    } else {
      kind = RecordKind.VALID;
    }
    if (kind == RecordKind.DUPLICATE || (kind == RecordKind.VALID && duplicatesOwed > 0)) {
      if (recentCount > 0) {
        if (kind == RecordKind.VALID) {
          duplicatesOwed--;
        }
        return duplicate(seq);
      }
      if (kind == RecordKind.DUPLICATE) {
        duplicatesOwed++;
        kind = RecordKind.VALID;
      }
    }
    Planned p = schedule.next();
    String eventId = eventIdPrefix + planned++;
    if (kind == RecordKind.MALFORMED) {
      return malformed(seq, p, eventId);
    }
    if (kind == RecordKind.LATE || lateOwed > 0) {
      long wm = watermarks[p.memberIndex()][p.type().stream().ordinal()];
      long lateTime =
          wm == Long.MIN_VALUE
              ? -1
              : wm - config.allowedLatenessMs() - 1_000 - random.nextLong(MAX_EXTRA_LATENESS_MS);
      if (lateTime >= 0) {
        if (kind == RecordKind.VALID) {
          lateOwed--;
        }
        Event event = p.toEvent(eventId, lateTime);
        return new SimulatedRecord(
            key(p.memberIndex()), body(event), truth(seq, RecordKind.LATE, p, event));
      }
      if (kind == RecordKind.LATE) {
        lateOwed++;
      }
    }
    return valid(seq, p, eventId);
  }

  private SimulatedRecord valid(long seq, Planned p, String eventId) {
    long time = config.startTimeMs() + p.relativeTimeMs();
    if (config.maxDisorderMs() > 0 && random.nextDouble() < config.disorderFraction()) {
      time = Math.max(0, time - 1 - random.nextLong(config.maxDisorderMs()));
    }
    Event event = p.toEvent(eventId, time);
    long[] wm = watermarks[p.memberIndex()];
    int stream = event.type().stream().ordinal();
    wm[stream] = Math.max(wm[stream], time);
    SimulatedRecord record =
        new SimulatedRecord(
            key(p.memberIndex()), body(event), truth(seq, RecordKind.VALID, p, event));
    recentMember[(int) (recentCount % RECENT)] = p.memberIndex();
    recentValid[(int) (recentCount++ % RECENT)] = record;
    return record;
  }

  private SimulatedRecord duplicate(long seq) {
    // A copy must still be a duplicate for the kernel, whose exact dedup remembers an id while its
    // first copy is within the allowed lateness (plus the longest window) of the watermark.
    SimulatedRecord original = recentValid[(int) ((recentCount - 1) % RECENT)];
    for (int attempt = 0; attempt < 4; attempt++) {
      int slot = random.nextInt((int) Math.min(recentCount, RECENT));
      Event e = recentValid[slot].truth().event();
      long wm = watermarks[recentMember[slot]][e.type().stream().ordinal()];
      if (e.eventTime() >= wm - config.allowedLatenessMs()) {
        original = recentValid[slot];
        break;
      }
    }
    Truth t = original.truth();
    return new SimulatedRecord(
        original.key(),
        original.value(),
        new Truth(seq, RecordKind.DUPLICATE, t.memberId(), t.event(), t.session(), null, Set.of()));
  }

  private SimulatedRecord malformed(long seq, Planned p, String eventId) {
    MalformedShape shape = SHAPES[random.nextInt(SHAPES.length)];
    Event event = p.toEvent(eventId, config.startTimeMs() + p.relativeTimeMs());
    byte[] value = malformedBody(shape, event);
    return new SimulatedRecord(
        key(p.memberIndex()),
        value,
        new Truth(seq, RecordKind.MALFORMED, p.memberId(), null, 0, shape, shape.reasons()));
  }

  private byte[] malformedBody(MalformedShape shape, Event event) {
    Map<String, Object> body = fields(event);
    switch (shape) {
      case TRUNCATED_JSON -> {
        byte[] full = EventJson.write(event);
        return Arrays.copyOf(full, 1 + random.nextInt(full.length - 1));
      }
      case WRONG_TYPE -> {
        switch (random.nextInt(3)) {
          case 0 -> body.put("eventTime", Long.toString(event.eventTime()));
          case 1 -> body.put("eventTime", event.eventTime() + 0.5);
          default -> body.put("memberId", random.nextInt(1_000_000));
        }
      }
      case MISSING_MEMBER_ID -> body.remove("memberId");
      case BINARY_GARBAGE -> {
        byte[] garbage = new byte[16 + random.nextInt(497)];
        random.nextBytes(garbage);
        garbage[0] = (byte) (0x80 | garbage[0]); // never '{', never whitespace
        return garbage;
      }
      case EMPTY_VALUE -> {
        return new byte[0];
      }
      case NULL_VALUE -> {
        return null;
      }
      case OVERSIZE -> body.put("padding", "x".repeat(64 * 1024 + random.nextInt(16 * 1024)));
      case UNKNOWN_TYPE -> body.put("type", UNKNOWN_TYPES[random.nextInt(UNKNOWN_TYPES.length)]);
      case FUTURE_EVENT_TIME -> body.put("eventTime", event.eventTime() + FUTURE_SHIFT_MS);
      case OUT_OF_RANGE -> {
        if (event.type() == EventType.RATE) {
          body.put("rating", 6 + random.nextInt(4));
        } else if (event.type() == EventType.STOP) {
          body.put("watchedSeconds", 86_401 + random.nextInt(100_000));
        } else if (random.nextBoolean()) {
          body.put("memberId", event.memberId() + "!");
        } else {
          body.put("eventTime", -1 - random.nextInt(1_000_000));
        }
      }
      case UNSUPPORTED_SCHEMA_VERSION -> body.put("schemaVersion", 2 + random.nextInt(8));
      case NOT_AN_OBJECT -> {
        return concat("[", EventJson.write(event), "]");
      }
      case TRAILING_DATA -> {
        byte[] one = EventJson.write(event);
        return concat("", one, new String(one, StandardCharsets.UTF_8));
      }
      case DUPLICATE_FIELD -> {
        String json = new String(EventJson.write(event), StandardCharsets.UTF_8);
        return ("{\"memberId\":\"" + event.memberId() + "\"," + json.substring(1))
            .getBytes(StandardCharsets.UTF_8);
      }
    }
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> fields(Event event) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("eventId", event.eventId());
    body.put("memberId", event.memberId());
    body.put("type", event.type().wireName());
    body.put("eventTime", event.eventTime());
    body.put("schemaVersion", event.schemaVersion());
    if (event.type().hasTitle()) {
      body.put("titleId", event.titleId());
    }
    switch (event.type()) {
      case STOP -> body.put("watchedSeconds", event.watchedSeconds());
      case RATE -> body.put("rating", event.rating());
      case SEARCH -> body.put("query", event.query());
      case DEVICE -> {
        body.put("bandwidthKbps", event.bandwidthKbps());
        body.put("latencyMs", event.latencyMs());
        body.put("resolution", event.resolution());
      }
      default -> {}
    }
    return body;
  }

  private static byte[] concat(String prefix, byte[] middle, String suffix) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[p.length + middle.length + s.length];
    System.arraycopy(p, 0, out, 0, p.length);
    System.arraycopy(middle, 0, out, p.length, middle.length);
    System.arraycopy(s, 0, out, p.length + middle.length, s.length);
    return out;
  }

  private Truth truth(long seq, RecordKind kind, Planned p, Event event) {
    return new Truth(seq, kind, p.memberId(), event, p.session(), null, Set.of());
  }

  private byte[] body(Event event) {
    return encode ? EventJson.write(event) : null;
  }

  /** Usually the member's id; a bad-key fraction gets null or another member's id. */
  private byte[] key(int memberIndex) {
    if (random.nextDouble() >= config.badKeyFraction()) {
      return memberKeys[memberIndex];
    }
    if (memberKeys.length == 1 || random.nextBoolean()) {
      return null;
    }
    int other = random.nextInt(memberKeys.length - 1);
    return memberKeys[other >= memberIndex ? other + 1 : other];
  }
}
