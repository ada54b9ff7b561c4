package dev.tessera.deploy.demo;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.sharding.roundtrip.InboxIngest;
import dev.tessera.sharding.roundtrip.MemberInbox;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The foundation's end-to-end proof: events produced to Kafka, consumed into sharded {@link
 * MemberInbox} entities, persisted in Cassandra through pekko-persistence-cassandra, read back,
 * and read back again from a fresh ActorSystem that recovers them from the journal.
 */
public final class RoundTrip {

  /**
   * @param members how many members send events
   * @param eventsPerMember how many events each sends
   * @param topic the Kafka topic (created with 3 partitions if missing)
   * @param runId makes this run's event ids unique, so repeated runs on kept data add up
   */
  public record Options(int members, int eventsPerMember, String topic, String runId) {}

  /** Per member: events recorded before this run, after ingestion, and after recovery. */
  public record Result(
      int produced, Map<String, Long> before, Map<String, Long> ingested,
      Map<String, Long> recovered, Map<String, List<String>> recoveredRecentIds,
      Duration ingestTime, Duration recoveryTime) {}

  private RoundTrip() {}

  public static Result run(
      LocalInfrastructure infrastructure, Config config, Options options, PrintStream out)
      throws Exception {
    List<String> members = new ArrayList<>();
    for (int m = 0; m < options.members(); m++) {
      members.add(String.format("member-%03d", m));
    }
    createTopic(infrastructure, options.topic());

    ActorSystem<Void> first = startNode(config);
    Map<String, Long> before;
    Map<String, Long> ingested;
    long ingestStarted;
    long ingestTook;
    try {
      before = counts(first, members);
      ingestStarted = System.nanoTime();
      InboxIngest ingest = InboxIngest.start(first, new InboxIngest.Settings(
          infrastructure.kafka().bootstrapServers(), options.topic(), "tessera-demo-inbox",
          Duration.ofSeconds(10), 32));
      int produced = produce(infrastructure, options, members);
      out.printf("  produced %d events for %d members to topic %s%n", produced, members.size(),
          options.topic());
      ingested = awaitCounts(first, members, before, options.eventsPerMember(), Duration.ofSeconds(90));
      ingestTook = System.nanoTime() - ingestStarted;
      out.printf("  consumed and persisted by %d sharded entities in %d ms%n", members.size(),
          TimeUnit.NANOSECONDS.toMillis(ingestTook));
      ingest.drainAndShutdown(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      stopNode(first);
    }
    out.println("  stopped the node; starting a fresh ActorSystem to recover from Cassandra");

    long recoveryStarted = System.nanoTime();
    ActorSystem<Void> second = startNode(config);
    try {
      Map<String, Long> recovered = counts(second, members);
      Map<String, List<String>> recentIds = new LinkedHashMap<>();
      ClusterSharding sharding = ClusterSharding.get(second);
      for (String member : members) {
        recentIds.put(member, sharding.entityRefFor(MemberInbox.ENTITY_KEY, member)
            .ask(MemberInbox.GetSummary::new, Duration.ofSeconds(15))
            .toCompletableFuture().get(20, TimeUnit.SECONDS).recentEventIds());
      }
      return new Result(options.members() * options.eventsPerMember(), before, ingested, recovered,
          recentIds, Duration.ofNanos(ingestTook),
          Duration.ofNanos(System.nanoTime() - recoveryStarted));
    } finally {
      stopNode(second);
    }
  }

  /** The event id the round trip gives the n-th event of a member in a run. */
  public static String eventId(String runId, String member, int n) {
    return runId + "-" + member + "-" + n;
  }

  private static ActorSystem<Void> startNode(Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
    Cluster cluster = Cluster.get(system);
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        stopNode(system);
        throw new IllegalStateException("the node did not join its cluster within 30 s");
      }
      Thread.sleep(50);
    }
    MemberInbox.init(system);
    return system;
  }

  private static void stopNode(ActorSystem<Void> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the node did not stop within 30 s", e);
    }
  }

  private static void createTopic(LocalInfrastructure infrastructure, String topic)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers",
        infrastructure.kafka().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static int produce(LocalInfrastructure infrastructure, Options options,
      List<String> members) throws Exception {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    String[] types = {"play", "click", "impression", "stop", "search"};
    long now = System.currentTimeMillis();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
      for (int n = 0; n < options.eventsPerMember(); n++) {
        for (String member : members) {
          String json = String.format(
              "{\"eventId\":\"%s\",\"memberId\":\"%s\",\"type\":\"%s\",\"eventTime\":%d}",
              eventId(options.runId(), member, n), member, types[n % types.length], now + n);
          CompletableFuture<Void> done = new CompletableFuture<>();
          producer.send(new ProducerRecord<>(options.topic(), member, json), (metadata, error) -> {
            if (error == null) {
              done.complete(null);
            } else {
              done.completeExceptionally(error);
            }
          });
          sent.add(done);
        }
      }
      producer.flush();
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    return sent.size();
  }

  private static Map<String, Long> counts(ActorSystem<?> system, List<String> members)
      throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, CompletableFuture<MemberInbox.Summary>> asks = new LinkedHashMap<>();
    for (String member : members) {
      asks.put(member, sharding.entityRefFor(MemberInbox.ENTITY_KEY, member)
          .ask(MemberInbox.GetSummary::new, Duration.ofSeconds(15)).toCompletableFuture());
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<MemberInbox.Summary>> ask : asks.entrySet()) {
      counts.put(ask.getKey(), ask.getValue().get(20, TimeUnit.SECONDS).eventCount());
    }
    return counts;
  }

  private static Map<String, Long> awaitCounts(ActorSystem<?> system, List<String> members,
      Map<String, Long> before, int added, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Long> now = counts(system, members);
      boolean complete = members.stream().allMatch(m -> now.get(m) >= before.get(m) + added);
      if (complete) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("entities hold " + now + " after " + timeout.toSeconds()
            + " s; expected " + added + " more each than " + before);
      }
      Thread.sleep(200);
    }
  }
}
