package dev.tessera.embedded;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5.0 in a JVM of its own (always a JDK 17), on loopback.
 *
 * <p>Data, commit log and hints live under {@code <data-dir>/cassandra}, so a restart on the same
 * directory keeps every keyspace (and a crash replays the commit log). The node is ready when a
 * CQL query succeeds.
 */
public final class EmbeddedCassandra implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);
  static final String NAME = "cassandra";
  /** The datacenter of a node with SimpleSnitch; drivers must name it as their local one. */
  public static final String LOCAL_DATACENTER = "datacenter1";
  private static final String CLASSPATH_RESOURCE =
      "/dev/tessera/embedded/cassandra-server.classpath";

  /** Cassandra's jvm17-server.options: without them it cannot reach the JDK internals it uses. */
  private static final List<String> JDK17_MODULE_OPTIONS = List.of(
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports=java.sql/java.sql=ALL-UNNAMED",
      "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED");

  private final EmbeddedSettings settings;
  private final ServerProcess process;

  private EmbeddedCassandra(EmbeddedSettings settings, ServerProcess process) {
    this.settings = settings;
    this.process = process;
  }

  /**
   * Starts the node and waits until it answers CQL.
   *
   * @param attached true: the node dies with this JVM; false: it outlives it (stop by PID)
   */
  public static EmbeddedCassandra start(EmbeddedSettings settings, boolean attached) {
    Path dir = settings.cassandraDir();
    EmbeddedFiles.requireWritableDirectory(dir, "tessera.embedded.data-dir");
    if (ServerProcess.find(NAME, dir).isPresent()) {
      throw new InfrastructureException(
          "A Cassandra node started by Tessera already runs on " + dir
              + ": stop it (./tessera infra stop) or set tessera.embedded.data-dir to another directory");
    }
    Ports.requireFree(settings.host(), settings.cassandra().port(), "Cassandra CQL",
        "tessera.embedded.cassandra.port");
    Ports.requireFree(settings.host(), settings.cassandra().storagePort(), "Cassandra storage",
        "tessera.embedded.cassandra.storage-port");
    Path java = JavaHomes.java17(settings.cassandra().javaHome(),
        "tessera.embedded.cassandra.java-home (or TESSERA_JAVA17_HOME)");
    String classpath = ServerClasspath.read(CLASSPATH_RESOURCE, "Cassandra");

    Path yaml = EmbeddedFiles.write(dir.resolve("conf/cassandra.yaml"),
        EmbeddedFiles.template("cassandra.yaml", Map.of(
            "host", settings.host(),
            "storage_port", Integer.toString(settings.cassandra().storagePort()),
            "native_port", Integer.toString(settings.cassandra().port()),
            "dir", dir.toString())));
    Path logback = EmbeddedFiles.writeResource("cassandra-logback.xml", dir.resolve("conf/logback.xml"));
    String heap = settings.cassandra().heap();
    List<String> jvm = new ArrayList<>(List.of(
        "-Xms" + heap,
        "-Xmx" + heap,
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=4m",
        "-XX:MaxGCPauseMillis=300",
        "-Xss256k",
        "-XX:+HeapDumpOnOutOfMemoryError",
        "-XX:HeapDumpPath=" + dir.resolve("logs"),
        "-Djava.awt.headless=true",
        "-Djava.net.preferIPv4Stack=true",
        "-Djava.io.tmpdir=" + EmbeddedFiles.createDirectories(dir.resolve("tmp")),
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
        "-Djdk.attach.allowAttachSelf=true",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dcassandra-foreground=yes",
        "-Dcassandra.config=" + yaml.toUri(),
        "-Dcassandra.storagedir=" + dir,
        "-Dcassandra.logdir=" + EmbeddedFiles.createDirectories(dir.resolve("logs")),
        "-Dcassandra.shutdown_announce_in_ms=0",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.superuser_setup_delay_ms=0",
        "-Dlogback.configurationFile=" + logback.toUri()));
    jvm.addAll(JDK17_MODULE_OPTIONS);

    long started = System.nanoTime();
    ServerProcess process = ServerProcess.start(NAME, java, jvm, classpath,
        "org.apache.cassandra.service.CassandraDaemon", List.of(), dir, attached);
    EmbeddedCassandra cassandra = new EmbeddedCassandra(settings, process);
    try {
      cassandra.awaitServing(settings.cassandra().startupTimeout());
    } catch (RuntimeException e) {
      process.stop(Duration.ofSeconds(10));
      throw e;
    }
    log.info("Cassandra serves CQL on {}:{} (pid {}) after {} ms", settings.host(),
        settings.cassandra().port(), process.pid(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return cassandra;
  }

  /** The node started earlier on this data directory, if it still runs. */
  public static Optional<EmbeddedCassandra> find(EmbeddedSettings settings) {
    return ServerProcess.find(NAME, settings.cassandraDir())
        .map(p -> new EmbeddedCassandra(settings, p));
  }

  public String host() {
    return settings.host();
  }

  public int port() {
    return settings.cassandra().port();
  }

  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(settings.host(), settings.cassandra().port());
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return settings.cassandraDir().resolve("logs").resolve("system.log");
  }

  /** A new driver session to this node; the caller closes it. */
  public CqlSession newSession() {
    return newSession(Duration.ofSeconds(10));
  }

  /** True when the node answers a CQL query. */
  public boolean isServing() {
    if (!Ports.isListening(settings.host(), settings.cassandra().port())) {
      return false;
    }
    try (CqlSession session = newSession(Duration.ofSeconds(2))) {
      return session.execute("SELECT release_version FROM system.local").one() != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Stops the node cleanly (SIGTERM; SIGKILL after 30 s). */
  @Override
  public void close() {
    process.stop(Duration.ofSeconds(30));
  }

  /** Kills the node at once, as a crash would; a restart replays its commit log. */
  public void kill() {
    process.kill();
  }

  private CqlSession newSession(Duration timeout) {
    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        // Only this node: no contact points from whatever application.conf is on the classpath.
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of())
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout.multipliedBy(2))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, timeout.multipliedBy(2))
        .build();
    return CqlSession.builder()
        .withConfigLoader(config)
        .addContactPoint(contactPoint())
        .withLocalDatacenter(LOCAL_DATACENTER)
        .build();
  }

  private void awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new InfrastructureException(
            "The Cassandra node exited while starting; see " + process.consoleLog() + " and "
                + logFile() + ". Last lines:" + System.lineSeparator() + process.consoleTail(15));
      }
      if (isServing()) {
        return;
      }
      EmbeddedKafka.sleep(250);
    }
    throw new InfrastructureException(
        "The Cassandra node did not answer CQL within " + timeout.toSeconds()
            + " s (tessera.embedded.cassandra.startup-timeout); see " + logFile());
  }
}
