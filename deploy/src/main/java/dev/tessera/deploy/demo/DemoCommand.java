package dev.tessera.deploy.demo;

import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.UserError;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tessera demo}: the main job on embedded defaults. Today it proves the plumbing end to end
 * (see {@link RoundTrip}); the feature pipeline grows into it issue by issue.
 */
public final class DemoCommand {
  private DemoCommand() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int members = 200;
    int events = 20_000;
    // A new seed each run unless given: the journal keeps earlier runs, and event ids carry the seed.
    long seed = new java.util.Random().nextInt(Integer.MAX_VALUE);
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (i + 1 >= args.size()) {
        throw new UserError("demo: " + flag + " needs a value", 2);
      }
      String value = args.get(++i);
      switch (flag) {
        case "--members" -> members = positive(flag, value, 100_000);
        case "--events" -> events = positive(flag, value, 2_000_000);
        case "--seed" -> seed = positive(flag, value, Integer.MAX_VALUE);
        default -> throw new UserError("demo: unknown option " + flag
            + " (options: --members N, --events N, --seed S)", 2);
      }
    }

    EmbeddedSettings settings = EmbeddedSettings.load();
    out.println("Tessera demo");
    Optional<LocalInfrastructure> running = LocalInfrastructure.find(settings);
    LocalInfrastructure infrastructure;
    if (running.isPresent()) {
      infrastructure = running.get();
      out.println("[1/3] using the servers of 'tessera infra start' on " + settings.dataDir());
    } else {
      out.println("[1/3] starting Kafka 4.4.0 and Cassandra 5.0.9 (data in " + settings.dataDir()
          + ")");
      infrastructure = LocalInfrastructure.start(settings, true);
      out.printf("  both serve after %.1f s: kafka %s (pid %d), cassandra %s:%d (pid %d)%n",
          infrastructure.startupTime().toMillis() / 1000.0,
          infrastructure.kafka().bootstrapServers(), infrastructure.kafka().pid(),
          infrastructure.cassandra().host(), infrastructure.cassandra().port(),
          infrastructure.cassandra().pid());
    }
    try {
      out.println("[2/3] one-node Pekko cluster: simulator -> raw topic -> ingestion -> domain topics"
          + " -> sharded MemberInbox -> Cassandra journal");
      RoundTrip.Result result = RoundTrip.run(infrastructure,
          NodeConfig.forLocal(infrastructure, "tessera_demo", 0),
          // Topics of its own per run: the demo checks against its own simulator's truth.
          new RoundTrip.Options(members, events, seed, "demo-" + seed + "-"), out);
      printIngestion(result, out);
      out.println("[3/3] read back after recovery (" + result.recoveryTime().toMillis() + " ms):");
      return report(result, out);
    } finally {
      if (running.isEmpty()) {
        infrastructure.close();
        out.println("Stopped Kafka and Cassandra (data kept in " + settings.dataDir() + ")");
      }
    }
  }

  private static void printIngestion(RoundTrip.Result result, PrintStream out) {
    var ingest = result.ingest();
    var latency = ingest.latencyMicros();
    out.printf("  ingestion: %d records in, %d valid, %d duplicates dropped, %d dead-lettered %s%n",
        ingest.recordsIn(), ingest.valid(), ingest.duplicatesDropped(), ingest.invalid(),
        nonZero(ingest.invalidByReason()));
    out.printf("  routed %s; title coverage %.2f%%; raw-to-domain latency (one burst, start-up"
        + " included) p50 %.1f ms, p99 %.1f ms%n",
        ingest.routed(), ingest.titleCoverage() * 100, latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0);
    out.printf("  all domain events consumed into the entities after %.1f s%n",
        result.ingestTime().toMillis() / 1000.0);
  }

  private static Map<?, Long> nonZero(Map<?, Long> counts) {
    Map<Object, Long> kept = new java.util.LinkedHashMap<>();
    counts.forEach((key, count) -> {
      if (count > 0) {
        kept.put(key, count);
      }
    });
    return kept;
  }

  private static int report(RoundTrip.Result result, PrintStream out) {
    out.printf("  %-12s %8s %9s %10s %10s%n", "member", "before", "expected", "ingested",
        "recovered");
    int shown = 0;
    boolean allMatch = true;
    long total = 0;
    for (Map.Entry<String, Long> entry : result.recovered().entrySet()) {
      String member = entry.getKey();
      long expected = result.before().get(member) + result.expectedPerMember().get(member);
      boolean match = entry.getValue() == expected && result.ingested().get(member) == expected;
      allMatch &= match;
      total += result.expectedPerMember().get(member);
      if (shown++ < 5 || !match) {
        out.printf("  %-12s %8d %9d %10d %10d%s%n", member, result.before().get(member),
            expected, result.ingested().get(member), entry.getValue(), match ? "" : "  MISMATCH");
      }
    }
    if (result.recovered().size() > 5) {
      out.printf("  ... and %d more members%n", result.recovered().size() - 5);
    }
    if (!allMatch) {
      out.println("Round trip FAILED: recovered counts differ from the simulator's truth");
      return 1;
    }
    out.printf("Round trip OK: %d events of %d members ingested, persisted and recovered exactly.%n",
        total, result.recovered().size());
    return 0;
  }

  private static int positive(String flag, String value, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserError("demo: " + flag + " must be a whole number from 1 to " + max
        + ", not '" + value + "'", 2);
  }
}
