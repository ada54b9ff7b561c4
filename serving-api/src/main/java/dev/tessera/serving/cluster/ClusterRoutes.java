package dev.tessera.serving.cluster;

import dev.tessera.serving.ServingApi;
import dev.tessera.serving.http.ApiError;
import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.Endpoints;
import dev.tessera.serving.http.Json;
import dev.tessera.sharding.member.MemberFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cluster membership for operators: {@code GET /v1/cluster/members} and {@code GET
 * /v1/cluster/shards} (member shards per node; open like reads) and {@code
 * POST /v1/cluster/members/{address}/leave} (operator token), which asks a node to leave
 * gracefully: it hands its shards over, its consumers stop and checkpoint, then it exits the
 * cluster.
 */
public final class ClusterRoutes extends AllDirectives implements ServingApi.Extension {
  private final ActorSystem<?> system;
  private final Cluster cluster;

  public ClusterRoutes(ActorSystem<?> system) {
    this.system = system;
    this.cluster = Cluster.get(system);
  }

  @Override
  public Route route(Endpoints endpoints, BearerAuth auth) {
    return pathPrefix("v1", () -> pathPrefix("cluster", () -> concat(
        path("shards", () -> get(() -> endpoints.endpoint("cluster_shards",
            () -> auth.read(() -> completeWithFuture(shards()
                .thenApply(shards -> Json.response(StatusCodes.OK, shards))
                .exceptionally(endpoints.errors()::fromThrowable)))))),
        pathPrefix("members", () -> concat(
            pathEnd(() -> get(() -> endpoints.endpoint("cluster_members",
                () -> auth.read(() -> complete(Json.response(StatusCodes.OK, state())))))),
            pathPrefix(address -> path("leave", () -> post(() -> endpoints.endpoint(
                "cluster_leave", () -> auth.operator(() -> leave(endpoints, address)))))))))));
  }

  private Route leave(Endpoints endpoints, String address) {
    Optional<Member> member = findMember(address);
    if (member.isEmpty()) {
      return complete(endpoints.errors().response(StatusCodes.NOT_FOUND, new ApiError(
          "NO_SUCH_MEMBER", "no cluster member with that address",
          Map.of("address", address))));
    }
    Address target = member.get().address();
    cluster.manager().tell(Leave.create(target));
    return complete(Json.response(StatusCodes.ACCEPTED,
        Map.of("address", target.toString(), "requested", "leave")));
  }

  private Optional<Member> findMember(String address) {
    for (Member member : cluster.state().getMembers()) {
      if (member.address().toString().equals(address)) {
        return Optional.of(member);
      }
    }
    return Optional.empty();
  }

  /**
   * Member shards per node: with partition-aligned allocation shard i is partition i of every
   * domain topic, so this is also which node consumes which partitions.
   */
  CompletionStage<Map<String, Object>> shards() {
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        (ActorRef<ShardRegion.ClusterShardingStats> replyTo) -> new GetClusterShardingStats(
            MemberFeatures.ENTITY_KEY, Duration.ofSeconds(3), replyTo),
        Duration.ofSeconds(5), system.scheduler());
    return stats.thenApply(all -> {
      Map<String, Object> regions = new TreeMap<>();
      all.getRegions().forEach((address, region) -> {
        Map<String, Object> shards = new TreeMap<>();
        region.getStats().forEach((shard, entities) -> shards.put(shard, entities));
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("shards", shards);
        node.put("failed", List.copyOf(region.getFailed()));
        regions.put(address.toString(), node);
      });
      return Map.of("entityType", MemberFeatures.ENTITY_KEY.name(), "regions", regions);
    });
  }

  Map<String, Object> state() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member member : state.getMembers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("address", member.address().toString());
      m.put("status", member.status().toString());
      m.put("roles", List.copyOf(member.getRoles()));
      members.add(m);
    }
    List<String> unreachable = new ArrayList<>();
    for (Member member : state.getUnreachable()) {
      unreachable.add(member.address().toString());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("selfAddress", cluster.selfMember().address().toString());
    out.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    out.put("members", members);
    out.put("unreachable", unreachable);
    return out;
  }
}
