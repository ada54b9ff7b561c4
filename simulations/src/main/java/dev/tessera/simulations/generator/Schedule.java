package dev.tessera.simulations.generator;

import dev.tessera.engine.event.EventType;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Member behaviour in simulated time, relative to the start. Each member alternates sessions and
 * gaps of more than 30 minutes; a session starts with device telemetry and browses (impressions,
 * scrolls, searches) through an impression -&gt; click -&gt; play funnel; a viewing plays in
 * segments of 1-8 minutes with telemetry or a pause between them and ends with a stop whose watched
 * seconds never exceed the title's duration; a rating may follow. No step inside a session is
 * longer than 8 minutes, so sessionizing by 30 minutes of inactivity finds exactly the sessions,
 * even with the generator's bounded disorder.
 */
final class Schedule {

  /** The inactivity that separates sessions. */
  static final long SESSION_GAP_MS = 30 * 60_000L;

  private static final long MEAN_EXTRA_GAP_MS = 3 * 3_600_000L;
  private static final String[] WORDS = {
    "night", "love", "star", "dark", "city", "last", "home", "wild", "secret", "war", "summer",
    "ocean", "king", "blue", "road", "lost", "family", "space", "murder", "island", "cooking",
    "dragon", "heist", "school"
  };

  private enum Phase {
    IDLE,
    BROWSING,
    PLAYING,
    PAUSED
  }

  private static final class Member {
    final int index;
    final String id;
    final double bandwidthBase;
    final double latencyBase;
    long nextTime;
    Phase phase = Phase.IDLE;
    int session;
    int actionsLeft;
    int funnelStage; // 0 browsing, 1 saw an impression of funnelTitle, 2 clicked it
    String funnelTitle;
    int funnelDuration;
    int watchTarget;
    int watched;
    int segment;
    String rateTitle;

    Member(int index, String id, double bandwidthBase, double latencyBase) {
      this.index = index;
      this.id = id;
      this.bandwidthBase = bandwidthBase;
      this.latencyBase = latencyBase;
    }
  }

  private final SplittableRandom random;
  private final PriorityQueue<Member> queue;
  private final List<Title> titles;
  private final int[] titleByRank;
  private final Zipf popularity;
  private final double unknownTitleFraction;
  private final long minGapMs;

  Schedule(SimulationConfig config, ReferenceData reference) {
    this.random = new SplittableRandom(config.seed() ^ 0x7363686564756c65L);
    this.titles = reference.titles();
    this.titleByRank = new int[titles.size()];
    for (int i = 0; i < titleByRank.length; i++) {
      titleByRank[i] = i;
    }
    for (int i = titleByRank.length - 1; i > 0; i--) { // popularity is not catalogue order
      int j = random.nextInt(i + 1);
      int t = titleByRank[i];
      titleByRank[i] = titleByRank[j];
      titleByRank[j] = t;
    }
    this.popularity = new Zipf(titles.size(), config.zipfExponent());
    this.unknownTitleFraction = config.unknownTitleFraction();
    // Disorder can pull a session's first event back: keep the gap above 30 min anyway.
    this.minGapMs = SESSION_GAP_MS + config.maxDisorderMs() + 1_000;
    this.queue =
        new PriorityQueue<>(
            Math.max(1, config.members()),
            (a, b) ->
                a.nextTime != b.nextTime
                    ? Long.compare(a.nextTime, b.nextTime)
                    : Integer.compare(a.index, b.index));
    List<MemberProfile> profiles = reference.members();
    for (int i = 0; i < profiles.size(); i++) {
      double bandwidth = 1_500 * Math.exp(1.5 * random.nextDouble()) * (1 + random.nextDouble());
      double latency = 15 + 120 * random.nextDouble() * random.nextDouble();
      Member m = new Member(i, profiles.get(i).memberId(), bandwidth, latency);
      m.nextTime = random.nextLong(minGapMs + MEAN_EXTRA_GAP_MS);
      queue.add(m);
    }
  }

  /** The next action of any member, in simulated time order. */
  Planned next() {
    Member m = queue.poll();
    long t = m.nextTime;
    Planned p =
        switch (m.phase) {
          case IDLE -> startSession(m, t);
          case BROWSING -> browse(m, t);
          case PLAYING -> play(m, t);
          case PAUSED -> resume(m, t);
        };
    queue.add(m);
    return p;
  }

  private Planned startSession(Member m, long t) {
    m.session++;
    m.actionsLeft = 4 + (int) exponential(16);
    m.phase = Phase.BROWSING;
    m.funnelStage = 0;
    m.rateTitle = null;
    m.nextTime = t + think();
    return device(m, t);
  }

  private Planned browse(Member m, long t) {
    m.actionsLeft--;
    if (m.funnelStage == 2 && random.nextDouble() < 0.7) {
      startViewing(m);
      m.nextTime = t + m.segment * 1_000L;
      return title(m, EventType.PLAY, t);
    }
    Planned p;
    if (m.rateTitle != null) {
      p = rating(m, t);
    } else if (m.funnelStage == 1 && random.nextDouble() < 0.3) {
      m.funnelStage = 2;
      p = title(m, EventType.CLICK, t);
    } else {
      m.funnelStage = 0;
      double x = random.nextDouble();
      if (x < 0.62) {
        pickTitle(m);
        m.funnelStage = 1;
        p = title(m, EventType.IMPRESSION, t);
      } else if (x < 0.80) {
        p = plan(m, EventType.SCROLL, t, null, 0, 0, null);
      } else if (x < 0.94) {
        p = plan(m, EventType.SEARCH, t, null, 0, 0, query());
      } else {
        p = device(m, t);
      }
    }
    if (m.actionsLeft <= 0) {
      endSession(m, t);
    } else {
      m.nextTime = t + think();
    }
    return p;
  }

  private Planned play(Member m, long t) {
    m.watched += m.segment;
    if (m.watched >= m.watchTarget) {
      Planned stop = plan(m, EventType.STOP, t, m.funnelTitle, m.watched, 0, null);
      m.phase = Phase.BROWSING;
      m.funnelStage = 0;
      if (m.actionsLeft <= 0 || random.nextDouble() < 0.3) {
        endSession(m, t);
      } else {
        m.rateTitle = random.nextDouble() < 0.35 ? m.funnelTitle : null;
        m.nextTime = t + think();
      }
      return stop;
    }
    if (random.nextDouble() < 0.2) {
      m.phase = Phase.PAUSED;
      m.nextTime = t + 10_000 + random.nextLong(290_000);
      return title(m, EventType.PAUSE, t);
    }
    nextSegment(m);
    m.nextTime = t + m.segment * 1_000L;
    return device(m, t);
  }

  private Planned resume(Member m, long t) {
    m.phase = Phase.PLAYING;
    nextSegment(m);
    m.nextTime = t + m.segment * 1_000L;
    return title(m, EventType.PLAY, t);
  }

  private void startViewing(Member m) {
    double u = random.nextDouble();
    double fraction;
    if (u < 0.3) {
      fraction = 0.02 + 0.18 * random.nextDouble(); // gave up early
    } else if (u < 0.7) {
      fraction = 0.9 + 0.1 * random.nextDouble(); // watched to the credits
    } else {
      fraction = 0.2 + 0.7 * random.nextDouble();
    }
    m.watchTarget = Math.min(m.funnelDuration, Math.max(30, (int) (fraction * m.funnelDuration)));
    m.watched = 0;
    m.phase = Phase.PLAYING;
    m.funnelStage = 0;
    nextSegment(m);
  }

  private void nextSegment(Member m) {
    m.segment = Math.min(m.watchTarget - m.watched, 60 + random.nextInt(7 * 60 + 1));
  }

  private void endSession(Member m, long t) {
    m.phase = Phase.IDLE;
    m.nextTime = t + minGapMs + (long) exponential(MEAN_EXTRA_GAP_MS);
  }

  private void pickTitle(Member m) {
    if (random.nextDouble() < unknownTitleFraction) {
      m.funnelTitle = ReferenceData.titleId(titles.size() + random.nextInt(1_000));
      m.funnelDuration = 1_200 + random.nextInt(6_000);
    } else {
      Title title = titles.get(titleByRank[popularity.sample(random)]);
      m.funnelTitle = title.titleId();
      m.funnelDuration = title.durationSeconds();
    }
  }

  private Planned rating(Member m, long t) {
    double fraction = m.watched / (double) Math.max(1, m.funnelDuration);
    long r = Math.round(1 + 4 * fraction + 0.8 * gaussian());
    Planned p = plan(m, EventType.RATE, t, m.rateTitle, 0, (int) Math.max(1, Math.min(5, r)), null);
    m.rateTitle = null;
    return p;
  }

  private Planned device(Member m, long t) {
    double bandwidth = round1(m.bandwidthBase * Math.exp(0.3 * gaussian()));
    double latency = round1(m.latencyBase * Math.exp(0.4 * gaussian()));
    String resolution =
        bandwidth < 1_500
            ? "480p"
            : bandwidth < 4_000 ? "720p" : bandwidth < 12_000 ? "1080p" : "2160p";
    return new Planned(
        m.index,
        m.id,
        m.session,
        EventType.DEVICE,
        t,
        null,
        0,
        0,
        null,
        bandwidth,
        latency,
        resolution);
  }

  private Planned title(Member m, EventType type, long t) {
    return plan(m, type, t, m.funnelTitle, 0, 0, null);
  }

  private static Planned plan(
      Member m, EventType type, long t, String titleId, int watched, int rating, String query) {
    return new Planned(
        m.index, m.id, m.session, type, t, titleId, watched, rating, query, 0, 0, null);
  }

  private String query() {
    int words = 1 + random.nextInt(3);
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        q.append(' ');
      }
      q.append(
          random.nextInt(4) == 0
              ? ReferenceData.GENRES.get(random.nextInt(ReferenceData.GENRES.size()))
              : WORDS[random.nextInt(WORDS.length)]);
    }
    return q.toString();
  }

  private long think() {
    return 500 + (long) Math.min(179_500, exponential(12_000));
  }

  private double exponential(double mean) {
    return -mean * Math.log(1 - random.nextDouble());
  }

  /** Box-Muller, so the stream does not depend on a JDK's Gaussian algorithm. */
  private double gaussian() {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
