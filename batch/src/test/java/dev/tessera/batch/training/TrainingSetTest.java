package dev.tessera.batch.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.FeatureColumns;
import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.batch.testkit.DomainLog;
import dev.tessera.batch.testkit.Oracle;
import dev.tessera.batch.testkit.TestSettings;
import dev.tessera.batch.testkit.SparkTest;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.event.TitleMetadata;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labels, splits, point-in-time features and the leakage check of training sets. */
class TrainingSetTest extends SparkTest {
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  static final long MIN = 60_000L;
  static final long HOUR = 60 * MIN;

  static FeatureRegistry registry;
  static FeatureGroup members;
  static FeatureGroup titles;

  @BeforeAll
  static void start() {
    registry = FeatureRegistry.fromConfig(ConfigFactory.load());
    members = registry.get("member_engagement", 1);
    titles = registry.get("title_popularity", 1);
  }

  static TitleCatalogue catalogue() {
    return TitleCatalogue.of(Map.of(
        "t-1", new TitleMetadata("t-1", List.of("drama"), 3600),
        "t-2", new TitleMetadata("t-2", List.of("comedy"), 1800)));
  }

  static BatchSettings settings(Path dir, double train, double validation) {
    return BatchSettings.create(ConfigFactory.parseMap(Map.of(
            "tessera.batch.training.split.train", train,
            "tessera.batch.training.split.validation", validation,
            "tessera.batch.kafka.emit-signals", false))
        .withFallback(TestSettings.config("127.0.0.1:1", "", dir)));
  }

  static int n;

  static void add(DomainLog log, Event e) {
    log.append(EnrichedEvent.enrich(e, catalogue()), e.eventTime() + 100);
  }

  static Event title(String member, EventType type, long time, String title) {
    return Event.ofTitle("e" + n++, member, type, time, title);
  }

  @Test
  void labelsAndSplitsOnAHandBuiltCase(@TempDir Path dir) {
    DomainLog log = DomainLog.empty(catalogue());
    add(log, Event.rate("e" + n++, "m-a", T0 + HOUR, "t-1", 5)); // 1 explicit
    add(log, Event.rate("e" + n++, "m-a", T0 + 2 * HOUR, "t-2", 3)); // no label
    add(log, Event.rate("e" + n++, "m-a", T0 + 3 * HOUR, "t-2", 1)); // 0 explicit
    add(log, Event.stop("e" + n++, "m-b", T0 + 4 * HOUR, "t-1", 700)); // 1 watch
    add(log, Event.stop("e" + n++, "m-b", T0 + 5 * HOUR, "t-2", 100)); // too short: no label
    add(log, title("m-b", EventType.IMPRESSION, T0 + 6 * HOUR, "t-1")); // played 10 min later
    add(log, title("m-b", EventType.PLAY, T0 + 6 * HOUR + 10 * MIN, "t-1"));
    add(log, title("m-b", EventType.IMPRESSION, T0 + 7 * HOUR, "t-2")); // 0: never played
    add(log, title("m-b", EventType.IMPRESSION, T0 + 8 * HOUR, "t-1")); // 0: played after 31 min
    add(log, title("m-b", EventType.PLAY, T0 + 8 * HOUR + 31 * MIN, "t-1"));
    add(log, title("m-c", EventType.IMPRESSION, T0 + 10 * HOUR, "t-2")); // censored
    add(log, Event.device("e" + n++, "m-c", T0 + 10 * HOUR + 20 * MIN, 5000, 20, "hd"));
    BatchSettings settings = settings(dir, 0.6, 0.3);
    Dataset<Row> archive = spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA);

    Dataset<Row> labels = Labels.build(archive, settings.training());
    TrainingSet.Boundaries split = TrainingSet.boundaries(labels, settings.training());
    List<Row> rows = TrainingSet.build(archive, labels, members, titles, split, 0, 0)
        .orderBy(Labels.LABEL_TIME).collectAsList();

    assertThat(rows.stream().map(r -> String.join(" ", r.<String>getAs("member_id"),
            r.<String>getAs("title_id"), "+" + (r.<Long>getAs(Labels.LABEL_TIME) - T0) / MIN + "m",
            "" + r.<Integer>getAs(Labels.LABEL), r.<String>getAs(Labels.SOURCE),
            r.<String>getAs(TrainingSet.SPLIT))))
        .containsExactly(
            "m-a t-1 +60m 1 explicit_rating train",
            "m-a t-2 +180m 0 explicit_rating train",
            "m-b t-1 +240m 1 implicit_watch train",
            "m-b t-2 +420m 0 implicit_impression validation",
            "m-b t-1 +480m 0 implicit_impression test");
    Row last = rows.get(4);
    assertThat(last.<Long>getAs("member_as_of")).isEqualTo(T0 + 8 * HOUR - 1);
    assertThat(last.<Long>getAs("member_plays_24h")).isEqualTo(1L);
    assertThat(last.<Long>getAs("member_impressions_1h")).isEqualTo(1L); // the 7 h one, not its own
    assertThat(last.<Long>getAs("title_plays_24h")).isEqualTo(1L);
    assertThat(last.<Long>getAs("title_impressions_24h")).isEqualTo(1L);
    assertThat(rows.get(0).<Long>getAs("member_max_ingested_at")).isNull(); // nothing before it
  }

  @Test
  void aLateArrivingEventIsInvisibleToLabelsBeforeItsArrival(@TempDir Path dir) {
    DomainLog log = DomainLog.empty(catalogue());
    log.append(EnrichedEvent.enrich(title("m-l", EventType.PLAY, T0, "t-1"), catalogue()), T0 + 100);
    add(log, Event.rate("e" + n++, "m-l", T0 + 10 * MIN, "t-1", 5));
    // played at T0 + 1 min, but ingestion only got it two hours later
    log.append(EnrichedEvent.enrich(title("m-l", EventType.PLAY, T0 + MIN, "t-2"), catalogue()),
        T0 + 2 * HOUR);
    add(log, Event.rate("e" + n++, "m-l", T0 + 3 * HOUR, "t-1", 1));
    BatchSettings settings = settings(dir, 0.7, 0.15);
    Dataset<Row> archive = spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA);

    Dataset<Row> labels = Labels.build(archive, settings.training());
    List<Row> rows = TrainingSet.build(archive, labels, members, titles,
            TrainingSet.boundaries(labels, settings.training()), 0, 0)
        .orderBy(Labels.LABEL_TIME).collectAsList();

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).<Long>getAs("member_plays_24h"))
        .as("the play at T0 + 1 min had not arrived at T0 + 10 min").isEqualTo(1L);
    assertThat(rows.get(0).<Long>getAs("member_max_ingested_at")).isEqualTo(T0 + 100);
    assertThat(rows.get(1).<Long>getAs("member_plays_24h")).isEqualTo(2L);
    assertThat(rows.get(1).<Long>getAs("member_max_ingested_at")).isEqualTo(T0 + 2 * HOUR);
  }

  @Test
  void theLeakageCheckFailsLoudlyOnADeliberatelyLeakingSet(@TempDir Path dir) {
    DomainLog log = DomainLog.simulate(
        SimulationConfig.builder(5L).members(20).titles(20).malformedFraction(0).build(), 2_000);
    BatchSettings settings = settings(dir, 0.7, 0.15);
    Dataset<Row> archive = spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA);
    Dataset<Row> labels = Labels.build(archive, settings.training()).persist();
    TrainingSet.Boundaries split = TrainingSet.boundaries(labels, settings.training());
    Dataset<Row> honest = TrainingSet.build(archive, labels, members, titles, split, 0, 0).persist();
    long rows = honest.count();
    assertThat(rows).isGreaterThan(50);
    assertThat(LeakageCheck.require(honest, "member_", "title_").violations()).isZero();

    // features read as of the label's own instant (the outcome's instant is not strictly before)
    Dataset<Row> atLabel = TrainingSet.build(archive, labels, members, titles, split, 0, 1);
    assertThatThrownBy(() -> LeakageCheck.require(atLabel, "member_", "title_"))
        .isInstanceOf(LeakageCheck.LeakageException.class)
        .hasMessageStartingWith("LEAKAGE: " + rows + " of " + rows + " training rows");
    // features that saw an event ingested after their as-of
    Dataset<Row> sawTheFuture = honest.withColumn("title_max_ingested_at",
        functions_when(col(Labels.LABEL_ID).mod(10).equalTo(0), col("title_as_of").plus(1),
            col("title_max_ingested_at")));
    long tampered = honest.where(col(Labels.LABEL_ID).mod(10).equalTo(0)).count();
    assertThat(tampered).isPositive();
    assertThatThrownBy(() -> LeakageCheck.require(sawTheFuture, "member_", "title_"))
        .isInstanceOf(LeakageCheck.LeakageException.class)
        .hasMessageStartingWith("LEAKAGE: " + tampered + " of " + rows);
  }

  private static org.apache.spark.sql.Column functions_when(
      org.apache.spark.sql.Column c, org.apache.spark.sql.Column then,
      org.apache.spark.sql.Column otherwise) {
    return org.apache.spark.sql.functions.when(c, then).otherwise(otherwise);
  }

  @Test
  void theTrainingSetJobWritesKernelExactFeaturesAndAPassingReport(@TempDir Path dir)
      throws Exception {
    DomainLog log = DomainLog.simulate(SimulationConfig.builder(9L).members(30).titles(30)
        .malformedFraction(0).lateFraction(0.01).duplicateFraction(0.01).build(), 4_000);
    BatchSettings settings = settings(dir, 0.7, 0.15);
    spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA).write()
        .partitionBy(ArchiveSchema.EVENT_DATE).parquet(settings.archivePath());

    Summary summary = new Summary("training-set");
    TrainingSetJob.Result result = TrainingSetJob.run(spark, settings, registry, null, summary);

    ValidationReport report = result.report();
    assertThat(report.rows()).isGreaterThan(100);
    assertThat(report.rows("train") + report.rows("validation") + report.rows("test"))
        .isEqualTo(report.rows());
    assertThat(report.completeness()).isGreaterThan(0.98);
    Map<?, ?> json = new ObjectMapper().readValue(
        Files.readAllBytes(Path.of(settings.training().reportPath()).resolve("report.json")), Map.class);
    assertThat(((Map<?, ?>) json.get("leakage")).get("violations")).isEqualTo(0);
    assertThat(Files.readString(Path.of(settings.training().reportPath()).resolve("report.md")))
        .contains("## Leakage check", "violations: **0** (passed)", "member_plays_24h");
    assertThat(result.signal().id()).startsWith("features_ready/member_engagement/1/");
    assertThat(result.signal().payload()).containsEntry("rows", report.rows());

    // every member feature of every row equals the reference implementation as of label - 1 ms
    Map<String, Map<EventStream, List<TimedEvent>>> byMember = log.byMember();
    List<Row> rows = spark.read().parquet(settings.training().outputPath()).collectAsList();
    for (Row row : rows) {
      String member = row.getAs("member_id");
      long asOf = row.<Long>getAs(Labels.LABEL_TIME) - 1;
      FeatureSnapshot expected = Oracle.asOf(members, member, byMember.get(member), asOf);
      Map<String, Object> actual = FeatureColumns.values(members, row, "member_");
      for (var e : expected.values().entrySet()) {
        assertThat(SnapshotDifference.ofValue(e.getValue(), actual.get(e.getKey())))
            .as("%s %s", member, e.getKey()).isNull();
      }
    }
    // the same run again emits the same signal id (the orchestrator dedups)
    assertThat(TrainingSetJob.run(spark, settings, registry, null, new Summary("again"))
        .signal().id()).isEqualTo(result.signal().id());
    assertThat(rows.stream().map(r -> r.<String>getAs(TrainingSet.SPLIT))
        .collect(Collectors.toSet())).containsExactlyInAnyOrder("train", "validation", "test");
  }
}
