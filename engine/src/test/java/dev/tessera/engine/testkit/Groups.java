package dev.tessera.engine.testkit;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.Condition;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.EventFilter;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EventType;
import java.time.Duration;

/** Feature groups used by the tests. */
public final class Groups {
  private Groups() {}

  private static final FeatureGroup DEFAULT =
      FeatureRegistry.fromConfig(ConfigFactory.load()).get("member_engagement", 1);

  /** {@code member_engagement} v1 as shipped in reference.conf. */
  public static FeatureGroup memberEngagement() {
    return DEFAULT;
  }

  /** Every aggregation, odd hops and tumbling sizes, conditions, a small distinct bound. */
  public static FeatureGroup exotic(Duration lateness) {
    EventFilter titled =
        EventFilter.types(
            EventType.PLAY,
            EventType.PAUSE,
            EventType.STOP,
            EventType.CLICK,
            EventType.IMPRESSION,
            EventType.RATE);
    return FeatureGroup.builder("exotic", 1)
        .ttl(Duration.ofHours(6))
        .allowedLateness(lateness)
        .feature(
            "avg_rating_1h",
            new Aggregation.Avg(EventField.RATING),
            EventFilter.types(EventType.RATE),
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "min_latency_5m",
            new Aggregation.Min(EventField.LATENCY_MS),
            EventFilter.types(EventType.DEVICE),
            Window.sliding(Duration.ofMinutes(5)))
        .feature(
            "max_bandwidth_24h",
            new Aggregation.Max(EventField.BANDWIDTH_KBPS),
            EventFilter.types(EventType.DEVICE),
            Window.sliding(Duration.ofHours(24)))
        .feature(
            "last_rating_24h",
            new Aggregation.Last(EventField.RATING),
            EventFilter.types(EventType.RATE),
            Window.sliding(Duration.ofHours(24)))
        .feature(
            "decayed_watch_1h",
            new Aggregation.DecayedSum(EventField.WATCHED_SECONDS, 600_000),
            EventFilter.types(EventType.STOP),
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "distinct_genres_1h",
            new Aggregation.DistinctCount(EventField.GENRE, 3),
            EventFilter.types(EventType.PLAY, EventType.STOP),
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "distinct_queries_5m",
            new Aggregation.DistinctCount(EventField.QUERY, 1000),
            EventFilter.types(EventType.SEARCH),
            Window.sliding(Duration.ofMinutes(5)))
        .feature(
            "distinct_titles_tumbling_2m",
            new Aggregation.DistinctCount(EventField.TITLE_ID, 4),
            titled,
            Window.tumbling(Duration.ofMinutes(2)))
        .feature(
            "title_share_1h",
            new Aggregation.CategoryShare(EventField.TITLE_ID, EventField.ONE),
            titled,
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "type_entropy_10m",
            new Aggregation.Entropy(EventField.TYPE, EventField.ONE),
            EventFilter.all(),
            Window.sliding(Duration.ofMinutes(10)))
        .feature(
            "long_watches_2m",
            new Aggregation.Count(),
            EventFilter.types(EventType.STOP)
                .and(Condition.numeric(EventField.WATCHED_SECONDS, Condition.Op.GE, 600)),
            Window.sliding(Duration.ofMinutes(2)))
        .feature(
            "session_short",
            new Aggregation.SessionDuration(120_000),
            EventFilter.all(),
            Window.sliding(Duration.ofMinutes(1)))
        .feature(
            "session_views_3h",
            new Aggregation.SessionDuration(1_800_000),
            EventFilter.types(EventType.PLAY, EventType.PAUSE, EventType.STOP),
            new Window.Sliding(10_800_000, 900_000))
        .feature(
            "odd_hop_plays",
            new Aggregation.Count(),
            EventFilter.types(EventType.PLAY),
            new Window.Sliding(77_000, 7_000))
        .feature(
            "tumbling_clicks_1m",
            new Aggregation.Count(),
            EventFilter.types(EventType.CLICK),
            Window.tumbling(Duration.ofMinutes(1)))
        .feature(
            "tumbling_watch_3m",
            new Aggregation.Sum(EventField.WATCHED_SECONDS),
            EventFilter.types(EventType.STOP),
            Window.tumbling(Duration.ofMinutes(3)))
        .feature(
            "watch_per_play_30m",
            new Aggregation.Ratio(
                new Aggregation.Operand(
                    new Aggregation.Sum(EventField.WATCHED_SECONDS),
                    EventFilter.types(EventType.STOP)),
                Aggregation.Operand.count(EventFilter.types(EventType.PLAY)),
                -1.0),
            EventFilter.all(),
            Window.sliding(Duration.ofMinutes(30)))
        .feature(
            "genre1_stops_1h",
            new Aggregation.Count(),
            EventFilter.types(EventType.STOP)
                .and(Condition.text(EventField.GENRE, Condition.Op.EQ, "genre-1")),
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "not_genre0_plays_1h",
            new Aggregation.Count(),
            EventFilter.types(EventType.PLAY)
                .and(Condition.text(EventField.GENRE, Condition.Op.NE, "genre-0")),
            Window.sliding(Duration.ofHours(1)))
        .feature(
            "decayed_titles_2h",
            new Aggregation.DecayedCategorySum(EventField.TITLE_ID, EventField.ONE, 1_800_000),
            EventFilter.types(EventType.PLAY),
            Window.sliding(Duration.ofHours(2)))
        .feature(
            "resolution_share_24h",
            new Aggregation.CategoryShare(EventField.RESOLUTION, EventField.BANDWIDTH_KBPS),
            EventFilter.types(EventType.DEVICE),
            Window.sliding(Duration.ofHours(24)))
        .build();
  }
}
