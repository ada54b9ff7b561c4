package dev.tessera.engine.bench;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.event.TitleMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Realistic member activity for the benchmarks. The memory profile of issue 3: 200 events over 24
 * h, 20 titles, 5 genres, as 5 sessions of 40 events (one every ~50 s) at random times of the day;
 * a mix of 35% impressions, 10% clicks, 15% plays, 8% pauses, 12% stops, 8% scrolls, 5% searches,
 * 2% ratings, 5% device reports.
 */
public final class Profiles {
  public static final long NOW = 1_767_312_000_000L; // 2026-01-02T00:00:00Z
  private static final long MIN = 60_000;
  private static final long DAY = 24 * 60 * MIN;
  private static final String[] GENRES = {"drama", "comedy", "action", "documentary", "kids"};

  private final Random random;
  private final TitleCatalogue catalogue;
  private final String[] titles;
  private long nextId;

  public Profiles(long seed, int catalogueSize) {
    random = new Random(seed);
    Map<String, TitleMetadata> map = new HashMap<>();
    titles = new String[catalogueSize];
    for (int i = 0; i < catalogueSize; i++) {
      titles[i] = ("title-" + i).intern();
      List<String> g = new ArrayList<>();
      g.add(GENRES[i % GENRES.length]);
      if (i % 3 == 0) {
        g.add(GENRES[(i + 2) % GENRES.length]);
      }
      map.put(titles[i], new TitleMetadata(titles[i], g, 5400));
    }
    catalogue = TitleCatalogue.of(map);
  }

  /** 200 events over the 24 h before {@link #NOW}, in time order; the member watches 20 titles. */
  public List<EnrichedEvent> dayOfMember(String memberId) {
    String[] mine = new String[20];
    for (int i = 0; i < mine.length; i++) {
      mine[i] = titles[random.nextInt(titles.length)];
    }
    List<EnrichedEvent> events = new ArrayList<>(200);
    int id = 0;
    for (int s = 0; s < 5; s++) {
      long t =
          s == 4
              ? NOW - 40 * 50_000L
              : NOW - DAY + (long) (random.nextDouble() * (DAY - 2 * 60 * MIN));
      for (int k = 0; k < 40; k++) {
        t += 20_000 + random.nextInt(60_000);
        events.add(
            event(
                memberId,
                memberId + "-" + id++,
                Math.min(t, NOW),
                mine[random.nextInt(mine.length)]));
      }
    }
    events.sort(Comparator.comparingLong(EnrichedEvent::eventTime));
    return events;
  }

  /** One event of the realistic mix. */
  public EnrichedEvent event(String memberId, String eventId, long time, String title) {
    int r = random.nextInt(100);
    Event e;
    if (r < 35) {
      e = Event.ofTitle(eventId, memberId, EventType.IMPRESSION, time, title);
    } else if (r < 45) {
      e = Event.ofTitle(eventId, memberId, EventType.CLICK, time, title);
    } else if (r < 60) {
      e = Event.ofTitle(eventId, memberId, EventType.PLAY, time, title);
    } else if (r < 68) {
      e = Event.ofTitle(eventId, memberId, EventType.PAUSE, time, title);
    } else if (r < 80) {
      e = Event.stop(eventId, memberId, time, title, random.nextInt(3600));
    } else if (r < 88) {
      e = Event.scroll(eventId, memberId, time);
    } else if (r < 93) {
      e = Event.search(eventId, memberId, time, "q" + random.nextInt(50));
    } else if (r < 95) {
      e = Event.rate(eventId, memberId, time, title, 1 + random.nextInt(5));
    } else {
      e =
          Event.device(
              eventId,
              memberId,
              time,
              3000 + random.nextInt(20_000),
              20 + random.nextInt(100),
              "1080p");
    }
    return EnrichedEvent.enrich(e, catalogue);
  }

  /**
   * A mixed stream over many members as a partition would carry it: members interleaved, each
   * member's events in time order with 5% out of order within the lateness, 1% duplicates and 0.5%
   * late beyond the lateness.
   */
  public EnrichedEvent[] mixedStream(int members, int events, long start, long spanMs) {
    EnrichedEvent[] out = new EnrichedEvent[events];
    String[] ids = new String[members];
    for (int m = 0; m < members; m++) {
      ids[m] = ("member-" + m).intern();
    }
    for (int i = 0; i < events; i++) {
      long t = start + (long) i * spanMs / events;
      int m = random.nextInt(members);
      int r = random.nextInt(1000);
      if (i > 0 && r < 10) {
        EnrichedEvent d = out[i - 1 - random.nextInt(Math.min(i, 1000))];
        out[i] = d; // a redelivered duplicate
        continue;
      }
      if (r < 60) {
        t -= random.nextInt(240_000); // out of order, within the lateness
      } else if (r < 65) {
        t -= 360_000 + random.nextInt(3_600_000); // late
      }
      out[i] = event(ids[m], ids[m] + "-" + nextId++, t, titles[random.nextInt(titles.length)]);
    }
    return out;
  }
}
