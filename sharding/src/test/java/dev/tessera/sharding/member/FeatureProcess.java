package dev.tessera.sharding.member;

import com.typesafe.config.Config;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.sharding.ingest.IngestSettings;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A feature node alone in a JVM, for {@link FeatureCrashIT} to kill with SIGKILL. Args: bootstrap
 * servers, Cassandra contact point, topic prefix, state keyspace. Prints READY once consuming.
 */
public final class FeatureProcess {
  private FeatureProcess() {}

  public static void main(String[] args) throws Exception {
    Config config = FeatureNode.config("""
        datastax-java-driver.basic.contact-points = ["%s"]
        tessera.features.state.keyspace = %s
        tessera.features.checkpoint-interval = 200ms
        """.formatted(args[1], args[3]));
    IngestSettings topics = IngestSettings.create(config).withPrefix(args[2]);
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(args[2]);
    ActorSystem<Void> system = FeatureNode.start(config);
    MemberStateStore store =
        MemberStateStore.create(system, MemberStateStore.Settings.create(config),
            topics.domainPartitions());
    FeaturePipeline.initSharding(system, FeatureRegistry.fromConfig(config).all(),
        SnapshotSink.none(), topics.domainPartitions(), store, settings);
    FeaturePipeline.start(system, args[0], topics, settings, new FeatureMetrics(), store);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
