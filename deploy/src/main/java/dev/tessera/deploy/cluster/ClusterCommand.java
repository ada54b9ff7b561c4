package dev.tessera.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.deploy.UserError;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.member.FeatureSettings;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tessera cluster up|scale|status|down}: a local multi-node cluster on the embedded Kafka
 * and Cassandra (started by {@code up} when they do not run yet, and left running like {@code
 * tessera infra start}). Nodes run detached, each in its own JVM on loopback ports 25520+i (Artery),
 * 8080+i (HTTP), 8558+i (management), seeded by the nodes already running; {@code scale} starts new
 * nodes or stops the newest ones gracefully (stop consuming, checkpoint, hand shards over, leave).
 */
public final class ClusterCommand {
  static final String USAGE = "usage: tessera cluster up --nodes N | scale --nodes N | status"
      + " | down";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(180);

  private ClusterCommand() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    if (args.isEmpty()) {
      throw new UserError(USAGE, 2);
    }
    EmbeddedSettings embedded = EmbeddedSettings.load();
    Path dir = embedded.dataDir().resolveSibling("cluster");
    String action = args.get(0);
    return switch (action) {
      case "up", "scale" -> {
        int nodes = nodes(args.subList(1, args.size()));
        LocalInfrastructure infrastructure = infrastructure(embedded, action.equals("up"), out);
        LocalCluster cluster = LocalCluster.open(dir, infrastructure, options());
        out.printf("scaling the cluster from %d to %d nodes (logs under %s) ...%n",
            cluster.nodes().size(), nodes, dir);
        long started = System.nanoTime();
        cluster.scaleTo(nodes, NODE_TIMEOUT);
        out.printf("done in %.1f s%n", (System.nanoTime() - started) / 1e9);
        status(cluster, infrastructure, out);
        yield 0;
      }
      case "status" -> {
        LocalInfrastructure infrastructure = infrastructure(embedded, false, out);
        status(LocalCluster.open(dir, infrastructure, options()), infrastructure, out);
        yield 0;
      }
      case "down" -> {
        Optional<LocalInfrastructure> running = LocalInfrastructure.find(embedded);
        if (running.isEmpty()) {
          out.println("Kafka and Cassandra are not running; nothing to stop");
          yield 0;
        }
        LocalCluster cluster = LocalCluster.open(dir, running.get(), options());
        out.printf("stopping %d nodes gracefully, then Kafka and Cassandra ...%n",
            cluster.nodes().size());
        cluster.stopAll(Duration.ofSeconds(90));
        running.get().close();
        out.println("cluster down");
        yield 0;
      }
      default -> throw new UserError("cluster: unknown action '" + action + "' (" + USAGE + ")",
          2);
    };
  }

  static LocalCluster.Options options() {
    return new LocalCluster.Options(false, false, "tessera_cluster", "", "768m", "");
  }

  private static int nodes(List<String> args) {
    if (args.size() != 2 || !args.get(0).equals("--nodes")) {
      throw new UserError(USAGE, 2);
    }
    try {
      int n = Integer.parseInt(args.get(1));
      if (n >= 0 && n <= 9) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserError("cluster: --nodes must be a whole number from 0 to 9, not '"
        + args.get(1) + "'", 2);
  }

  private static LocalInfrastructure infrastructure(EmbeddedSettings embedded, boolean start,
      PrintStream out) {
    Optional<LocalInfrastructure> running = LocalInfrastructure.find(embedded);
    if (running.isPresent()) {
      return running.get();
    }
    if (!start) {
      throw new UserError("cluster: Kafka and Cassandra are not running; start the cluster with"
          + " 'tessera cluster up --nodes N'", 1);
    }
    out.println("starting Kafka and Cassandra (data in " + embedded.dataDir() + ") ...");
    return LocalInfrastructure.start(embedded, false);
  }

  static void status(LocalCluster cluster, LocalInfrastructure infrastructure, PrintStream out) {
    Map<Integer, LocalCluster.Node> nodes = cluster.nodes();
    if (nodes.isEmpty()) {
      out.println("no node runs");
      return;
    }
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    JsonNode members = null;
    JsonNode shards = null;
    for (LocalCluster.Node node : nodes.values()) {
      members = members != null ? members : get(http, json, node.httpUrl() + "/v1/cluster/members");
      shards = shards != null ? shards : get(http, json, node.httpUrl() + "/v1/cluster/shards");
    }
    out.printf("%-5s %-8s %-32s %-24s %-8s %-7s %s%n", "node", "pid", "address", "http",
        "status", "ready", "member shards (= partitions)");
    for (LocalCluster.Node node : nodes.values()) {
      String status = "?";
      if (members != null) {
        for (JsonNode member : members.path("members")) {
          if (member.path("address").asText().equals(node.address())) {
            status = member.path("status").asText();
          }
        }
      }
      String nodeShards = "-";
      if (shards != null) {
        JsonNode region = shards.path("regions").path(node.address()).path("shards");
        StringBuilder ids = new StringBuilder();
        for (Iterator<String> it = region.fieldNames(); it.hasNext(); ) {
          ids.append(ids.length() == 0 ? "" : ",").append(it.next());
        }
        nodeShards = ids.length() == 0 ? "none" : ids.toString();
      }
      boolean ready = cluster.status(node.managementUrl() + "/ready") == 200;
      out.printf("%-5d %-8d %-32s %-24s %-8s %-7s %s%n", node.index(), node.process().pid(),
          node.address(), node.httpUrl(), status, ready ? "yes" : "no", nodeShards);
    }
    try (ConsumerLag lag = new ConsumerLag(infrastructure.kafka().bootstrapServers())) {
      IngestSettings topics = IngestSettings.create(ConfigFactory.load());
      FeatureSettings features = FeatureSettings.create(ConfigFactory.load());
      out.printf("feature consumer lag: %,d records (not yet checkpointed)%n",
          lag.lag(features.consumerGroup(), topics.domainTopics().values(),
              topics.domainPartitions()));
    } catch (Exception e) {
      out.println("feature consumer lag: unknown (" + e.getMessage() + ")");
    }
  }

  private static JsonNode get(HttpClient http, ObjectMapper json, String url) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    } catch (Exception e) {
      return null;
    }
  }
}
