package dev.tessera.sharding.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The ingestion pipeline alone in a JVM, for {@link IngestCrashIT} to kill with SIGKILL. Args:
 * bootstrap servers, topic prefix. Prints READY once consuming.
 */
public final class IngestProcess {
  private IngestProcess() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    IngestSettings settings =
        IngestSettings.create(ConfigFactory.load()).withPrefix(args[1]);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "ingest-process", ConfigFactory.load());
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references);
    loader.awaitCaughtUp();
    IngestPipeline.start(system, bootstrap, settings, references, new IngestMetrics(),
        settings.transactionalId());
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
