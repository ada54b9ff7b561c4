package dev.tessera.embedded;

import java.nio.file.Path;

/**
 * Started by {@link NoOrphansIT} in a JVM of its own: starts an attached broker, prints its PID, and
 * waits to be killed.
 */
public final class OrphanProbe {
  private OrphanProbe() {}

  public static void main(String[] args) throws Exception {
    EmbeddedSettings settings = EmbeddedSettings.load().withDataDir(Path.of(args[0])).withFreePorts();
    EmbeddedKafka kafka = EmbeddedKafka.start(settings, true);
    System.out.println("KAFKA_PID=" + kafka.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
