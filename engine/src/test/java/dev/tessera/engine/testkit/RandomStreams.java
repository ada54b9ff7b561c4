package dev.tessera.engine.testkit;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random per-stream event sequences for property tests: in-order runs, bursts, gaps (short, past
 * the session gap, past 24 h), out-of-order within the lateness, late beyond it, exactly at the
 * lateness boundary, and duplicates.
 */
public final class RandomStreams {
  public static final long BASE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final long SECOND = 1000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final EventType[] TYPES = EventType.values();

  private final Random random;
  private final String[] titles;
  private final List<List<String>> titleGenres = new ArrayList<>();
  private final boolean[] unknownTitle;

  public RandomStreams(Random random) {
    this.random = random;
    int nTitles = 3 + random.nextInt(40);
    int nGenres = 1 + random.nextInt(12);
    titles = new String[nTitles];
    unknownTitle = new boolean[nTitles];
    for (int i = 0; i < nTitles; i++) {
      titles[i] = "title-" + i;
      List<String> g = new ArrayList<>();
      int k = random.nextInt(4);
      for (int j = 0; j < k; j++) {
        String genre = "genre-" + random.nextInt(nGenres);
        if (!g.contains(genre)) {
          g.add(genre);
        }
      }
      titleGenres.add(g);
      unknownTitle[i] = random.nextInt(10) == 0;
    }
  }

  /** Each stream's events in offset order. */
  public Map<EventStream, List<EnrichedEvent>> member(String memberId, int maxEvents) {
    Map<EventStream, List<EnrichedEvent>> streams = new EnumMap<>(EventStream.class);
    int n = 1 + random.nextInt(maxEvents);
    long clock = BASE + random.nextInt(1_000_000_000);
    // Streams share a member clock loosely: each stream runs its own clock from the same start.
    Map<EventStream, Long> clocks = new EnumMap<>(EventStream.class);
    Map<EventStream, List<String>> ids = new EnumMap<>(EventStream.class);
    int nextId = 0;
    for (int i = 0; i < n; i++) {
      EventType type = pickType();
      EventStream stream = type.stream();
      long c = clocks.getOrDefault(stream, clock + random.nextInt(3_600_000) - 1_800_000);
      c += step();
      clocks.put(stream, c);
      long time = c;
      int r = random.nextInt(100);
      if (r < 12) {
        time = c - (long) (random.nextDouble() * 5 * MINUTE); // out of order within the lateness
      } else if (r < 16) {
        time = c - 5 * MINUTE - 1 - (long) (random.nextDouble() * 3 * HOUR); // late beyond it
      } else if (r < 18) {
        time = c - 5 * MINUTE; // exactly at the boundary
      } else if (r < 19) {
        time = c - 5 * MINUTE - 1;
      }
      List<String> streamIds = ids.computeIfAbsent(stream, s -> new ArrayList<>());
      String eventId;
      if (!streamIds.isEmpty() && random.nextInt(100) < 8) {
        eventId = streamIds.get(random.nextInt(streamIds.size())); // duplicate
      } else {
        eventId = memberId + "-e" + nextId++;
        streamIds.add(eventId);
      }
      streams
          .computeIfAbsent(stream, s -> new ArrayList<>())
          .add(event(eventId, memberId, type, time));
    }
    return streams;
  }

  private long step() {
    int r = random.nextInt(100);
    if (r < 25) {
      return random.nextInt(3) == 0 ? 0 : random.nextInt(1000); // burst
    }
    if (r < 70) {
      return random.nextInt((int) (2 * MINUTE));
    }
    if (r < 90) {
      return random.nextInt((int) (20 * MINUTE));
    }
    if (r < 97) {
      return 25 * MINUTE + random.nextInt((int) (4 * HOUR)); // past the session gap
    }
    return 20 * HOUR + random.nextInt((int) (10 * HOUR)); // past the longest window
  }

  private EventType pickType() {
    int r = random.nextInt(100);
    if (r < 25) {
      return EventType.PLAY;
    }
    if (r < 40) {
      return EventType.STOP;
    }
    if (r < 50) {
      return EventType.IMPRESSION;
    }
    if (r < 58) {
      return EventType.CLICK;
    }
    return TYPES[random.nextInt(TYPES.length)];
  }

  public EnrichedEvent event(String eventId, String memberId, EventType type, long time) {
    int t = random.nextInt(titles.length);
    String title = titles[t];
    Event e =
        switch (type) {
          case STOP ->
              Event.stop(
                  eventId,
                  memberId,
                  time,
                  title,
                  random.nextInt(5) == 0
                      ? 0
                      : random.nextInt(random.nextInt(10) == 0 ? 86_401 : 3600));
          case RATE -> Event.rate(eventId, memberId, time, title, 1 + random.nextInt(5));
          case SEARCH -> Event.search(eventId, memberId, time, "q" + random.nextInt(20));
          case SCROLL -> Event.scroll(eventId, memberId, time);
          case DEVICE ->
              Event.device(
                  eventId,
                  memberId,
                  time,
                  random.nextInt(20_000),
                  random.nextInt(500) + 0.5,
                  random.nextBoolean() ? "1080p" : "4k");
          default -> Event.ofTitle(eventId, memberId, type, time, title);
        };
    if (!type.hasTitle()) {
      return new EnrichedEvent(e, List.of(), false);
    }
    return unknownTitle[t]
        ? new EnrichedEvent(e, List.of(), true)
        : new EnrichedEvent(e, titleGenres.get(t), false);
  }

  /** A random interleaving that keeps each stream's order. */
  public List<EnrichedEvent> interleave(Map<EventStream, List<EnrichedEvent>> streams) {
    List<EnrichedEvent> out = new ArrayList<>();
    Map<EventStream, Integer> pos = new EnumMap<>(EventStream.class);
    List<EventStream> live = new ArrayList<>(streams.keySet());
    while (!live.isEmpty()) {
      EventStream s = live.get(random.nextInt(live.size()));
      int p = pos.getOrDefault(s, 0);
      out.add(streams.get(s).get(p));
      if (p + 1 == streams.get(s).size()) {
        live.remove(s);
      }
      pos.put(s, p + 1);
    }
    return out;
  }
}
