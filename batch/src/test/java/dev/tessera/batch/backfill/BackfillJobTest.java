package dev.tessera.batch.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.testkit.DomainLog;
import dev.tessera.batch.testkit.Oracle;
import dev.tessera.batch.testkit.TestSettings;
import dev.tessera.batch.testkit.SparkTest;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backfill and snapshot jobs from an archive on disk: output columns and kernel values. */
class BackfillJobTest extends SparkTest {

  @Test
  void backfillTakesEpochAndIsoInstantsAndSnapshotCoversEveryMemberAtEveryBoundary(
      @TempDir Path dir) throws Exception {
    DomainLog log =
        DomainLog.simulate(
            SimulationConfig.builder(42L).members(12).titles(30).malformedFraction(0).build(),
            1_500);
    BatchSettings settings = BatchSettings.create(ConfigFactory.parseMap(Map.of(
            "tessera.batch.kafka.emit-signals", false))
        .withFallback(TestSettings.config("127.0.0.1:1", "", dir)));
    spark.createDataFrame(log.rows(), ArchiveSchema.SCHEMA).write().mode(SaveMode.Overwrite)
        .parquet(settings.archivePath());
    FeatureGroup group =
        dev.tessera.engine.definition.FeatureRegistry.fromConfig(ConfigFactory.load())
            .get("member_engagement", 1);
    Map<String, Map<EventStream, List<TimedEvent>>> byMember = log.byMember();
    List<String> members = new ArrayList<>(byMember.keySet());
    long late = log.lastIngestedAt();
    long early = log.firstIngestedAt() + (late - log.firstIngestedAt()) / 2;
    List<String> lines = new ArrayList<>(List.of("member_id,as_of,note"));
    for (String m : members.subList(0, 4)) {
      lines.add(m + "," + late + ",epoch");
      lines.add(m + "," + Instant.ofEpochMilli(early) + ",iso");
    }
    Path spine = dir.resolve("spine.csv");
    Files.write(spine, lines);
    String out = dir.resolve("backfill").toString();

    long rows = BackfillJob.backfill(spark, settings, group, spine.toString(), out, null,
        new Summary("backfill"));

    assertThat(rows).isEqualTo(8);
    List<Row> written = spark.read().parquet(out).collectAsList();
    assertThat(spark.read().parquet(out).columns())
        .startsWith("member_id", "as_of", "note", "max_ingested_at")
        .contains(FeatureColumns.names(group).toArray(new String[0]));
    for (Row r : written) {
      String m = r.getAs("member_id");
      long t = r.<Long>getAs("as_of");
      assertThat(t).isEqualTo(r.<String>getAs("note").equals("iso") ? early : late);
      FeatureSnapshot expected = Oracle.asOf(group, m, byMember.get(m), t);
      Map<String, Object> actual = FeatureColumns.values(group, r, "");
      for (Map.Entry<String, Object> e : expected.values().entrySet()) {
        assertThat(SnapshotDifference.ofValue(e.getValue(), actual.get(e.getKey())))
            .as("%s as of %d: %s", m, t, e.getKey()).isNull();
      }
    }

    String store = dir.resolve("store").toString();
    Instant from = Instant.ofEpochMilli(log.firstIngestedAt());
    long snapshots = BackfillJob.snapshot(spark, settings, group, from,
        from.plus(Duration.ofHours(3)), Duration.ofHours(1), store, null, new Summary("snapshot"));
    assertThat(snapshots).isEqualTo(members.size() * 3L);
    assertThat(spark.read().parquet(store).columns()).contains("snapshot_date", "as_of");
  }
}
