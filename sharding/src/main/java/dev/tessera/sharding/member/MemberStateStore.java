package dev.tessera.sharding.member;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Durable member state in Cassandra: one row per (member, feature group) holding the kernel's
 * binary state ({@code MemberFeatureState.toBytes()}, versioned), written at checkpoints and read
 * when an entity starts. Uses pekko-persistence-cassandra's session (same driver configuration).
 *
 * <p>Loads are grouped: at most {@code max-concurrent-loads} queries run at once, and the members
 * that start meanwhile are read together by the next one ({@code WHERE member_id IN ...}, up to
 * {@code load-batch-size}). A lone load goes out at once; thousands of members starting together
 * (a node's first batches, a rebalance) cost a query per batch instead of one each.
 */
public final class MemberStateStore {

  /**
   * @param keyspace the keyspace of the state table
   * @param table the table's name
   * @param autoCreate create the keyspace and table at start (development and tests)
   * @param replicationFactor SimpleStrategy replication when creating the keyspace
   * @param loadBatchSize most members read by one query
   * @param maxConcurrentLoads most load queries running at once
   */
  public record Settings(String keyspace, String table, boolean autoCreate, int replicationFactor,
      int loadBatchSize, int maxConcurrentLoads) {
    public Settings {
      Objects.requireNonNull(keyspace, "keyspace");
      Objects.requireNonNull(table, "table");
    }

    public static Settings create(Config root) {
      String prefix = "tessera.features.state.";
      try {
        Config config = root.getConfig("tessera.features.state");
        String keyspace = config.getString("keyspace");
        String table = config.getString("table");
        for (String[] name : new String[][] {{"keyspace", keyspace}, {"table", table}}) {
          if (!name[1].matches("[a-z][a-z0-9_]{0,47}")) {
            throw new IllegalArgumentException("Invalid configuration: " + prefix + name[0] + " = '"
                + name[1] + "' is not a Cassandra name ([a-z][a-z0-9_], at most 48 characters)");
          }
        }
        return new Settings(keyspace, table, config.getBoolean("auto-create"),
            config.getInt("replication-factor"), atLeastOne(config, "load-batch-size", prefix),
            atLeastOne(config, "max-concurrent-loads", prefix));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
      }
    }

    public Settings withKeyspace(String newKeyspace) {
      return new Settings(newKeyspace, table, autoCreate, replicationFactor, loadBatchSize,
          maxConcurrentLoads);
    }

    private static int atLeastOne(Config config, String key, String prefix) {
      int value = config.getInt(key);
      if (value < 1) {
        throw new IllegalArgumentException(
            "Invalid configuration: " + prefix + key + " = " + value + " must be at least 1");
      }
      return value;
    }
  }

  private final CassandraSession session;
  private final Settings settings;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> select;
  private final Queue<PendingLoad> waitingLoads = new ConcurrentLinkedQueue<>();
  private final AtomicInteger runningLoads = new AtomicInteger();

  /** A member's load waiting for its query. */
  private record PendingLoad(String memberId, CompletableFuture<Map<String, Stored>> result) {}

  private MemberStateStore(CassandraSession session, Settings settings) {
    this.session = session;
    this.settings = settings;
    String table = settings.keyspace() + "." + settings.table();
    CompletionStage<Done> schema = settings.autoCreate()
        ? session.executeDDL("CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                + settings.replicationFactor() + "}")
            .thenCompose(done -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + table
                + " (member_id text, feature_group text, group_version int, state blob,"
                + " saved_at timestamp, PRIMARY KEY (member_id, feature_group))"))
        : CompletableFuture.completedFuture(Done.getInstance());
    this.insert = schema.thenCompose(done -> session.prepare("INSERT INTO " + table
        + " (member_id, feature_group, group_version, state, saved_at) VALUES (?, ?, ?, ?, ?)"));
    this.select = schema.thenCompose(done -> session.prepare("SELECT member_id, feature_group,"
        + " group_version, state FROM " + table + " WHERE member_id IN ?"));
  }

  /**
   * The store of this node, on pekko-persistence-cassandra's session, once its schema and
   * statements are ready (node start-up waits for it rather than every member's first load).
   *
   * @throws IllegalStateException naming the keyspace when Cassandra does not answer in a minute
   */
  public static MemberStateStore create(ActorSystem<?> system, Settings settings) {
    MemberStateStore store = new MemberStateStore(
        CassandraSessionRegistry.get(system).sessionFor("tessera.features.state.session"),
        settings);
    try {
      store.insert.toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      store.select.toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot prepare the member state table "
          + settings.keyspace() + "." + settings.table() + " (tessera.features.state): " + e, e);
    }
    return store;
  }

  /** A stored state: the group's version it was computed for, and its bytes. */
  public record Stored(int groupVersion, byte[] state) {}

  /**
   * Every stored group state of a member, by group name (empty for a new member). Read together
   * with the other members waiting for a query, if any.
   */
  public CompletionStage<Map<String, Stored>> load(String memberId) {
    CompletableFuture<Map<String, Stored>> result = new CompletableFuture<>();
    waitingLoads.add(new PendingLoad(memberId, result));
    startLoads();
    return result;
  }

  /** Starts queries for the waiting loads while fewer than max-concurrent-loads run. */
  private void startLoads() {
    while (!waitingLoads.isEmpty()) {
      int running = runningLoads.get();
      if (running >= settings.maxConcurrentLoads()) {
        return; // the running ones start the next query when they finish
      }
      if (!runningLoads.compareAndSet(running, running + 1)) {
        continue;
      }
      Map<String, List<PendingLoad>> batch = new HashMap<>();
      PendingLoad next;
      while (batch.size() < settings.loadBatchSize() && (next = waitingLoads.poll()) != null) {
        batch.computeIfAbsent(next.memberId(), id -> new ArrayList<>(1)).add(next);
      }
      if (batch.isEmpty()) {
        runningLoads.decrementAndGet();
        continue;
      }
      select
          .thenCompose(statement -> session.selectAll(
              statement.bind(List.copyOf(batch.keySet()))))
          .whenComplete((rows, error) -> {
            runningLoads.decrementAndGet();
            try {
              complete(batch, rows, error);
            } catch (RuntimeException e) {
              complete(batch, null, e); // an unreadable row fails its batch's loads, which retry
            }
            startLoads();
          });
    }
  }

  private static void complete(Map<String, List<PendingLoad>> batch, List<Row> rows,
      Throwable error) {
    if (error != null) {
      batch.values().forEach(loads -> loads.forEach(load -> load.result()
          .completeExceptionally(error)));
      return;
    }
    Map<String, Map<String, Stored>> states = new HashMap<>();
    for (Row row : rows) {
      ByteBuffer buffer = row.getByteBuffer("state");
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      states.computeIfAbsent(row.getString("member_id"), id -> new HashMap<>())
          .put(row.getString("feature_group"), new Stored(row.getInt("group_version"), bytes));
    }
    batch.forEach((memberId, loads) -> {
      Map<String, Stored> member = states.getOrDefault(memberId, Map.of());
      loads.forEach(load -> load.result().complete(member));
    });
  }

  /** Writes one group's state of a member. */
  public CompletionStage<Done> save(String memberId, String group, int groupVersion, byte[] state) {
    return insert.thenCompose(statement -> session.executeWrite(statement.bind(
        memberId, group, groupVersion, ByteBuffer.wrap(state), Instant.now())));
  }
}
