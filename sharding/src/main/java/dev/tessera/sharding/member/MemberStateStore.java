package dev.tessera.sharding.member;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Durable member state in Cassandra: one row per (member, feature group) holding the kernel's
 * binary state ({@code MemberFeatureState.toBytes()}, versioned), written at checkpoints and read
 * when an entity starts. Uses pekko-persistence-cassandra's session (same driver configuration).
 */
public final class MemberStateStore {

  /**
   * @param keyspace the keyspace of the state table
   * @param table the table's name
   * @param autoCreate create the keyspace and table at start (development and tests)
   * @param replicationFactor SimpleStrategy replication when creating the keyspace
   */
  public record Settings(String keyspace, String table, boolean autoCreate, int replicationFactor) {
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
            config.getInt("replication-factor"));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
      }
    }

    public Settings withKeyspace(String newKeyspace) {
      return new Settings(newKeyspace, table, autoCreate, replicationFactor);
    }
  }

  private final CassandraSession session;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> select;

  private MemberStateStore(CassandraSession session, Settings settings) {
    this.session = session;
    String table = settings.keyspace() + "." + settings.table();
    CompletionStage<Done> schema = settings.autoCreate()
        ? session.executeDDL("CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                + settings.replicationFactor() + "}")
            .thenCompose(done -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + table
                + " (member_id text, feature_group text, group_version int, state blob,"
                + " saved_at timestamp, PRIMARY KEY (member_id, feature_group))"))
        : java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    this.insert = schema.thenCompose(done -> session.prepare("INSERT INTO " + table
        + " (member_id, feature_group, group_version, state, saved_at) VALUES (?, ?, ?, ?, ?)"));
    this.select = schema.thenCompose(done -> session.prepare(
        "SELECT feature_group, group_version, state FROM " + table + " WHERE member_id = ?"));
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

  /** Every stored group state of a member, by group name (empty for a new member). */
  public CompletionStage<Map<String, Stored>> load(String memberId) {
    return select
        .thenCompose(statement -> session.selectAll(statement.bind(memberId)))
        .thenApply(rows -> {
          Map<String, Stored> states = new HashMap<>();
          for (Row row : rows) {
            ByteBuffer buffer = row.getByteBuffer("state");
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            states.put(row.getString("feature_group"),
                new Stored(row.getInt("group_version"), bytes));
          }
          return states;
        });
  }

  /** Writes one group's state of a member. */
  public CompletionStage<Done> save(String memberId, String group, int groupVersion, byte[] state) {
    return insert.thenCompose(statement -> session.executeWrite(statement.bind(
        memberId, group, groupVersion, ByteBuffer.wrap(state), Instant.now())));
  }
}
