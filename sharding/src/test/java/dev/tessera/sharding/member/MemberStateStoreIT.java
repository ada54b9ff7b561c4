package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The member state table on a real Cassandra node: states written in batches per Cassandra
 * partition read back exactly, member by member; a write that lands late with an older timestamp
 * does not bring an older state back; a table written for one layout refuses another.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class MemberStateStoreIT {

  private static Config config(LocalInfrastructure infrastructure, String keyspace, String extra) {
    String contactPoint = infrastructure.cassandra().host() + ":"
        + infrastructure.cassandra().port();
    return FeatureNode.config("""
        datastax-java-driver.basic.contact-points = ["%s"]
        tessera.features.state.keyspace = %s
        %s
        """.formatted(contactPoint, keyspace, extra));
  }

  private static byte[] state(String memberId, int round) {
    return (memberId + "@" + round + "#".repeat(40 + memberId.length() % 60))
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void batchedWritesReadBackPerMemberAndTheNewestTimestampWins(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    // Small batches: the 600 members of 4 x 2 Cassandra partitions need several each.
    Config config = config(infrastructure, names.keyspace("state"), """
        tessera.features.state.buckets-per-partition = 2
        tessera.features.state.max-batch-bytes = 2KiB
        """);
    ActorSystem<Void> system = FeatureNode.start(config);
    try {
      MemberStateStore store =
          MemberStateStore.create(system, MemberStateStore.Settings.create(config), 4);
      List<MemberStateStore.StateWrite> writes = new ArrayList<>();
      for (int m = 0; m < 600; m++) {
        String member = "member-" + m;
        writes.add(new MemberStateStore.StateWrite(member, "group_a", 1, state(member, 1), 100));
        writes.add(new MemberStateStore.StateWrite(member, "group_b", 3, state(member, 2), 100));
      }
      store.saveAll(writes).toCompletableFuture().get(60, TimeUnit.SECONDS);
      // A newer state of member-7, then an older one arriving late.
      store.saveAll(List.of(new MemberStateStore.StateWrite("member-7", "group_a", 1,
          state("member-7", 9), 300))).toCompletableFuture().get(30, TimeUnit.SECONDS);
      store.saveAll(List.of(new MemberStateStore.StateWrite("member-7", "group_a", 1,
          state("member-7", 5), 200))).toCompletableFuture().get(30, TimeUnit.SECONDS);

      Map<String, CompletableFuture<Map<String, MemberStateStore.Stored>>> loads = new HashMap<>();
      for (int m = 0; m < 600; m++) {
        loads.put("member-" + m, store.load("member-" + m).toCompletableFuture());
      }
      loads.put("never-written", store.load("never-written").toCompletableFuture());
      for (int m = 0; m < 600; m++) {
        String member = "member-" + m;
        Map<String, MemberStateStore.Stored> stored = loads.get(member).get(60, TimeUnit.SECONDS);
        assertThat(stored).containsOnlyKeys("group_a", "group_b");
        assertThat(stored.get("group_a").groupVersion()).isEqualTo(1);
        assertThat(stored.get("group_a").state())
            .isEqualTo(state(member, m == 7 ? 9 : 1));
        assertThat(stored.get("group_b").groupVersion()).isEqualTo(3);
        assertThat(stored.get("group_b").state()).isEqualTo(state(member, 2));
      }
      assertThat(loads.get("never-written").get(30, TimeUnit.SECONDS)).isEmpty();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTableWrittenForOtherPartitionCountsRefusesToStart(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String keyspace = names.keyspace("layout");
    Config config = config(infrastructure, keyspace, "");
    ActorSystem<Void> system = FeatureNode.start(config);
    try {
      MemberStateStore.create(system, MemberStateStore.Settings.create(config), 6);
      // Same layout again: fine.
      MemberStateStore.create(system, MemberStateStore.Settings.create(config), 6);
      assertThatThrownBy(() ->
          MemberStateStore.create(system, MemberStateStore.Settings.create(config), 12))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("written for 6 domain partitions and 16 buckets per partition")
          .hasMessageContaining("12 (tessera.ingest.domain-partitions)")
          .hasMessageContaining("tessera.features.state.buckets-per-partition");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
