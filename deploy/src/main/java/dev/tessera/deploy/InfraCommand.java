package dev.tessera.deploy;

import dev.tessera.embedded.EmbeddedCassandra;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * {@code tessera infra start|stop|status}: the embedded Kafka broker and Cassandra node without
 * the engine. Started servers outlive the command; {@code stop} ends them by the PIDs recorded in
 * the data directory.
 */
final class InfraCommand {
  private InfraCommand() {}

  static int run(List<String> args, PrintStream out) {
    if (args.size() != 1) {
      throw new UserError("usage: tessera infra start|stop|status", 2);
    }
    EmbeddedSettings settings = EmbeddedSettings.load();
    switch (args.get(0)) {
      case "start":
        return start(settings, out);
      case "stop":
        return stop(settings, out);
      case "status":
        return status(settings, out);
      default:
        throw new UserError("unknown infra command '" + args.get(0)
            + "': usage: tessera infra start|stop|status", 2);
    }
  }

  private static int start(EmbeddedSettings settings, PrintStream out) {
    Optional<EmbeddedKafka> kafka = EmbeddedKafka.find(settings);
    Optional<EmbeddedCassandra> cassandra = EmbeddedCassandra.find(settings);
    if (kafka.isPresent() && cassandra.isPresent()) {
      out.println("Already running on " + settings.dataDir() + ":");
      return status(settings, out);
    }
    if (kafka.isPresent() || cassandra.isPresent()) {
      throw new UserError("only one server runs on " + settings.dataDir()
          + ": run 'tessera infra stop' first, then start again", 1);
    }
    out.println("Starting Kafka and Cassandra (data in " + settings.dataDir() + ") ...");
    LocalInfrastructure started = LocalInfrastructure.start(settings, false);
    out.printf("Started in %.1f s%n", started.startupTime().toMillis() / 1000.0);
    out.printf("  kafka      %s  pid %d  log %s%n", started.kafka().bootstrapServers(),
        started.kafka().pid(), started.kafka().logFile());
    out.printf("  cassandra  %s:%d  pid %d  log %s%n", started.cassandra().host(),
        started.cassandra().port(), started.cassandra().pid(), started.cassandra().logFile());
    out.println("Stop them with: ./tessera infra stop");
    return 0;
  }

  private static int stop(EmbeddedSettings settings, PrintStream out) {
    Optional<EmbeddedKafka> kafka = EmbeddedKafka.find(settings);
    Optional<EmbeddedCassandra> cassandra = EmbeddedCassandra.find(settings);
    if (kafka.isEmpty() && cassandra.isEmpty()) {
      out.println("Nothing is running on " + settings.dataDir() + ": nothing to stop.");
      return 0;
    }
    kafka.ifPresent(k -> {
      k.close();
      out.println("Stopped kafka (pid " + k.pid() + ")");
    });
    cassandra.ifPresent(c -> {
      c.close();
      out.println("Stopped cassandra (pid " + c.pid() + ")");
    });
    return 0;
  }

  private static int status(EmbeddedSettings settings, PrintStream out) {
    Optional<EmbeddedKafka> kafka = EmbeddedKafka.find(settings);
    Optional<EmbeddedCassandra> cassandra = EmbeddedCassandra.find(settings);
    out.println("data " + settings.dataDir());
    out.println(kafka
        .map(k -> String.format("  kafka      running  pid %d  %s  %s", k.pid(),
            k.bootstrapServers(), k.isServing() ? "serving" : "NOT SERVING"))
        .orElse("  kafka      stopped"));
    out.println(cassandra
        .map(c -> String.format("  cassandra  running  pid %d  %s:%d  %s", c.pid(), c.host(),
            c.port(), c.isServing() ? "serving" : "NOT SERVING"))
        .orElse("  cassandra  stopped"));
    return 0;
  }
}
