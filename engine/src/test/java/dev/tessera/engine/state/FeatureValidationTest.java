package dev.tessera.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.EventFilter;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.ValueRange;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.testkit.Groups;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FeatureValidationTest {

  private static final long T0 = 1_767_225_600_000L;

  @Test
  void countsNullsAndOutOfRangeValuesPerFeature() {
    FeatureGroup group =
        FeatureGroup.builder("g", 1)
            .feature(
                "avg_rating",
                new Aggregation.Avg(EventField.RATING),
                EventFilter.types(EventType.RATE),
                Window.sliding(Duration.ofHours(1)),
                new ValueRange(1, 5))
            .feature(
                "clicks",
                new Aggregation.Count(),
                EventFilter.types(EventType.CLICK),
                Window.sliding(Duration.ofHours(1)),
                new ValueRange(0, 1))
            .build();
    MemberFeatureState state = MemberFeatureState.create(group, "m");
    for (int i = 0; i < 3; i++) {
      state.apply(EnrichedEvent.of(Event.ofTitle("c" + i, "m", EventType.CLICK, T0 + i, "t")));
    }
    FeatureValidation.Report report = FeatureValidation.validate(group, state.snapshot(T0 + 10, 0));
    assertThat(report.features().get("avg_rating"))
        .isEqualTo(new FeatureValidation.Check(1, 1, 0, 0));
    assertThat(report.features().get("clicks")).isEqualTo(new FeatureValidation.Check(1, 0, 0, 1));
    assertThat(report.ok()).isFalse();

    FeatureValidation.Stats stats = new FeatureValidation.Stats();
    stats.add(report);
    stats.add(
        FeatureValidation.validate(group, MemberFeatureState.create(group, "n").snapshot(T0, 0)));
    assertThat(stats.snapshots()).isEqualTo(2);
    assertThat(stats.nullRate()).containsEntry("avg_rating", 1.0).containsEntry("clicks", 0.0);
    assertThat(stats.outOfRangeRate()).containsEntry("clicks", 0.5);
  }

  @Test
  void snapshotsSerialiseToJsonWithJackson() throws Exception {
    MemberFeatureState state = MemberFeatureState.create(Groups.memberEngagement(), "m");
    state.apply(EnrichedEvent.of(Event.stop("s", "m", T0, "t", 300), "drama"));
    String json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(state.snapshot(T0 + 1, 7));
    assertThat(json)
        .contains(
            "\"memberId\":\"m\"",
            "\"watch_seconds_1h\":300.0",
            "\"genre_affinity_24h\":{\"drama\":1.0}",
            "\"computedAt\":7",
            "\"expiresAt\":" + (T0 + 48 * 3_600_000L));
  }

  @Test
  void memberEngagementSnapshotsOfRealisticActivityAreValid() {
    FeatureGroup group = Groups.memberEngagement();
    MemberFeatureState state = MemberFeatureState.create(group, "m");
    state.apply(EnrichedEvent.of(Event.ofTitle("i", "m", EventType.IMPRESSION, T0, "t")));
    state.apply(EnrichedEvent.of(Event.ofTitle("c", "m", EventType.CLICK, T0 + 1, "t")));
    state.apply(EnrichedEvent.of(Event.stop("s", "m", T0 + 2, "t", 300), "drama", "comedy"));
    FeatureValidation.Report report = FeatureValidation.validate(group, state.snapshot(T0 + 3, 0));
    assertThat(report.ok()).isTrue();
    assertThat(report.features().get("genre_affinity_24h").values()).isEqualTo(2);
  }
}
