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
 * {@code tessera verify}: a bounded run on embedded defaults that checks every member: a burst of
 * simulated traffic through ingestion, the member entities and the online store, each member's
 * vector compared with the reference implementation over the simulator's truth, then the members
 * restored from Cassandra by a fresh node and compared again (see {@link RoundTrip}).
 */
public final class VerifyCommand {
  private VerifyCommand() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int members = 200;
    int events = 20_000;
    // A new seed each run unless given: the journal keeps earlier runs, and event ids carry the seed.
    long seed = new java.util.Random().nextInt(Integer.MAX_VALUE);
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (i + 1 >= args.size()) {
        throw new UserError("verify: " + flag + " needs a value", 2);
      }
      String value = args.get(++i);
      switch (flag) {
        case "--members" -> members = positive(flag, value, 100_000);
        case "--events" -> events = positive(flag, value, 2_000_000);
        case "--seed" -> seed = positive(flag, value, Integer.MAX_VALUE);
        default -> throw new UserError("verify: unknown option " + flag
            + " (options: --members N, --events N, --seed S)", 2);
      }
    }

    EmbeddedSettings settings = EmbeddedSettings.load();
    out.println("Tessera verify: a bounded run checked member by member");
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
          + " -> sharded member entities (windowed state, Cassandra checkpoints) -> online store");
      // Topics and member state of its own per run: the demo checks against its own truth.
      RoundTrip.Result result = RoundTrip.run(infrastructure,
          NodeConfig.forLocal(infrastructure, "tessera_demo_" + seed, 0),
          new RoundTrip.Options(members, events, seed, "demo-" + seed + "-"), out);
      printIngestion(result, out);
      printFeatures(result, out);
      out.println("[3/3] checked against the reference implementation over the simulator's truth:");
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

  private static void printFeatures(RoundTrip.Result result, PrintStream out) {
    var features = result.features();
    var freshness = features.freshnessMicros();
    out.printf("  features: %d domain events in %d batches (%d member messages): %d accepted,"
            + " %d late (side-routed), %d duplicates; freshness p50 %.1f ms, p99 %.1f ms;"
            + " %d checkpoints%n", features.records(), features.batches(), features.memberMessages(),
        features.accepted(), features.late(), features.duplicates(),
        freshness.getValueAtPercentile(50) / 1000.0, freshness.getValueAtPercentile(99) / 1000.0,
        features.checkpoints());
    for (var sample : result.samples()) {
      Map<String, Object> shown = new java.util.LinkedHashMap<>();
      for (String name : List.of("plays_1h", "plays_24h", "ctr_1h", "watch_seconds_24h",
          "distinct_titles_24h", "diversity_24h", "session_seconds", "genre_affinity_24h")) {
        Object value = sample.values().get(name);
        shown.put(name, rounded(value));
      }
      out.printf("  %s v%d (snapshot %d): %s%n", sample.memberId(), sample.groupVersion(),
          sample.snapshotVersion(), shown);
    }
  }

  private static Object rounded(Object value) {
    if (value instanceof Double d) {
      return Math.round(d * 1000) / 1000.0;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new java.util.LinkedHashMap<>();
      map.forEach((key, entry) -> copy.put(key, rounded(entry)));
      return copy;
    }
    return value;
  }

  private static int report(RoundTrip.Result result, PrintStream out) {
    out.printf("  online store:            %d of %d members equal the reference%n",
        result.storedMatches(), result.members());
    out.printf("  restored from Cassandra: %d of %d members equal the reference (%d ms)%n",
        result.recoveredMatches(), result.members(), result.recoveryTime().toMillis());
    result.mismatches().stream().limit(5).forEach(m -> out.println("  MISMATCH " + m));
    if (!result.mismatches().isEmpty()) {
      out.println("Verify FAILED: " + result.mismatches().size() + " mismatches");
      return 1;
    }
    out.printf("Verify OK: %d members' features computed, served, checkpointed and restored exactly"
        + " (%.1f s).%n", result.members(), result.pipelineTime().toMillis() / 1000.0);
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
    throw new UserError("verify: " + flag + " must be a whole number from 1 to " + max
        + ", not '" + value + "'", 2);
  }
}
