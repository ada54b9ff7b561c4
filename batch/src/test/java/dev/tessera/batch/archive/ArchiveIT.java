package dev.tessera.batch.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.testkit.DomainLog;
import dev.tessera.batch.testkit.DomainTopics;
import dev.tessera.batch.testkit.TestSettings;
import dev.tessera.batch.testkit.SparkTest;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The archive job on a real broker: committed records only, each exactly once, across re-runs. */
@ExtendWith(LocalInfrastructureExtension.class)
class ArchiveIT extends SparkTest {

  @Test
  void archivesCommittedRecordsOnceAcrossRerunsAndNewOffsets(
      EmbeddedKafka kafka, TestNamespace names, @TempDir Path dir) throws Exception {
    String prefix = names.prefix() + "-";
    DomainTopics.create(kafka.bootstrapServers(), prefix);
    BatchSettings settings = TestSettings.create(kafka.bootstrapServers(), prefix, dir);
    List<DomainLog.Record> all =
        DomainLog.simulate(SimulationConfig.builder(11L).members(30).titles(40).build(), 3_000)
            .records();
    List<DomainLog.Record> first = all.subList(0, 2_000);
    List<DomainLog.Record> second = all.subList(2_000, all.size());

    List<DomainLog.Record> committed =
        new ArrayList<>(DomainTopics.produce(kafka.bootstrapServers(), prefix, first, true));
    DomainTopics.produce(kafka.bootstrapServers(), prefix, second.subList(0, 300), false);

    ArchiveJob.Result run1 = ArchiveJob.run(spark, settings, "earliest", "latest", new Summary("a"));
    assertThat(run1.written()).isEqualTo(first.size());
    assertThat(run1.malformed()).isZero();
    assertArchiveHoldsExactly(settings, prefix, committed);

    ArchiveJob.Result rerun = ArchiveJob.run(spark, settings, "earliest", "latest", new Summary("a"));
    assertThat(rerun.read()).isEqualTo(first.size());
    assertThat(rerun.alreadyArchived()).isEqualTo(first.size());
    assertThat(rerun.written()).as("a re-run over the same offsets writes nothing").isZero();
    assertArchiveHoldsExactly(settings, prefix, committed);

    committed.addAll(DomainTopics.produce(kafka.bootstrapServers(), prefix, second, true));
    ArchiveJob.Result run3 = ArchiveJob.run(spark, settings, "earliest", "latest", new Summary("a"));
    assertThat(run3.written()).isEqualTo(second.size());
    assertThat(run3.total()).isEqualTo(all.size());
    assertArchiveHoldsExactly(settings, prefix, committed);
  }

  private static void assertArchiveHoldsExactly(
      BatchSettings settings, String prefix, List<DomainLog.Record> expected) {
    List<Row> rows = ArchiveReader.read(spark, settings.archivePath()).collectAsList();
    assertThat(rows).hasSize(expected.size());
    Set<String> actual =
        rows.stream().map(r -> {
          var e = ArchiveSchema.toTimedEvent(r);
          return r.getString(0) + "/" + e.partition() + "/" + e.offset() + "/" + e.ingestedAt()
              + "/" + e.event();
        }).collect(Collectors.toSet());
    Set<String> wanted =
        expected.stream().map(r -> prefix + r.topic() + "/" + r.event().partition() + "/" + r.event().offset() + "/"
                + r.event().ingestedAt() + "/" + r.event().event())
            .collect(Collectors.toSet());
    assertThat(actual).isEqualTo(wanted);
  }
}
