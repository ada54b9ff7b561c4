package dev.tessera.deploy;

import dev.tessera.deploy.demo.DemoCommand;
import dev.tessera.embedded.InfrastructureException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code tessera} launcher's Java entry point: one sub-command per user task. Errors a user can
 * fix print one line and exit non-zero; nothing prints a stack trace to the terminal (the full
 * trace goes to the log file).
 */
public final class TesseraCli {
  static final String USAGE = String.join(System.lineSeparator(),
      "usage: tessera <command> [options]",
      "",
      "commands:",
      "  demo [--rate R] [--members N] [--duration S] [--fresh]",
      "                                    the main job on embedded defaults: real Kafka and Cassandra,",
      "                                    one engine node with its HTTP API, live simulated traffic",
      "  node [--config FILE]              one engine node (cluster member, ingestion, member actors,",
      "                                    online store, HTTP API) on the configured Kafka and Cassandra",
      "  verify [--members N] [--events N] a bounded run that checks every member's features against",
      "                                    the reference implementation, then restores them from Cassandra",
      "  cluster up|scale --nodes N | status | down",
      "                                    a local multi-node cluster, each node its own JVM",
      "  test                              the whole test suite (mvn verify)",
      "  infra start|stop|status           the embedded Kafka broker and Cassandra node on their own",
      "  simulate --members N --rate R --duration D [--seed S] [--truth FILE] ...",
      "                                    seeded member traffic to the raw topic (see --help)",
      "  bench ingest [--events N] [--members N] [--latency-seconds S] [--warmup-seconds S]",
      "                                    ingestion throughput, CPU per event, p50/p99 latency",
      "  bench pipeline [--events N] [--members N]",
      "                                    feature stage throughput with checkpoints, heap per member",
      "  bench serve [--members N] [--rate R] [--batch-rate R] [--duration S] [--read-max-age D]",
      "                                    HTTP reads against a node: req/s, p50/p99/p99.9",
      "  help                              this text",
      "",
      "environment: TESSERA_DATA_DIR, TESSERA_KAFKA_PORT, TESSERA_CASSANDRA_PORT, TESSERA_JAVA17_HOME",
      "(see embedded/src/main/resources/reference.conf for every setting)");

  private TesseraCli() {}

  private static int bench(List<String> args, PrintStream out) throws Exception {
    String which = args.isEmpty() ? "" : args.get(0);
    return switch (which) {
      case "ingest" -> dev.tessera.deploy.bench.IngestBenchmark.run(args.subList(1, args.size()), out);
      case "pipeline" ->
          dev.tessera.deploy.bench.PipelineBenchmark.run(args.subList(1, args.size()), out);
      case "serve" ->
          dev.tessera.deploy.bench.ServeBenchmark.run(args.subList(1, args.size()), out);
      default -> throw new UserError("usage: tessera bench ingest [--events N] [--members N]"
          + " [--latency-seconds S] | tessera bench pipeline [--events N] [--members N]"
          + " | tessera bench serve [--members N] [--rate R] [--duration S]", 2);
    };
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  /** Runs one command and returns its exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println(USAGE);
      return 2;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      switch (args[0]) {
        case "demo":
          return DemoCommand.run(rest, out);
        case "node":
          return dev.tessera.deploy.node.NodeCommand.run(rest, out);
        case "cluster":
          return dev.tessera.deploy.cluster.ClusterCommand.run(rest, out);
        case "verify":
          return dev.tessera.deploy.demo.VerifyCommand.run(rest, out);
        case "infra":
          return InfraCommand.run(rest, out);
        case "simulate":
          return dev.tessera.simulations.SimulateCommand.run(rest, out);
        case "bench":
          return bench(rest, out);
        case "help":
        case "--help":
        case "-h":
          out.println(USAGE);
          return 0;
        default:
          err.println("tessera: unknown command '" + args[0] + "'");
          err.println(USAGE);
          return 2;
      }
    } catch (UserError e) {
      (e.exitCode() == 0 ? out : err).println(e.exitCode() == 0 ? e.getMessage()
          : "tessera: " + e.getMessage());
      return e.exitCode();
    } catch (InfrastructureException e) {
      err.println("tessera: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(TesseraCli.class).error("{} failed", args[0], e);
      err.println("tessera: " + args[0] + " failed: " + e.getClass().getSimpleName() + ": "
          + e.getMessage() + " (full trace in " + LogFiles.current() + ")");
      return 1;
    }
  }
}
