package dev.tessera.deploy.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.tessera.deploy.UserError;
import java.io.File;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tessera node [--config FILE]}: runs one node until SIGINT or SIGTERM, then shuts it down
 * gracefully through CoordinatedShutdown (Pekko's JVM shutdown hook): not ready, unbind HTTP, stop
 * consuming and checkpoint, hand shards over, leave the cluster. The file's settings lie over
 * {@code application.conf}; environment overrides are named in each module's reference.conf.
 */
public final class NodeCommand {
  private NodeCommand() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    Config config = load(args);
    TesseraNode node;
    try {
      node = TesseraNode.start(config);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    out.println("Tessera node " + node.system().address() + " ready: " + node.httpUrl()
        + " (API " + node.httpUrl() + "/v1/openapi.yaml); Ctrl-C or SIGTERM stops it gracefully");
    node.system().getWhenTerminated().toCompletableFuture().get(Long.MAX_VALUE, TimeUnit.DAYS);
    out.println("Tessera node stopped");
    return 0;
  }

  public static Config load(List<String> args) {
    Config overrides = ConfigFactory.empty();
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (!flag.equals("--config")) {
        throw new UserError("node: unknown option " + flag
            + " (usage: tessera node [--config FILE])", 2);
      }
      if (i + 1 >= args.size()) {
        throw new UserError("node: --config needs a file", 2);
      }
      File file = new File(args.get(++i));
      if (!file.isFile()) {
        throw new UserError("node: no such configuration file: " + file, 2);
      }
      try {
        overrides = ConfigFactory.parseFile(file, ConfigParseOptions.defaults()
            .setAllowMissing(false)).withFallback(overrides);
      } catch (ConfigException e) {
        throw new UserError("node: cannot read " + file + ": " + e.getMessage(), 2);
      }
    }
    try {
      ConfigFactory.invalidateCaches();
      // Resolved only after the file is laid over application.conf, so a value the file sets
      // (tessera.cassandra.contact-point) reaches every key defined from it
      // (datastax-java-driver.basic.contact-points = [${tessera.cassandra.contact-point}]).
      return ConfigFactory.defaultOverrides()
          .withFallback(overrides)
          .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
          .withFallback(ConfigFactory.defaultReferenceUnresolved())
          .resolve();
    } catch (ConfigException e) {
      throw new UserError("Invalid configuration: " + e.getMessage(), 2);
    }
  }
}
