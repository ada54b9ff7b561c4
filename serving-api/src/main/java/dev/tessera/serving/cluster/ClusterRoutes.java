package dev.tessera.serving.cluster;

import dev.tessera.serving.ServingApi;
import dev.tessera.serving.http.ApiError;
import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.Endpoints;
import dev.tessera.serving.http.Json;
import java.util.ArrayList;
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
 * Cluster membership for operators: {@code GET /v1/cluster/members} (open like reads) and {@code
 * POST /v1/cluster/members/{address}/leave} (operator token), which asks a node to leave
 * gracefully: it hands its shards over, its consumers stop and checkpoint, then it exits the
 * cluster.
 */
public final class ClusterRoutes extends AllDirectives implements ServingApi.Extension {
  private final Cluster cluster;

  public ClusterRoutes(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
  }

  @Override
  public Route route(Endpoints endpoints, BearerAuth auth) {
    return pathPrefix("v1", () -> pathPrefix("cluster", () -> pathPrefix("members", () -> concat(
        pathEnd(() -> get(() -> endpoints.endpoint("cluster_members",
            () -> auth.read(() -> complete(Json.response(StatusCodes.OK, state())))))),
        pathPrefix(address -> path("leave", () -> post(() -> endpoints.endpoint("cluster_leave",
            () -> auth.operator(() -> leave(endpoints, address))))))))));
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
