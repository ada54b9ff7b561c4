package dev.tessera.batch.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.testkit.DomainLog;
import dev.tessera.batch.testkit.Oracle;
import dev.tessera.batch.testkit.SparkTest;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill equals the engine's reference implementation on the same events: a seeded simulation
 * (out-of-order, late and duplicate events, unknown titles) through the Spark point-in-time join,
 * compared value by value with {@link dev.tessera.engine.reference.ReferenceEngine} fed each
 * member's events ingested at or before the instant, each stream in offset order.
 */
class PointInTimeJoinTest extends SparkTest {
  static final StructType SPINE =
      new StructType()
          .add(PointInTimeJoin.ROW_ID, DataTypes.LongType, false)
          .add(ArchiveSchema.MEMBER_ID, DataTypes.StringType, false)
          .add(PointInTimeJoin.AS_OF, DataTypes.LongType, false);

  static FeatureGroup group;

  @BeforeAll
  static void start() {
    group = FeatureRegistry.fromConfig(ConfigFactory.load()).get("member_engagement", 1);
  }

  @Test
  void backfillEqualsTheReferenceImplementationAsOfEverySpineInstant() {
    assertEqualsTheReferenceImplementation(archive -> archive);
  }

  /**
   * The same through a Parquet archive, which the join reads in its columnar batches: several
   * files of several row groups, so dictionary-encoded columns change dictionaries between batches.
   */
  @Test
  void aParquetArchiveReadInColumnarBatchesGivesTheSameValues(@TempDir Path dir) {
    String path = dir.resolve("archive").toString();
    assertEqualsTheReferenceImplementation(
        archive -> {
          archive.repartition(3).write().option("parquet.block.size", 32 * 1024).parquet(path);
          return spark.read().parquet(path);
        });
  }

  private void assertEqualsTheReferenceImplementation(UnaryOperator<Dataset<Row>> archiveOf) {
    DomainLog log =
        DomainLog.simulate(
            SimulationConfig.builder(20261127L).members(40).titles(60).duplicateFraction(0.02)
                .lateFraction(0.01).unknownTitleFraction(0.02).malformedFraction(0).build(),
            6_000);
    Map<String, Map<EventStream, List<TimedEvent>>> byMember = log.byMember();
    Random random = new Random(7);
    List<Row> spine = new ArrayList<>();
    Map<Long, Object[]> requests = new HashMap<>();
    long from = log.firstIngestedAt() - 60_000;
    long to = log.lastIngestedAt() + 3 * 3_600_000L;
    List<String> members = new ArrayList<>(byMember.keySet());
    members.add("m-without-events");
    long id = 0;
    for (String member : members) {
      List<Long> instants = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        instants.add(from + (long) (random.nextDouble() * (to - from)));
      }
      // exactly at an ingestion instant: that event is visible (ingestedAt <= t)
      byMember.getOrDefault(member, Map.of()).values().stream().flatMap(List::stream)
          .filter(e -> random.nextInt(20) == 0).forEach(e -> instants.add(e.ingestedAt()));
      for (long t : instants) {
        spine.add(RowFactory.create(id, member, t));
        requests.put(id++, new Object[] {member, t});
      }
    }
    Dataset<Row> events =
        archiveOf.apply(spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA));
    Dataset<Row> features =
        new PointInTimeJoin(group, PointInTimeJoin.Entity.MEMBER, "", 0)
            .compute(events, spark.createDataFrame(spine, SPINE));
    List<Row> rows = features.collectAsList();

    assertThat(rows).hasSize(spine.size());
    int nonZero = 0;
    for (Row row : rows) {
      Object[] request = requests.get(row.getLong(0));
      String member = (String) request[0];
      long t = (Long) request[1];
      FeatureSnapshot expected =
          Oracle.asOf(group, member, byMember.getOrDefault(member, Map.of()), t);
      Map<String, Object> actual = FeatureColumns.values(group, row, "");
      assertThat(row.getLong(1)).isEqualTo(t);
      for (Map.Entry<String, Object> e : expected.values().entrySet()) {
        assertThat(SnapshotDifference.ofValue(e.getValue(), actual.get(e.getKey())))
            .as("%s as of %d: %s expected %s but was %s", member, t, e.getKey(), e.getValue(),
                actual.get(e.getKey()))
            .isNull();
      }
      if (!expected.values().get("plays_24h").equals(0L)) {
        nonZero++;
      }
    }
    assertThat(nonZero).as("rows with plays in the last 24 h").isGreaterThan(rows.size() / 3);
  }

  @Test
  void titleFeaturesCountEveryMembersEventsOfTheTitle() {
    FeatureGroup titles =
        FeatureRegistry.fromConfig(ConfigFactory.load()).get("title_popularity", 1);
    DomainLog log = DomainLog.empty(TitleCatalogue.empty());
    long t0 = 1_764_000_000_000L;
    for (int i = 0; i < 30; i++) {
      // the same event id for different members must not count as a duplicate of the title
      Event play = Event.ofTitle("e-" + (i % 3), "m-" + i, EventType.PLAY, t0 + i * 60_000L, "t-1");
      log.append(new EnrichedEvent(play, List.of(), true), t0 + i * 60_000L + 50);
    }
    Dataset<Row> spine =
        spark.createDataFrame(
            List.of(RowFactory.create(1L, "t-1", t0 + 10 * 60_000L + 49),
                RowFactory.create(2L, "t-1", t0 + 10 * 60_000L + 50),
                RowFactory.create(3L, "t-2", t0 + 10 * 60_000L)),
            new StructType().add("row_id", DataTypes.LongType).add("title_id", DataTypes.StringType)
                .add("as_of", DataTypes.LongType));
    Map<Long, Row> byId = new HashMap<>();
    new PointInTimeJoin(titles, PointInTimeJoin.Entity.TITLE, "title_", 0)
        .compute(spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA), spine).collectAsList()
        .forEach(r -> byId.put(r.getLong(0), r));

    assertThat(byId.get(1L).<Long>getAs("title_plays_24h")).isEqualTo(10L);
    assertThat(byId.get(2L).<Long>getAs("title_plays_24h")).isEqualTo(11L);
    assertThat(byId.get(3L).<Long>getAs("title_plays_24h")).isZero();
    assertThat(byId.get(3L).isNullAt(2)).as("no event seen").isTrue();
  }
}
