package dev.tessera.simulations.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads while ingesting: a background producer ({@link LiveEvents}) sends the simulator's events
 * to the node's raw topic at {@code eventRate} per second while single reads of the same members
 * arrive at {@code rate} per second (open model). When the reads are done the producer stops and
 * one last request checks on {@code /metrics} that the node counted every event the broker
 * acknowledged; the gate is p99, the failed share, and that check.
 */
public class MixedTraffic extends Simulation {
  static final String INGESTED_CHECK = "every sent event counted by the node";

  private final LoadSettings settings = LoadSettings.fromEnvironment();
  private final LiveEvents events = new LiveEvents(settings);

  {
    System.out.println("MixedTraffic against " + settings.describe() + "; events "
        + settings.eventRate() + "/s to " + settings.topics().raw() + " on " + settings.kafka());
    Duration duration = Duration.ofSeconds(settings.durationSeconds());
    List<Assertion> gate = new ArrayList<>(Reads.gate(settings));
    gate.add(details(INGESTED_CHECK).failedRequests().count().is(0L));
    gate.add(details(INGESTED_CHECK).requestsPerSec().gt(0.0)); // it ran at all
    setUp(scenario("reads while ingesting").exec(Reads.single(settings))
            .injectOpen(constantUsersPerSec(settings.rate()).during(duration))
            .andThen(scenario("ingest check").exec(ingestCheck())
                .injectOpen(atOnceUsers(1))))
        .protocols(Reads.protocol(settings))
        .assertions(gate);
  }

  /**
   * Stops the producer (a one-off blocking join, at the very end, outside the measured reads),
   * polls {@code /metrics} until the node's raw-record counter has grown by every acknowledged
   * event or the ingest timeout passes, then checks it once more as a request of its own.
   */
  private ChainBuilder ingestCheck() {
    return exec(session -> {
          events.close();
          return session.set("caughtUp", false);
        })
        .asLongAsDuring(session -> !session.getBoolean("caughtUp"),
            Duration.ofSeconds(settings.ingestTimeoutSeconds()))
        .on(exec(http("ingest progress").get("/metrics")
                .check(status().is(200))
                .check(regex(LiveEvents.INGESTED.pattern()).transform(this::caughtUp)
                    .saveAs("caughtUp")))
            .pause(Duration.ofMillis(500)))
        .exec(http(INGESTED_CHECK).get("/metrics")
            .check(regex(LiveEvents.INGESTED.pattern()).transform(this::caughtUp).is(true)));
  }

  private boolean caughtUp(String counter) {
    long counted = (long) Double.parseDouble(counter) - events.baseline();
    return events.failed() == 0 && events.acked() > 0 && counted >= events.acked();
  }

  @Override
  public void before() {
    events.start();
  }

  @Override
  public void after() {
    events.close();
    String counted;
    try {
      counted = String.valueOf(events.ingestedNow() - events.baseline());
    } catch (IllegalStateException e) { // the node is gone: the gate's own check has failed already
      counted = "? (" + e.getMessage() + ")";
    }
    System.out.printf("MixedTraffic events: sent %d, acknowledged %d, failed %d%s;"
            + " the node counted %s raw records meanwhile%n",
        events.sent(), events.acked(), events.failed(),
        events.firstError() == null ? "" : " (first error: " + events.firstError() + ")",
        counted);
  }
}
