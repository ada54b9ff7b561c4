package dev.tessera.simulations.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** The HTTP protocol, the two reads and the gate shared by the load simulations. */
final class Reads {
  private Reads() {}

  /**
   * One pool of keep-alive connections for all virtual users, as a model-serving client keeps:
   * without it every open-model arrival opens (and closes) its own TCP connection and the run
   * measures connection set-up. The pool is not bounded (open model): when the node falls
   * behind, requests in flight and so connections pile up, up to the server's own limit
   * (Pekko HTTP's max-connections, 1024), beyond which connects time out.
   * No warm-up: Gatling's default one calls a site outside this machine.
   */
  static HttpProtocolBuilder protocol(LoadSettings settings) {
    return http.baseUrl(settings.url())
        .acceptHeader("application/json")
        .shareConnections()
        .disableWarmUp()
        .disableCaching();
  }

  /** GET one member's group: 200 and a group status (PRESENT, NOT_FOUND or EXPIRED). */
  static ChainBuilder single(LoadSettings settings) {
    return feed(settings.memberFeeder())
        .exec(http("single read")
            .get("/v1/members/#{memberId}/features")
            .queryParam("groups", settings.group())
            .check(status().is(200))
            .check(jmesPath("groups." + settings.group() + ".status")
                .in("PRESENT", "NOT_FOUND", "EXPIRED")));
  }

  /**
   * POST a batch-get of {@code batchSize} random members: 200, one result per id, and no member
   * UNAVAILABLE (its entity did not answer in time: the node was too slow for that member).
   */
  static ChainBuilder batch(LoadSettings settings) {
    String unavailable =
        "length(results[?groups." + settings.group() + ".status == 'UNAVAILABLE'])";
    return exec(http("batch-get " + settings.batchSize())
        .post("/v1/features/batch-get")
        .body(StringBody(session -> batchBody(settings, ThreadLocalRandom.current())))
        .asJson()
        .check(status().is(200))
        .check(jmesPath("length(results)").ofInt().is(settings.batchSize()))
        .check(jmesPath(unavailable).ofInt().is(0)));
  }

  static String batchBody(LoadSettings settings, Random random) {
    StringBuilder body = new StringBuilder(32 + settings.batchSize() * 12);
    body.append("{\"memberIds\":[");
    for (int i = 0; i < settings.batchSize(); i++) {
      body.append(i == 0 ? "\"" : ",\"").append(settings.randomMember(random)).append('"');
    }
    return body.append("],\"groups\":[\"").append(settings.group()).append("\"]}").toString();
  }

  /** p99 of every request below the threshold and at most the allowed share failed. */
  static List<Assertion> gate(LoadSettings settings) {
    return List.of(
        global().responseTime().percentile(99.0).lt(settings.maxP99Ms()),
        global().failedRequests().percent().lte(settings.maxFailedPercent()));
  }
}
