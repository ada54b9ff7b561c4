package dev.tessera.deploy.demo;

import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.UserError;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code tessera demo}: the main job on embedded defaults. Today it proves the plumbing end to end
 * (see {@link RoundTrip}); the feature pipeline grows into it issue by issue.
 */
public final class DemoCommand {
  private DemoCommand() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int members = 20;
    int events = 10;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (i + 1 >= args.size()) {
        throw new UserError("demo: " + flag + " needs a value", 2);
      }
      String value = args.get(++i);
      switch (flag) {
        case "--members" -> members = positive(flag, value, 10_000);
        case "--events" -> events = positive(flag, value, 10_000);
        default -> throw new UserError("demo: unknown option " + flag
            + " (options: --members N, --events N)", 2);
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
      out.println("[2/3] one-node Pekko cluster: Kafka -> sharded MemberInbox -> Cassandra journal");
      RoundTrip.Result result = RoundTrip.run(infrastructure,
          NodeConfig.forLocal(infrastructure, "tessera_demo", 0),
          new RoundTrip.Options(members, events, "demo-member-events",
              "run" + UUID.randomUUID().toString().substring(0, 8)),
          out);
      out.println("[3/3] read back after recovery (" + result.recoveryTime().toMillis() + " ms):");
      return report(result, events, out);
    } finally {
      if (running.isEmpty()) {
        infrastructure.close();
        out.println("Stopped Kafka and Cassandra (data kept in " + settings.dataDir() + ")");
      }
    }
  }

  private static int report(RoundTrip.Result result, int events, PrintStream out) {
    out.printf("  %-12s %8s %10s %10s  %s%n", "member", "before", "ingested", "recovered",
        "last event id");
    int shown = 0;
    boolean allMatch = true;
    for (Map.Entry<String, Long> entry : result.recovered().entrySet()) {
      String member = entry.getKey();
      long expected = result.before().get(member) + events;
      boolean match = entry.getValue() == expected && result.ingested().get(member) == expected;
      allMatch &= match;
      if (shown++ < 5 || !match) {
        List<String> recent = result.recoveredRecentIds().get(member);
        out.printf("  %-12s %8d %10d %10d  %s%s%n", member, result.before().get(member),
            result.ingested().get(member), entry.getValue(),
            recent.isEmpty() ? "-" : recent.get(recent.size() - 1), match ? "" : "  MISMATCH");
      }
    }
    if (result.recovered().size() > shown) {
      out.printf("  ... and %d more members%n", result.recovered().size() - shown);
    }
    if (!allMatch) {
      out.println("Round trip FAILED: recovered counts differ from what was produced");
      return 1;
    }
    out.printf("Round trip OK: %d events produced, consumed in %d ms, persisted, recovered.%n",
        result.produced(), result.ingestTime().toMillis());
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
