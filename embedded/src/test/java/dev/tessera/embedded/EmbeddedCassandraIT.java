package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfrastructureExtension.class)
class EmbeddedCassandraIT {

  @Test
  void rowsWrittenThroughTheDriverAreReadBack(EmbeddedCassandra cassandra, TestNamespace names) {
    String keyspace = names.keyspace("features");
    try (CqlSession session = cassandra.newSession()) {
      session.execute("CREATE KEYSPACE " + keyspace
          + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE " + keyspace
          + ".member_counts (member_id text, feature text, value bigint,"
          + " PRIMARY KEY (member_id, feature))");
      for (int i = 0; i < 20; i++) {
        session.execute("INSERT INTO " + keyspace
            + ".member_counts (member_id, feature, value) VALUES (?, ?, ?)",
            "m" + (i % 4), "plays_" + i, (long) i * 7);
      }

      List<Row> rows = session.execute("SELECT feature, value FROM " + keyspace
          + ".member_counts WHERE member_id = ?", "m1").all();
      Map<String, Long> values = new TreeMap<>();
      rows.forEach(row -> values.put(row.getString("feature"), row.getLong("value")));
      assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of(
          "plays_1", 7L, "plays_5", 35L, "plays_9", 63L, "plays_13", 91L, "plays_17", 119L));
      assertThat(session.execute("SELECT release_version FROM system.local").one().getString(0))
          .startsWith("5.0.");
    }
  }
}
