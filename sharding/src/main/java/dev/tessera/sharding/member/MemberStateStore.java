package dev.tessera.sharding.member;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Durable member state in Cassandra: one row per (member, feature group) holding the kernel's
 * binary state ({@code MemberFeatureState.toBytes()}, versioned), written at checkpoints and read
 * when an entity starts. Uses pekko-persistence-cassandra's driver configuration.
 *
 * <p>Placement: a member's rows live in the Cassandra partition {@code (shard, bucket)}: its
 * domain-topic partition (its shard) split into {@code buckets-per-partition} by the same hash. A
 * partition's checkpoint writes its members as a few single-partition batches instead of a
 * statement each, which is most of what a checkpoint costs Cassandra and the driver. Each write
 * carries the member's own increasing timestamp, so a checkpoint's batch that lands after the
 * member's own later write (before passivating) cannot bring an older state back.
 *
 * <p>Loads are grouped: at most {@code max-concurrent-loads} rounds of queries run at once, and the
 * members that start meanwhile are read together by the next round (up to {@code load-batch-size}
 * per bucket of a partition, a query {@code WHERE shard = ? AND bucket = ? AND member_id IN ...}
 * per Cassandra partition among them, of at most {@code load-batch-size} members).
 * A lone load goes out at once; thousands of members starting together (a node's first batches, a
 * rebalance) cost a query per Cassandra partition among them instead of one each.
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
      int loadBatchSize, int maxConcurrentLoads, int bucketsPerPartition, int maxBatchBytes) {
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
            config.getInt("replication-factor"), (int) atLeastOne(config, "load-batch-size", prefix),
            (int) atLeastOne(config, "max-concurrent-loads", prefix),
            (int) atLeastOne(config, "buckets-per-partition", prefix),
            (int) Math.min(Integer.MAX_VALUE, atLeastOne(config, "max-batch-bytes", prefix)));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
      }
    }

    public Settings withKeyspace(String newKeyspace) {
      return new Settings(newKeyspace, table, autoCreate, replicationFactor, loadBatchSize,
          maxConcurrentLoads, bucketsPerPartition, maxBatchBytes);
    }

    private static long atLeastOne(Config config, String key, String prefix) {
      long value = key.endsWith("-bytes") ? config.getBytes(key) : config.getInt(key);
      if (value < 1) {
        throw new IllegalArgumentException(
            "Invalid configuration: " + prefix + key + " = " + value + " must be at least 1");
      }
      return value;
    }
  }

  private final CassandraSession session;
  private final Settings settings;
  private final int partitions;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> select;
  private final Queue<PendingLoad> waitingLoads = new ConcurrentLinkedQueue<>();
  private final AtomicInteger runningLoads = new AtomicInteger();

  /** A member's load waiting for its query. */
  private record PendingLoad(String memberId, CompletableFuture<Map<String, Stored>> result) {}

  /**
   * Where a member's rows live: Cassandra partition {@code (shard, bucket)}, the shard being the
   * member's domain-topic partition and the bucket a further split of it by the same hash.
   */
  record Placement(int shard, int bucket) {}

  private MemberStateStore(CassandraSession session, Settings settings, int partitions) {
    this.session = session;
    this.settings = settings;
    this.partitions = partitions;
    String table = settings.keyspace() + "." + settings.table();
    CompletionStage<Done> schema = settings.autoCreate()
        ? session.executeDDL("CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                + settings.replicationFactor() + "}")
            .thenCompose(done -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + table
                + " (shard int, bucket int, member_id text, feature_group text,"
                + " group_version int, state blob, saved_at timestamp,"
                + " PRIMARY KEY ((shard, bucket), member_id, feature_group))"))
        : CompletableFuture.completedFuture(Done.getInstance());
    this.insert = schema.thenCompose(done -> session.prepare("INSERT INTO " + table
        + " (shard, bucket, member_id, feature_group, group_version, state, saved_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"));
    this.select = schema.thenCompose(done -> session.prepare("SELECT member_id, feature_group,"
        + " group_version, state FROM " + table
        + " WHERE shard = ? AND bucket = ? AND member_id IN ?"));
  }

  /**
   * The store of this node, on its own driver session, once its schema and statements are ready
   * and the table's layout matches: rows are placed by {@code partitions} (the domain topics'
   * partition count) and {@code buckets-per-partition}, so a table written with other counts
   * cannot be read (its members would not be found) and start-up stops with both counts named.
   *
   * @throws IllegalStateException naming the keyspace when Cassandra does not answer in a minute,
   *     or the counts when the table was written with others
   */
  public static MemberStateStore create(ActorSystem<?> system, Settings settings, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
    }
    MemberStateStore store = new MemberStateStore(
        CassandraSessionRegistry.get(system).sessionFor("tessera.features.state.session"),
        settings, partitions);
    try {
      store.insert.toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      store.select.toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      store.checkLayout().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e.getCause() instanceof IllegalStateException layout) {
        throw layout; // the table was written with other counts: its own message
      }
      throw new IllegalStateException("Cannot prepare the member state table "
          + settings.keyspace() + "." + settings.table() + " (tessera.features.state): " + e, e);
    }
    return store;
  }

  // The layout row: shard -1 holds no member; its state is the two counts.
  private static final String LAYOUT_ID = "";
  private static final String LAYOUT_GROUP = "layout";

  /** Records the layout in an empty table, or checks the one recorded. */
  private CompletionStage<Done> checkLayout() {
    return select
        .thenCompose(statement -> rows(statement.bind(-1, 0, List.of(LAYOUT_ID))))
        .thenCompose(rows -> {
          if (rows.isEmpty()) {
            ByteBuffer layout = ByteBuffer.allocate(8)
                .putInt(partitions).putInt(settings.bucketsPerPartition()).flip();
            return insert.thenCompose(statement -> session.executeWrite(statement.bind(-1, 0,
                LAYOUT_ID, LAYOUT_GROUP, 1, layout, Instant.now(),
                System.currentTimeMillis() * 1000)));
          }
          ByteBuffer layout = rows.get(0).getByteBuffer("state");
          if (layout == null || layout.remaining() != 8) {
            throw new IllegalStateException("The member state table " + settings.keyspace() + "."
                + settings.table() + " has an unreadable layout row (shard -1): not a table this"
                + " version wrote; use another table (tessera.features.state.table).");
          }
          int recordedPartitions = layout.getInt();
          int recordedBuckets = layout.getInt();
          if (recordedPartitions != partitions
              || recordedBuckets != settings.bucketsPerPartition()) {
            throw new IllegalStateException("The member state table " + settings.keyspace() + "."
                + settings.table() + " was written for " + recordedPartitions
                + " domain partitions and " + recordedBuckets + " buckets per partition, this"
                + " node has " + partitions + " (tessera.ingest.domain-partitions) and "
                + settings.bucketsPerPartition() + " (tessera.features.state.buckets-per-partition)"
                + ": members would not find their state. Keep the counts, or migrate the state"
                + " to a new table (tessera.features.state.table).");
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  Placement placementOf(String memberId) {
    int hash = Utils.toPositive(Utils.murmur2(memberId.getBytes(StandardCharsets.UTF_8)));
    return new Placement(hash % partitions, (hash / partitions) % settings.bucketsPerPartition());
  }

  /** A stored state: the group's version it was computed for, and its bytes. */
  public record Stored(int groupVersion, byte[] state) {}

  /**
   * One group's state of a member to write.
   *
   * @param writeTime the write's Cassandra timestamp (microseconds), increasing per member: a
   *     write that arrives late never replaces a newer state
   */
  public record StateWrite(String memberId, String group, int groupVersion, byte[] state,
      long writeTime) {}

  /**
   * Every stored group state of a member, by group name (empty for a new member). Read together
   * with the other members of its Cassandra partition waiting for a query, if any.
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
      // A round: the waiting members (as many as load-batch-size per bucket of a partition:
      // members that start together mostly share a shard), one query per Cassandra partition
      // among them, of at most load-batch-size members each.
      Map<Placement, List<Map<String, List<PendingLoad>>>> batch = new HashMap<>();
      int taken = 0;
      int roundSize = settings.loadBatchSize() * settings.bucketsPerPartition();
      PendingLoad next;
      while (taken < roundSize && (next = waitingLoads.poll()) != null) {
        List<Map<String, List<PendingLoad>>> chunks =
            batch.computeIfAbsent(placementOf(next.memberId()), p -> new ArrayList<>());
        Map<String, List<PendingLoad>> chunk =
            chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
        if (chunk == null || (chunk.size() >= settings.loadBatchSize()
            && !chunk.containsKey(next.memberId()))) {
          chunk = new HashMap<>();
          chunks.add(chunk);
        }
        chunk.computeIfAbsent(next.memberId(), id -> new ArrayList<>(1)).add(next);
        taken++;
      }
      if (batch.isEmpty()) {
        runningLoads.decrementAndGet();
        continue;
      }
      List<CompletableFuture<Void>> queries = new ArrayList<>();
      batch.forEach((placement, chunks) -> chunks.forEach(members -> queries.add(select
          .thenCompose(statement -> rows(statement.bind(placement.shard(),
              placement.bucket(), List.copyOf(members.keySet()))))
          .handle((rows, error) -> {
            try {
              complete(members, rows, error);
            } catch (RuntimeException e) {
              complete(members, null, e); // an unreadable row fails its loads, which retry
            }
            return (Void) null;
          })
          .toCompletableFuture())));
      CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
        runningLoads.decrementAndGet();
        startLoads();
      });
    }
  }

  /**
   * Every row of a query, straight from the driver (the session's {@code selectAll} runs a stream
   * per query, several times the CPU of the query itself for these few rows).
   */
  private CompletionStage<List<Row>> rows(BoundStatement statement) {
    return session.underlying()
        .thenCompose(cql -> cql.executeAsync(statement))
        .thenCompose(page -> collect(page, new ArrayList<>()));
  }

  private static CompletionStage<List<Row>> collect(AsyncResultSet page, List<Row> rows) {
    for (Row row : page.currentPage()) {
      rows.add(row);
    }
    return page.hasMorePages()
        ? page.fetchNextPage().thenCompose(next -> collect(next, rows))
        : CompletableFuture.completedFuture(rows);
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

  /**
   * Writes many members' states: the rows of each Cassandra partition go together in unlogged
   * single-partition batches of at most {@code max-batch-bytes} of state (one mutation each, which
   * Cassandra applies atomically and cheaply), instead of a statement per member. Completes when
   * every batch is written; fails if any failed.
   */
  public CompletionStage<Done> saveAll(List<StateWrite> writes) {
    if (writes.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return insert.thenCompose(statement -> {
      Map<Placement, List<StateWrite>> byPartition = new HashMap<>();
      for (StateWrite write : writes) {
        byPartition.computeIfAbsent(placementOf(write.memberId()), p -> new ArrayList<>())
            .add(write);
      }
      Instant now = Instant.now();
      List<CompletableFuture<Done>> batches = new ArrayList<>();
      byPartition.forEach((placement, rows) -> {
        List<BatchableStatement<?>> chunk = new ArrayList<>();
        long chunkBytes = 0;
        for (StateWrite write : rows) {
          if (!chunk.isEmpty() && chunkBytes + write.state().length > settings.maxBatchBytes()) {
            batches.add(execute(chunk));
            chunk = new ArrayList<>();
            chunkBytes = 0;
          }
          chunk.add(statement.bind(placement.shard(), placement.bucket(), write.memberId(),
              write.group(), write.groupVersion(), ByteBuffer.wrap(write.state()), now,
              write.writeTime()));
          chunkBytes += write.state().length;
        }
        batches.add(execute(chunk));
      });
      return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
          .thenApply(v -> Done.getInstance());
    });
  }

  private CompletableFuture<Done> execute(List<BatchableStatement<?>> rows) {
    if (rows.size() == 1) {
      return session.executeWrite((BoundStatement) rows.get(0)).toCompletableFuture();
    }
    return session.executeWriteBatch(BatchStatement.newInstance(BatchType.UNLOGGED, rows))
        .toCompletableFuture();
  }
}
