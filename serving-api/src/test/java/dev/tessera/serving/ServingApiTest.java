package dev.tessera.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.TestServer.Answer;
import dev.tessera.serving.cluster.ClusterRoutes;
import dev.tessera.serving.features.FeatureLookup;
import dev.tessera.serving.features.SampleLog;
import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.StoredSnapshot;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over a real socket: every endpoint and every error, auth and limits. Feature reads go
 * to an in-memory {@link FeatureLookup} so each outcome (present, expired, unknown, slow, broken)
 * can be arranged exactly.
 */
class ServingApiTest {
  private static final String GROUP = "member_engagement";
  private static final String OPERATOR = "operator-token-0123456789";
  private static final String READER = "read-token-0123456789abc";
  private static ActorTestKit testKit;
  private static FeatureRegistry registry;

  private final Map<String, StoredSnapshot> store = new ConcurrentHashMap<>();
  private final List<StoredSnapshot> sampled = Collections.synchronizedList(new ArrayList<>());
  private long now;
  private TestServer server;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("serving", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()));
    registry = FeatureRegistry.fromConfig(ConfigFactory.load());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(ServingSettings settings) throws Exception {
    now = System.currentTimeMillis();
    FeatureLookup lookup = (memberId, group, at) -> switch (memberId) {
      case "slow" -> CompletableFuture.failedFuture(new TimeoutException("ask timed out"));
      case "broken" -> CompletableFuture.failedFuture(new IllegalStateException("boom secret"));
      default -> {
        StoredSnapshot snapshot = store.get(memberId);
        if (snapshot == null) {
          yield CompletableFuture.completedFuture(Lookup.NotFound.INSTANCE);
        }
        yield CompletableFuture.completedFuture(at >= snapshot.expiresAt()
            ? new Lookup.Expired(snapshot) : new Lookup.Present(snapshot));
      }
    };
    SampleLog samples = (snapshot, servedAt) -> sampled.add(snapshot);
    ServingApi api = new ServingApi(lookup, registry, settings, new PrometheusRegistry(), samples,
        List.of(new ClusterRoutes(testKit.system())));
    server = new TestServer(testKit.system(), api, settings);
    return server;
  }

  private TestServer start() throws Exception {
    return start(ServingSettings.local().withBatchMaxMembers(6));
  }

  private StoredSnapshot snapshot(String memberId, long version, long expiresAt) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("plays_1h", 3L);
    values.put("ctr_1h", 0.25);
    values.put("genre_affinity_24h", Map.of("drama", 0.75, "comedy", 0.25));
    values.put("avg_rating_24h", null);
    return new StoredSnapshot(memberId, GROUP, 1, version, values, now - 500, now - 600,
        now - 400, expiresAt, Map.of("views", 41L, "engagement", -1L));
  }

  @Test
  void readsAMembersVectorWithItsVersionsAndInstants() throws Exception {
    start();
    store.put("m-1", snapshot("m-1", 7, now + 3_600_000));
    Answer answer = server.get("/v1/members/m-1/features?groups=" + GROUP);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    JsonNode group = answer.json().path("groups").path(GROUP);
    assertThat(answer.json().path("memberId").asText()).isEqualTo("m-1");
    assertThat(group.path("status").asText()).isEqualTo("PRESENT");
    assertThat(group.path("groupVersion").asInt()).isEqualTo(1);
    assertThat(group.path("snapshotVersion").asLong()).isEqualTo(7);
    assertThat(group.path("asOf").asLong()).isEqualTo(now - 500);
    assertThat(group.path("watermark").asLong()).isEqualTo(now - 600);
    assertThat(group.path("expiresAt").asLong()).isEqualTo(now + 3_600_000);
    assertThat(group.path("values").path("plays_1h").asLong()).isEqualTo(3);
    assertThat(group.path("values").path("ctr_1h").asDouble()).isEqualTo(0.25);
    assertThat(group.path("values").path("genre_affinity_24h").path("drama").asDouble())
        .isEqualTo(0.75);
    assertThat(group.path("values").has("avg_rating_24h")).isTrue();
    assertThat(group.path("values").path("avg_rating_24h").isNull()).isTrue();
    assertThat(sampled).extracting(StoredSnapshot::memberId).containsExactly("m-1");
  }

  @Test
  void directAndRoutedReadsGiveTheSameAnswer() throws Exception {
    start();
    store.put("m-1", snapshot("m-1", 7, now + 3_600_000));
    // The first is answered by the direct path, the others by the route: an extra parameter and
    // a percent-encoded group list are the route's.
    JsonNode direct = server.get("/v1/members/m-1/features?groups=" + GROUP).json();
    JsonNode extraParameter =
        server.get("/v1/members/m-1/features?groups=" + GROUP + "&trace=1").json();
    JsonNode encoded = server.get("/v1/members/m-1/features?groups=member%5Fengagement").json();
    for (JsonNode answer : List.of(direct, extraParameter, encoded)) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) answer).remove("servedAt");
    }
    assertThat(direct.path("groups").path(GROUP).path("status").asText()).isEqualTo("PRESENT");
    assertThat(extraParameter).isEqualTo(direct);
    assertThat(encoded).isEqualTo(direct);
    Answer unknownGroup = server.get("/v1/members/m-1/features?groups=nope");
    Answer unknownGroupRouted = server.get("/v1/members/m-1/features?groups=nope&trace=1");
    assertThat(unknownGroup.status()).isEqualTo(404);
    assertThat(unknownGroup.json()).isEqualTo(unknownGroupRouted.json());
  }

  @Test
  void readsEveryGroupWhenNoneIsNamed() throws Exception {
    start();
    store.put("m-1", snapshot("m-1", 1, now + 60_000));
    Answer answer = server.get("/v1/members/m-1/features");
    assertThat(answer.status()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    answer.json().path("groups").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyElementsOf(registry.all().stream()
        .map(g -> g.name()).distinct().toList());
  }

  @Test
  void saysNotFoundForAMemberWithoutEventsAndExpiredPastTheTtl() throws Exception {
    start();
    store.put("old", snapshot("old", 3, now - 1));
    JsonNode unknown = server.get("/v1/members/nobody/features").json();
    assertThat(unknown.path("groups").path(GROUP).path("status").asText())
        .isEqualTo("NOT_FOUND");
    assertThat(unknown.path("groups").path(GROUP).has("values")).isFalse();
    JsonNode expired = server.get("/v1/members/old/features").json();
    assertThat(expired.path("groups").path(GROUP).path("status").asText()).isEqualTo("EXPIRED");
    assertThat(expired.path("groups").path(GROUP).path("expiresAt").asLong()).isEqualTo(now - 1);
    assertThat(expired.path("groups").path(GROUP).has("values")).isFalse();
    assertThat(sampled).isEmpty();
  }

  @Test
  void rejectsMalformedMemberIdsWith400() throws Exception {
    start();
    for (String id : List.of("bad%24id", "a".repeat(65), "with%20space", "%C3%A9")) {
      Answer answer = server.get("/v1/members/" + id + "/features");
      assertThat(answer.status()).as(id).isEqualTo(400);
      assertError(answer, "INVALID_MEMBER_ID");
    }
  }

  @Test
  void rejectsUnknownGroupsWith404AndEmptyGroupNamesWith400() throws Exception {
    start();
    Answer unknown = server.get("/v1/members/m-1/features?groups=" + GROUP + ",nope");
    assertThat(unknown.status()).isEqualTo(404);
    assertError(unknown, "UNKNOWN_FEATURE_GROUP");
    assertThat(unknown.json().path("details").path("group").asText()).isEqualTo("nope");
    Answer empty = server.get("/v1/members/m-1/features?groups=" + GROUP + ",");
    assertThat(empty.status()).isEqualTo(400);
    assertError(empty, "INVALID_PARAMETER");
  }

  @Test
  void answers503WithRetryAfterWhenAReadTimesOut() throws Exception {
    start();
    Answer answer = server.get("/v1/members/slow/features");
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.header("Retry-After")).isEqualTo("1");
    assertError(answer, "TIMEOUT");
  }

  @Test
  void hidesUnexpectedFailuresBehindAnIncidentId() throws Exception {
    start();
    Answer answer = server.get("/v1/members/broken/features");
    assertThat(answer.status()).isEqualTo(500);
    assertError(answer, "INTERNAL");
    assertThat(answer.json().path("details").path("incident").asText()).hasSize(36);
    assertThat(answer.raw().body()).doesNotContain("boom secret", "Exception", "at dev.");
  }

  @Test
  void batchGetAnswersEveryIdOnItsOwn() throws Exception {
    start();
    store.put("m-1", snapshot("m-1", 2, now + 60_000));
    store.put("old", snapshot("old", 2, now - 1));
    Answer answer = server.post("/v1/features/batch-get",
        "{\"memberIds\":[\"m-1\",\"nobody\",\"bad id\",42,\"old\",\"slow\"],"
            + "\"groups\":[\"" + GROUP + "\"]}");
    assertThat(answer.status()).isEqualTo(200);
    JsonNode results = answer.json().path("results");
    assertThat(results).hasSize(6);
    assertThat(statusOf(results.get(0))).isEqualTo("PRESENT");
    assertThat(results.get(0).path("groups").path(GROUP).path("values").path("plays_1h").asLong())
        .isEqualTo(3);
    assertThat(statusOf(results.get(1))).isEqualTo("NOT_FOUND");
    assertThat(results.get(2).path("status").asText()).isEqualTo("INVALID_MEMBER_ID");
    assertThat(results.get(2).path("memberId").asText()).isEqualTo("bad id");
    assertThat(results.get(2).path("error").path("code").asText()).isEqualTo("INVALID_MEMBER_ID");
    assertThat(results.get(3).path("status").asText()).isEqualTo("INVALID_MEMBER_ID");
    assertThat(statusOf(results.get(4))).isEqualTo("EXPIRED");
    assertThat(statusOf(results.get(5))).isEqualTo("UNAVAILABLE");
  }

  @Test
  void batchGetEnforcesItsLimitsAndShape() throws Exception {
    start();
    Answer tooMany = server.post("/v1/features/batch-get",
        "{\"memberIds\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]}");
    assertThat(tooMany.status()).isEqualTo(413);
    assertError(tooMany, "BATCH_TOO_LARGE");
    assertThat(tooMany.json().path("details").path("limit").asInt()).isEqualTo(6);

    Answer huge = server.post("/v1/features/batch-get",
        "{\"memberIds\":[\"" + "x".repeat(2 << 20) + "\"]}");
    assertThat(huge.status()).as(huge.raw().body()).isEqualTo(413);
    assertThat(huge.json().path("code").asText()).isIn("REQUEST_TOO_LARGE");

    Answer malformed = server.post("/v1/features/batch-get", "{\"memberIds\":[\"a\"");
    assertThat(malformed.status()).isEqualTo(400);
    assertError(malformed, "MALFORMED_BODY");
    Answer missing = server.post("/v1/features/batch-get", "{\"ids\":[\"a\"]}");
    assertThat(missing.status()).isEqualTo(400);
    assertError(missing, "MISSING_FIELD");
    Answer badGroup = server.post("/v1/features/batch-get",
        "{\"memberIds\":[\"a\"],\"groups\":[\"nope\"]}");
    assertThat(badGroup.status()).isEqualTo(404);
    assertError(badGroup, "UNKNOWN_FEATURE_GROUP");
    Answer wrongMethod = server.get("/v1/features/batch-get");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertError(wrongMethod, "METHOD_NOT_ALLOWED");
  }

  @Test
  void servesTheRegistryWithEachFeaturesDefinition() throws Exception {
    start();
    JsonNode list = server.get("/v1/feature-groups").json().path("featureGroups");
    assertThat(list).hasSize(registry.all().size());
    assertThat(list.get(0).path("name").asText()).isEqualTo(GROUP);
    JsonNode group = server.get("/v1/feature-groups/" + GROUP + "/1").json();
    assertThat(group.path("ttl").asText()).isEqualTo("PT48H");
    JsonNode features = group.path("features");
    assertThat(features).hasSize(registry.get(GROUP, 1).features().size());
    JsonNode ctr = null;
    JsonNode plays = null;
    for (JsonNode feature : features) {
      if (feature.path("name").asText().equals("ctr_1h")) {
        ctr = feature;
      }
      if (feature.path("name").asText().equals("plays_tumbling_5m")) {
        plays = feature;
      }
    }
    assertThat(ctr.path("aggregation").asText()).isEqualTo("ratio");
    assertThat(ctr.path("numerator").path("types").get(0).asText()).isEqualTo("click");
    assertThat(ctr.path("window").path("hop").asText()).isEqualTo("PT1M");
    assertThat(ctr.path("range").path("max").asDouble()).isEqualTo(1.0);
    assertThat(plays.path("window").path("type").asText()).isEqualTo("tumbling");
    assertThat(plays.path("valueType").asText()).isEqualTo("long");

    assertError(server.get("/v1/feature-groups/" + GROUP + "/9"), "UNKNOWN_FEATURE_GROUP");
    Answer badVersion = server.get("/v1/feature-groups/" + GROUP + "/one");
    assertThat(badVersion.status()).isEqualTo(400);
    assertError(badVersion, "INVALID_PARAMETER");
  }

  @Test
  void servesTheOpenApiDocumentForEveryRoute() throws Exception {
    start();
    Answer answer = server.get("/v1/openapi.yaml");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.raw().body()).contains("openapi: 3.0.3", "/v1/members/{memberId}/features:",
        "/v1/features/batch-get:", "/v1/feature-groups:", "/v1/feature-groups/{name}/{version}:",
        "/v1/cluster/members:", "/v1/cluster/members/{address}/leave:", "/metrics:",
        "/v1/workflows:", "/v1/workflows/{id}:", "/v1/workflows/{id}/approve:",
        "/v1/workflows/{id}/reject:", "/v1/workflows/{id}/cancel:", "/v1/signals:",
        "/v1/signals/{name}:");
  }

  @Test
  void countsRequestsPerRouteAndStatusInPrometheusText() throws Exception {
    start();
    store.put("m-1", snapshot("m-1", 1, now + 60_000));
    for (int i = 0; i < 3; i++) {
      server.get("/v1/members/m-1/features");
    }
    server.get("/v1/members/bad$/features");
    server.get("/v1/nothing-here");
    Answer metrics = server.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain");
    assertThat(metrics.raw().body())
        .contains("tessera_http_request_duration_seconds_count{method=\"GET\",route="
            + "\"member_features\",status=\"200\"} 3")
        .contains("tessera_http_request_duration_seconds_count{method=\"GET\",route="
            + "\"member_features\",status=\"400\"} 1")
        .contains("tessera_http_request_duration_seconds_count{method=\"GET\",route="
            + "\"unmatched\",status=\"404\"} 1")
        .doesNotContain("route=\"unmatched\",status=\"200\"")
        .doesNotContain("route=\"unmatched\",status=\"400\"");
    assertThat(metrics.header("x-tessera-endpoint")).isNull();
  }

  @Test
  void unknownPathsGetAJsonNotFound() throws Exception {
    start();
    Answer answer = server.get("/v2/members/m-1/features");
    assertThat(answer.status()).isEqualTo(404);
    assertError(answer, "NO_SUCH_ENDPOINT");
  }

  @Test
  void protectedReadsNeedAReadOrOperatorToken() throws Exception {
    start(ServingSettings.local().withAuth(new ServingSettings.Auth(OPERATOR, true, READER)));
    store.put("m-1", snapshot("m-1", 1, now + 60_000));
    Answer none = server.get("/v1/members/m-1/features");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    assertError(none, "UNAUTHORIZED");
    Answer wrong = server.get("/v1/members/m-1/features", "Authorization", "Bearer nope");
    assertThat(wrong.status()).isEqualTo(403);
    assertError(wrong, "FORBIDDEN");
    assertThat(server.get("/v1/members/m-1/features", "Authorization", "Bearer " + READER)
        .status()).isEqualTo(200);
    assertThat(server.get("/v1/members/m-1/features", "Authorization", "Bearer " + OPERATOR)
        .status()).isEqualTo(200);
    assertThat(server.post("/v1/features/batch-get", "{\"memberIds\":[\"m-1\"]}").status())
        .isEqualTo(401);
    assertThat(server.get("/metrics").status()).isEqualTo(401);
    // The spec stays readable: it holds no data.
    assertThat(server.get("/v1/openapi.yaml").status()).isEqualTo(200);
  }

  @Test
  void operatorEndpointsNeedTheOperatorToken() throws Exception {
    start(ServingSettings.local().withAuth(new ServingSettings.Auth(OPERATOR, false, READER)));
    String leave = "/v1/cluster/members/" + java.net.URLEncoder.encode(
        "pekko://serving@127.0.0.1:1", java.nio.charset.StandardCharsets.UTF_8) + "/leave";
    Answer none = server.post(leave, "");
    assertThat(none.status()).isEqualTo(401);
    Answer reader = server.post(leave, "", "Authorization", "Bearer " + READER);
    assertThat(reader.status()).isEqualTo(403);
    assertError(reader, "FORBIDDEN");
    Answer operator = server.post(leave, "", "Authorization", "Bearer " + OPERATOR);
    assertThat(operator.status()).isEqualTo(404);
    assertError(operator, "NO_SUCH_MEMBER");
    JsonNode members = server.get("/v1/cluster/members").json();
    assertThat(members.path("selfAddress").asText()).startsWith("pekko://serving@127.0.0.1:");
    Answer shards = server.get("/v1/cluster/shards");
    assertThat(shards.status()).as(shards.raw().body()).isIn(200, 503);
    assertThat(shards.json().has("code") || shards.json().path("entityType").asText()
        .equals("MemberFeatures")).isTrue();
  }

  @Test
  void operatorEndpointsAreOffWithoutAnOperatorToken() throws Exception {
    start();
    Answer answer = server.post("/v1/cluster/members/x/leave", "", "Authorization",
        "Bearer anything-at-all-here");
    assertThat(answer.status()).isEqualTo(403);
    assertError(answer, "OPERATOR_ENDPOINTS_DISABLED");
  }

  private static String statusOf(JsonNode result) {
    return result.path("groups").path(GROUP).path("status").asText();
  }

  private static void assertError(Answer answer, String code) {
    JsonNode json = answer.json();
    assertThat(json.path("code").asText()).as(answer.raw().body()).isEqualTo(code);
    assertThat(json.path("message").asText()).isNotBlank();
    assertThat(json.has("details")).isTrue();
  }
}
