package dev.tessera.batch.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.BatchSettings;
import java.nio.file.Path;
import java.util.Map;

/** Settings of one test: its own topics (by prefix), broker and output directories. */
public final class TestSettings {
  private TestSettings() {}

  public static Config config(String bootstrap, String prefix, Path dir) {
    return ConfigFactory.parseMap(
            Map.of(
                "tessera.batch.kafka.bootstrap-servers", bootstrap,
                "tessera.batch.kafka.topic-prefix", prefix,
                "tessera.batch.archive.path", dir.resolve("archive").toString(),
                "tessera.batch.backfill.output", dir.resolve("backfill").toString(),
                "tessera.batch.snapshot.output", dir.resolve("store").toString(),
                "tessera.batch.training.output", dir.resolve("training").toString(),
                "tessera.batch.training.report", dir.resolve("report").toString(),
                "tessera.batch.consistency.output", dir.resolve("consistency").toString(),
                "tessera.batch.train.model", dir.resolve("model").toString()))
        .withFallback(ConfigFactory.load());
  }

  public static BatchSettings create(String bootstrap, String prefix, Path dir) {
    return BatchSettings.create(config(bootstrap, prefix, dir));
  }
}
