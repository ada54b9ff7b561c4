package dev.tessera.engine.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.EngineSettings;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.testkit.Groups;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FeatureGroupLoaderTest {

  private static final String P = "tessera.feature-groups.g.features.f";
  private final FeatureGroupLoader loader = new FeatureGroupLoader(Duration.ofMinutes(5), 1000);

  private List<FeatureGroup> load(String hocon) {
    return loader.load(ConfigFactory.parseString(hocon).resolve());
  }

  /** A group {@code g} with one feature {@code f} given by its body. */
  private List<FeatureGroup> loadFeature(String body) {
    return load(
        "tessera.feature-groups.g { version = 1, ttl = 1h, features { f { " + body + " } } }");
  }

  @Test
  void loadsMemberEngagementWithExactlyTheFeaturesOfTheTable() {
    FeatureGroup g = Groups.memberEngagement();
    assertThat(g.features())
        .extracting(FeatureDefinition::name)
        .containsExactly(
            "clicks_1h",
            "ctr_1h",
            "distinct_titles_24h",
            "diversity_24h",
            "engagement_rate_1h",
            "genre_affinity_24h",
            "impressions_1h",
            "plays_1h",
            "plays_1m",
            "plays_24h",
            "plays_5m",
            "plays_tumbling_5m",
            "recency_genre_pref_24h",
            "searches_1h",
            "session_seconds",
            "watch_seconds_1h",
            "watch_seconds_24h");
    assertThat(g.ttl()).isEqualTo(Duration.ofHours(48));
    assertThat(g.allowedLatenessMs()).isEqualTo(300_000);
    assertThat(g.feature("plays_1m").window()).isEqualTo(new Window.Sliding(60_000, 1_000));
    assertThat(g.feature("plays_5m").window()).isEqualTo(new Window.Sliding(300_000, 10_000));
    assertThat(g.feature("plays_1h").window()).isEqualTo(new Window.Sliding(3_600_000, 60_000));
    assertThat(g.feature("plays_24h").window()).isEqualTo(new Window.Sliding(86_400_000, 300_000));
    assertThat(g.feature("plays_tumbling_5m").window()).isEqualTo(new Window.Tumbling(300_000));
  }

  @Test
  void javaBuilderAndHoconDeclareTheSameGroup() {
    EventFilter stops = EventFilter.types(EventType.STOP);
    Window day = Window.sliding(Duration.ofHours(24));
    Window hour = Window.sliding(Duration.ofHours(1));
    ValueRange nonNegative = ValueRange.atLeast(0);
    FeatureGroup built =
        FeatureGroup.builder("member_engagement", 1)
            .ttl(Duration.ofHours(48))
            .count("plays_1m", Duration.ofMinutes(1), EventType.PLAY)
            .count("plays_5m", Duration.ofMinutes(5), EventType.PLAY)
            .count("plays_1h", Duration.ofHours(1), EventType.PLAY)
            .count("plays_24h", Duration.ofHours(24), EventType.PLAY)
            .feature(
                "plays_tumbling_5m",
                new Aggregation.Count(),
                EventFilter.types(EventType.PLAY),
                Window.tumbling(Duration.ofMinutes(5)),
                nonNegative)
            .count("clicks_1h", Duration.ofHours(1), EventType.CLICK)
            .count("impressions_1h", Duration.ofHours(1), EventType.IMPRESSION)
            .count("searches_1h", Duration.ofHours(1), EventType.SEARCH)
            .feature(
                "ctr_1h",
                new Aggregation.Ratio(
                    Aggregation.Operand.count(EventFilter.types(EventType.CLICK)),
                    Aggregation.Operand.count(EventFilter.types(EventType.IMPRESSION)),
                    0.0),
                EventFilter.all(),
                hour,
                new ValueRange(0, 1))
            .feature(
                "watch_seconds_1h",
                new Aggregation.Sum(EventField.WATCHED_SECONDS),
                stops,
                hour,
                nonNegative)
            .feature(
                "watch_seconds_24h",
                new Aggregation.Sum(EventField.WATCHED_SECONDS),
                stops,
                day,
                nonNegative)
            .feature(
                "distinct_titles_24h",
                new Aggregation.DistinctCount(EventField.TITLE_ID, 1000),
                EventFilter.types(EventType.PLAY),
                day,
                nonNegative)
            .feature(
                "genre_affinity_24h",
                new Aggregation.CategoryShare(EventField.GENRE, EventField.WATCHED_SECONDS),
                stops,
                day,
                new ValueRange(0, 1))
            .feature(
                "diversity_24h",
                new Aggregation.Entropy(EventField.GENRE, EventField.WATCHED_SECONDS),
                stops,
                day,
                nonNegative)
            .feature(
                "recency_genre_pref_24h",
                new Aggregation.DecayedCategorySum(
                    EventField.GENRE, EventField.WATCHED_SECONDS, Duration.ofHours(6).toMillis()),
                stops,
                day,
                nonNegative)
            .feature(
                "session_seconds",
                new Aggregation.SessionDuration(Duration.ofMinutes(30).toMillis()),
                EventFilter.all(),
                day,
                nonNegative)
            .feature(
                "engagement_rate_1h",
                new Aggregation.Ratio(
                    Aggregation.Operand.count(
                        EventFilter.types(EventType.PLAY, EventType.CLICK, EventType.RATE)),
                    Aggregation.Operand.count(EventFilter.types(EventType.IMPRESSION)),
                    0.0),
                EventFilter.all(),
                hour,
                nonNegative)
            .build();
    assertThat(built).isEqualTo(Groups.memberEngagement());
  }

  @Test
  void loadsTheReadmeExample() {
    FeatureGroup g =
        load("""
        tessera.feature-groups.device_quality {
          version = 1
          ttl = 24h
          features {
            bandwidth_avg_1h { aggregation = avg, field = bandwidthKbps, types = [device], window = 1h, range { min = 0 } }
            long_watches_24h {
              aggregation = count, types = [stop], window = 24h
              where = [{ field = watchedSeconds, op = ">=", value = 1200 }]
            }
          }
        }
        """)
            .get(0);
    assertThat(g.features())
        .extracting(FeatureDefinition::name)
        .containsExactly("bandwidth_avg_1h", "long_watches_24h");
    assertThat(g.allowedLatenessMs()).isEqualTo(300_000);
  }

  @Test
  void loadsOptionalKeys() {
    FeatureGroup g =
        load("tessera.feature-groups.g { version = 3, ttl = 1h, allowed-lateness = 30s, features {"
                + " f { aggregation = sum, field = watchedSeconds, types = [stop], window = 10m, hop = 30s,"
                + "     where = [{ field = watchedSeconds, op = \">=\", value = 60 }, { field = genre, op = \"!=\", value = x }],"
                + "     range { min = 0, max = 86400 } } } }")
            .get(0);
    assertThat(g.version()).isEqualTo(3);
    assertThat(g.allowedLatenessMs()).isEqualTo(30_000);
    FeatureDefinition f = g.feature("f");
    assertThat(f.window()).isEqualTo(new Window.Sliding(600_000, 30_000));
    assertThat(f.filter().conditions())
        .containsExactly(
            Condition.numeric(EventField.WATCHED_SECONDS, Condition.Op.GE, 60),
            Condition.text(EventField.GENRE, Condition.Op.NE, "x"));
    assertThat(f.range()).isEqualTo(new ValueRange(0, 86400));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      aggregation = count                                       | f.window: is required
      window = 1h                                               | f.aggregation: is required
      aggregation = median, window = 1h                         | f.aggregation: unknown aggregation 'median' (count, sum, avg, min, max, last, distinct-count, decayed-sum, category-share, entropy, decayed-category-sum, session-duration, ratio)
      aggregation = count, window = soon                        | f.window: must be a duration such as 5m or 24h
      aggregation = count, window = 1500ms                      | f.window: must be a positive whole number of seconds
      aggregation = count, window = 61m                         | f.window: window 3660 s is not a multiple of its hop 300 s
      aggregation = count, window = 10m, hop = 7m               | f.hop: window 600 s is not a multiple of its hop 420 s
      aggregation = count, window = 10m, window-type = hopping  | f.window-type: must be sliding or tumbling, not 'hopping'
      aggregation = count, window = 10m, window-type = tumbling, hop = 1m | f.hop: a tumbling window has no hop
      aggregation = count, window = 1h, types = [play, watch]   | f.types[1]: unknown event type 'watch'
      aggregation = count, window = 1h, types = []              | f.types: must not be empty (omit it to accept every type)
      aggregation = count, window = 1h, types = play            | f.types: must be a list
      aggregation = sum, window = 1h                            | f.field: is required
      aggregation = sum, field = titleId, window = 1h           | f.field: field 'titleId' is not numeric
      aggregation = sum, field = duration, window = 1h          | f.field: unknown event field 'duration'
      aggregation = distinct-count, field = rating, window = 1h | f.field: field 'rating' is not a category
      aggregation = distinct-count, field = titleId, window = 1h, max-distinct = 0 | f.max-distinct: must be in 1..1000000, was 0
      aggregation = decayed-sum, field = rating, window = 1h    | f.half-life: is required
      aggregation = decayed-sum, field = rating, window = 1h, half-life = 0s | f.half-life: must be positive
      aggregation = session-duration, window = 24h, gap = 1m    | f.gap: must be at least the window's tile (300 s)
      aggregation = ratio, window = 1h, numerator { aggregation = count } | f.denominator: is required
      aggregation = ratio, window = 1h, numerator { aggregation = max, field = rating }, denominator { aggregation = count } | f.numerator.aggregation: a ratio operand must be count or sum
      aggregation = count, window = 1h, where = [{ field = rating, op = "~", value = 1 }] | f.where[0].op: unknown operator '~' (= != < <= > >=)
      aggregation = count, window = 1h, where = [{ field = genre, op = "<", value = x }] | f.where[0].op: category field genre supports only = and !=
      aggregation = count, window = 1h, where = [{ field = rating, op = "=" }] | f.where[0].value: is required
      aggregation = count, window = 1h, range { min = 2, max = 1 } | f.range: min must not exceed max
      aggregation = count, window = 1h, colour = blue           | f.colour: unknown key
      """)
  void rejectsInvalidFeatureNamingPathAndReason(String body, String message) {
    assertThatThrownBy(() -> loadFeature(body))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(P.substring(0, P.length() - 1) + message);
  }

  @Test
  void rejectsInvalidGroupNamingPathAndReason() {
    String f = "features { f { aggregation = count, window = 1h } }";
    assertThatThrownBy(() -> load("tessera.feature-groups.g { ttl = 1h, " + f + " }"))
        .hasMessage("tessera.feature-groups.g.version: is required");
    assertThatThrownBy(() -> load("tessera.feature-groups.g { version = 0, ttl = 1h, " + f + " }"))
        .hasMessage("tessera.feature-groups.g.version: must be in 1..2147483647, was 0");
    assertThatThrownBy(
            () -> load("tessera.feature-groups.g { version = \"one\", ttl = 1h, " + f + " }"))
        .hasMessage("tessera.feature-groups.g.version: must be an integer");
    assertThatThrownBy(() -> load("tessera.feature-groups.g { version = 1, ttl = 0s, " + f + " }"))
        .hasMessage("tessera.feature-groups.g.ttl: must be positive");
    assertThatThrownBy(() -> load("tessera.feature-groups.g { version = 1, ttl = 1h }"))
        .hasMessage("tessera.feature-groups.g.features: is required");
    assertThatThrownBy(
            () -> load("tessera.feature-groups.g { version = 1, ttl = 1h, features {} }"))
        .hasMessage("tessera.feature-groups.g.features: a group needs at least one feature");
    assertThatThrownBy(
            () -> load("tessera.feature-groups.g { version = 1, ttl = 1h, features { F { } } }"))
        .hasMessage(
            "tessera.feature-groups.g.features: feature name 'F' must match [a-z][a-z0-9_]{0,63}");
    assertThatThrownBy(() -> load("tessera.feature-groups.G { version = 1, ttl = 1h, " + f + " }"))
        .hasMessage("tessera.feature-groups.G: group name must match [a-z][a-z0-9_]{0,63}");
    assertThatThrownBy(
            () ->
                load(
                    "tessera.feature-groups.g { version = 1, ttl = 1h, features { f { aggregation = count, window = 21d } } }"))
        .hasMessage(
            "tessera.feature-groups.g: the longest window plus the allowed lateness must not exceed 20 days");
    assertThatThrownBy(() -> load("tessera.feature-groups.g = 3"))
        .hasMessage("tessera.feature-groups.g: must be an object");
    assertThatThrownBy(
            () -> load("tessera.feature-groups.g { version = 1, ttl = 1h, features { f = 1 } }"))
        .hasMessage("tessera.feature-groups.g.features.f: must be an object");
  }

  @Test
  void registryKeepsPublishedVersionsImmutable() {
    FeatureRegistry registry = new FeatureRegistry();
    FeatureGroup v1 =
        FeatureGroup.builder("g", 1).count("plays_1h", Duration.ofHours(1), EventType.PLAY).build();
    registry.register(v1);
    registry.register(
        FeatureGroup.builder("g", 1)
            .count("plays_1h", Duration.ofHours(1), EventType.PLAY)
            .build());
    FeatureGroup changed =
        FeatureGroup.builder("g", 1)
            .count("plays_1h", Duration.ofHours(1), EventType.PLAY, EventType.PAUSE)
            .build();
    assertThatThrownBy(() -> registry.register(changed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "feature group g v1 is already published with a different definition; publish it as version 2");
    FeatureGroup v2 =
        FeatureGroup.builder("g", 2).count("plays_1h", Duration.ofHours(1), EventType.PLAY).build();
    registry.register(v2);
    assertThat(registry.get("g", 1)).isEqualTo(v1);
    assertThat(registry.latest("g")).contains(v2);
    assertThat(registry.all()).containsExactly(v1, v2);
    assertThatThrownBy(() -> registry.get("g", 3)).hasMessage("no feature group g v3");
  }

  @Test
  void registryLoadsTheShippedReferenceConf() {
    FeatureRegistry registry = FeatureRegistry.fromConfig(ConfigFactory.load());
    assertThat(registry.find("member_engagement", 1)).isPresent();
    EngineSettings settings = EngineSettings.create(ConfigFactory.load());
    assertThat(settings.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.futureTolerance()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.maxEventBytes()).isEqualTo(65536);
  }

  @Test
  void engineSettingsNameTheFailingKey() {
    assertThatThrownBy(
            () ->
                EngineSettings.create(
                    ConfigFactory.parseString("tessera.engine { allowed-lateness = -1m }")
                        .withFallback(ConfigFactory.defaultReference())))
        .hasMessage("tessera.engine.allowed-lateness: must not be negative");
  }
}
