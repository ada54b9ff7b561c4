package dev.tessera.simulations.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Serving reads against a running node, open model: single reads arrive at {@code rate} per
 * second and batch-gets of {@code batchSize} members at {@code batchRate} per second, whatever
 * the node's response times (a slow node sees a growing queue, not a politely slower client).
 * Gated by p99 and the failed share ({@link LoadSettings}).
 */
public class ServingReads extends Simulation {
  private final LoadSettings settings = LoadSettings.fromEnvironment();

  {
    System.out.println("ServingReads against " + settings.describe());
    Duration duration = Duration.ofSeconds(settings.durationSeconds());
    List<PopulationBuilder> populations = new ArrayList<>();
    populations.add(scenario("single reads").exec(Reads.single(settings))
        .injectOpen(constantUsersPerSec(settings.rate()).during(duration)));
    if (settings.batchRate() > 0) {
      populations.add(scenario("batch reads").exec(Reads.batch(settings))
          .injectOpen(constantUsersPerSec(settings.batchRate()).during(duration)));
    }
    setUp(populations).protocols(Reads.protocol(settings)).assertions(Reads.gate(settings));
  }
}
