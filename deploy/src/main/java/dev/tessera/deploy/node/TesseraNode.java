package dev.tessera.deploy.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.engine.EngineSettings;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.ServingApi;
import dev.tessera.serving.ServingServer;
import dev.tessera.serving.ServingSettings;
import dev.tessera.orchestrator.Orchestrator;
import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.registry.ModelRegistry;
import dev.tessera.orchestrator.step.StandardSteps;
import dev.tessera.serving.cluster.ClusterRoutes;
import dev.tessera.serving.workflow.WorkflowRoutes;
import dev.tessera.serving.features.KafkaSampleLog;
import dev.tessera.serving.features.SampleLog;
import dev.tessera.serving.metrics.NodeMetrics;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.ingest.IngestPipeline;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.ReferenceCache;
import dev.tessera.sharding.ingest.ReferenceLoader;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.sharding.member.FeatureMetrics;
import dev.tessera.sharding.member.FeaturePipeline;
import dev.tessera.sharding.member.FeatureReader;
import dev.tessera.sharding.member.FeatureSettings;
import dev.tessera.sharding.member.MemberStateStore;
import dev.tessera.sharding.member.OnlineStoreSink;
import dev.tessera.sharding.store.OnlineStore;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoreSettings;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tessera node: cluster membership, ingestion, the sharded member entities, the online store,
 * the HTTP API and Pekko Management, in one JVM, from one configuration.
 *
 * <p>Start-up reads and validates every module's settings before it starts anything, so a wrong
 * value stops the node with its key's name. Shutdown goes through {@link CoordinatedShutdown}: the
 * node stops being ready, unbinds HTTP (in-flight requests finish), stops consuming and checkpoints
 * (members durable, offsets committed), hands its shards over, leaves the cluster.
 */
public final class TesseraNode {
  private static final Logger log = LoggerFactory.getLogger(TesseraNode.class);

  /** Every module's settings, read and validated together before anything starts. */
  public record Settings(NodeSettings node, IngestSettings ingest, FeatureSettings features,
      StoreSettings store, ServingSettings serving, MemberStateStore.Settings state,
      EngineSettings engine, FeatureRegistry registry, OrchestratorSettings orchestrator,
      String bootstrapServers) {

    public static Settings create(Config config) {
      NodeSettings node = NodeSettings.create(config);
      String bootstrap;
      try {
        bootstrap = config.getString("tessera.kafka.bootstrap-servers");
      } catch (com.typesafe.config.ConfigException e) {
        throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
      }
      if (bootstrap.isBlank()) {
        throw new IllegalArgumentException(
            "Invalid configuration: tessera.kafka.bootstrap-servers must not be empty");
      }
      return new Settings(node,
          IngestSettings.create(config).withPrefix(node.topicPrefix()),
          FeatureSettings.create(config).withPrefix(node.topicPrefix()),
          StoreSettings.create(config), prefixed(ServingSettings.create(config), node),
          MemberStateStore.Settings.create(config), EngineSettings.create(config),
          FeatureRegistry.fromConfig(config), orchestratorSettings(config, node, bootstrap),
          bootstrap);
    }
  }

  /** The orchestrator on this node's Kafka, its topic and group under the node's prefix. */
  private static OrchestratorSettings orchestratorSettings(Config config, NodeSettings node,
      String bootstrap) {
    String prefix = node.topicPrefix();
    Config kafka = config.getConfig("tessera.orchestrator.kafka");
    return OrchestratorSettings.create(ConfigFactory.empty()
        .withValue("tessera.orchestrator.kafka.enabled",
            ConfigValueFactory.fromAnyRef(node.orchestrator()))
        .withValue("tessera.orchestrator.kafka.bootstrap-servers",
            ConfigValueFactory.fromAnyRef(bootstrap))
        .withValue("tessera.orchestrator.kafka.topic",
            ConfigValueFactory.fromAnyRef(prefix + kafka.getString("topic")))
        .withValue("tessera.orchestrator.kafka.consumer-group",
            ConfigValueFactory.fromAnyRef(prefix + kafka.getString("consumer-group")))
        .withValue("tessera.orchestrator.steps.topic-prefix", ConfigValueFactory.fromAnyRef(prefix))
        .withFallback(config));
  }

  private static ServingSettings prefixed(ServingSettings serving, NodeSettings node) {
    ServingSettings.Samples samples = serving.samples();
    return serving.withSamples(new ServingSettings.Samples(samples.enabled(),
        node.topicPrefix() + samples.topic(), samples.rate()));
  }

  private final ActorSystem<Void> system;
  private final Settings settings;
  private final IngestMetrics ingestMetrics;
  private final FeatureMetrics featureMetrics;
  private final SnapshotTable table;
  private final InetSocketAddress httpAddress;

  private TesseraNode(ActorSystem<Void> system, Settings settings, IngestMetrics ingestMetrics,
      FeatureMetrics featureMetrics, SnapshotTable table, InetSocketAddress httpAddress) {
    this.system = system;
    this.settings = settings;
    this.ingestMetrics = ingestMetrics;
    this.featureMetrics = featureMetrics;
    this.table = table;
    this.httpAddress = httpAddress;
  }

  /** Starts a node; returns once it is Up, consuming and serving HTTP (and ready). */
  public static TesseraNode start(Config config) throws Exception {
    Settings settings = Settings.create(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
    try {
      return start(system, settings);
    } catch (Exception | Error e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static TesseraNode start(ActorSystem<Void> system, Settings settings)
      throws Exception {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "tessera-not-ready", () -> {
      NodeReadiness.set(Adapter.toClassic(system), false);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    joinCluster(system, settings.node());
    TopicSetup.ensure(settings.bootstrapServers(), settings.ingest());

    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    ReferenceLoader loader =
        ReferenceLoader.start(settings.bootstrapServers(), settings.ingest(), references);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "reference-loader",
        () -> {
          loader.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    loader.awaitCaughtUp();

    SnapshotTable table = SnapshotTable.create(settings.store());
    system.systemActorOf(
        OnlineStore.create(settings.store(), table), "online-store", Props.empty());
    MemberStateStore states = MemberStateStore.create(system, settings.state(),
        settings.ingest().domainPartitions());
    FeaturePipeline.initSharding(system, settings.registry().all(), new OnlineStoreSink(table),
        settings.ingest().domainPartitions(), states, settings.features());

    IngestMetrics ingestMetrics = new IngestMetrics();
    FeatureMetrics featureMetrics = new FeatureMetrics();
    if (settings.node().ingest()) {
      IngestPipeline ingestion = IngestPipeline.start(system, settings.bootstrapServers(),
          settings.ingest(), references, ingestMetrics, settings.ingest().transactionalId());
      shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-ingestion",
          ingestion::drainAndShutdown);
    }
    if (settings.node().features()) {
      FeaturePipeline features = FeaturePipeline.start(system, settings.bootstrapServers(),
          settings.ingest(), settings.features(), featureMetrics, states);
      // Stop consuming, checkpoint every partition (members durable, offsets committed).
      shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-features", features::stop);
    }

    PrometheusRegistry metrics = new PrometheusRegistry();
    JvmMetrics.builder().register(metrics);
    NodeMetrics.registerIngest(metrics, ingestMetrics);
    NodeMetrics.registerFeatures(metrics, featureMetrics);
    NodeMetrics.registerStore(metrics, table);
    FeatureReader reader = FeatureReader.sharded(system, table, settings.node().readMaxAge(),
        settings.serving().readTimeout());
    SampleLog samples = SampleLog.NONE;
    if (settings.serving().samples().enabled()) {
      TopicSetup.ensureTopics(settings.bootstrapServers(), java.util.Map.of(
          settings.serving().samples().topic(), settings.ingest().domainPartitions()));
      KafkaSampleLog kafkaSamples =
          new KafkaSampleLog(settings.bootstrapServers(), settings.serving().samples());
      shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "serving-samples",
          () -> {
            kafkaSamples.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      samples = kafkaSamples;
    }
    List<ServingApi.Extension> extensions = new ArrayList<>();
    extensions.add(new ClusterRoutes(system));
    if (settings.node().orchestrator()) {
      Orchestrator orchestrator = Orchestrator.start(system, settings.orchestrator(),
          StandardSteps.create(settings.orchestrator(),
              ModelRegistry.create(system, settings.orchestrator().registry()),
              system.dispatchers().lookup(DispatcherSelector.blocking())));
      shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-orchestrator",
          orchestrator::stop);
      // Ready only once the workflow journal answers (first start: keyspaces being created).
      orchestrator.ready(Duration.ofMinutes(2)).toCompletableFuture().get(130, TimeUnit.SECONDS);
      extensions.add(new WorkflowRoutes(orchestrator.service()));
    }
    ServingApi api = new ServingApi(reader::read, settings.registry(), settings.serving(),
        metrics, samples, extensions);
    ServerBinding binding = ServingServer.start(system, api, settings.serving())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    PekkoManagement.get(Adapter.toClassic(system)).start()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    NodeReadiness.set(Adapter.toClassic(system), true);
    shutdown.addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "forget-readiness", () -> {
      NodeReadiness.set(Adapter.toClassic(system), false);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    log.info("Tessera node {} ready: HTTP on {}, ingestion {}, features {}, orchestrator {}",
        Cluster.get(system).selfMember().address(), binding.localAddress(),
        settings.node().ingest() ? "on" : "off", settings.node().features() ? "on" : "off",
        settings.node().orchestrator() ? "on" : "off");
    return new TesseraNode(system, settings, ingestMetrics, featureMetrics, table,
        binding.localAddress());
  }

  private static void joinCluster(ActorSystem<Void> system, NodeSettings node)
      throws Exception {
    Duration timeout = node.joinTimeout();
    Cluster cluster = Cluster.get(system);
    if (node.bootstrap() == NodeSettings.Bootstrap.KUBERNETES) {
      // The other pods ask this node's management endpoint for seed nodes: it must answer first.
      PekkoManagement.get(Adapter.toClassic(system)).start()
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      try {
        ClusterBootstrap.get(Adapter.toClassic(system)).start();
      } catch (Exception e) { // also the discovery's IOExceptions, thrown unchecked from Scala
        throw new IllegalStateException("Cluster Bootstrap through the Kubernetes API could not "
            + "start (tessera.node.bootstrap = kubernetes): " + e
            + "; the node must run in a pod whose service account token is mounted", e);
      }
    } else if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node did not join its cluster within "
            + timeout.toSeconds() + " s (" + joinSource(system, node) + ")");
      }
      Thread.sleep(50);
    }
  }

  private static String joinSource(ActorSystem<Void> system, NodeSettings node) {
    Config config = system.settings().config();
    if (node.bootstrap() == NodeSettings.Bootstrap.KUBERNETES) {
      String required =
          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr";
      return "tessera.node.bootstrap = kubernetes, " + required + " = " + config.getInt(required);
    }
    return "pekko.cluster.seed-nodes = " + config.getStringList("pekko.cluster.seed-nodes");
  }

  /** Runs the coordinated shutdown and waits for the actor system to terminate. */
  public void stop(Duration timeout) throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Settings settings() {
    return settings;
  }

  public boolean isReady() {
    return NodeReadiness.isReady(Adapter.toClassic(system));
  }

  /** The HTTP API's base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String httpUrl() {
    return "http://" + httpAddress.getHostString() + ":" + httpAddress.getPort();
  }

  public IngestMetrics ingestMetrics() {
    return ingestMetrics;
  }

  public FeatureMetrics featureMetrics() {
    return featureMetrics;
  }

  public SnapshotTable store() {
    return table;
  }
}
