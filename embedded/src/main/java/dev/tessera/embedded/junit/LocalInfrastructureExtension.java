package dev.tessera.embedded.junit;

import dev.tessera.embedded.EmbeddedCassandra;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 access to real servers, shared by every test class of a test JVM.
 *
 * <p>Declare a parameter of type {@link EmbeddedKafka}, {@link EmbeddedCassandra} or {@link
 * LocalInfrastructure} (on a test method, a lifecycle method or a constructor) and the extension
 * starts what is asked for, once per JVM, on free loopback ports with data under {@code
 * target/embedded-<uuid>}; the servers stop when the JVM's tests end (and die with the JVM in any
 * case). A {@link TestNamespace} parameter gives names unique to the test.
 */
public final class LocalInfrastructureExtension implements ParameterResolver {
  private static final Set<Class<?>> SUPPORTED = Set.of(
      EmbeddedKafka.class, EmbeddedCassandra.class, LocalInfrastructure.class, TestNamespace.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return SUPPORTED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == TestNamespace.class) {
      return TestNamespace.forTest(
          context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName()));
    }
    SharedServers servers = context.getRoot()
        .getStore(ExtensionContext.Namespace.create(LocalInfrastructureExtension.class))
        .getOrComputeIfAbsent(SharedServers.class, key -> new SharedServers(), SharedServers.class);
    if (type == EmbeddedKafka.class) {
      return servers.kafka();
    }
    if (type == EmbeddedCassandra.class) {
      return servers.cassandra();
    }
    return servers.both();
  }

  /** The servers of one test JVM, started on first use. Closed by JUnit after the last test. */
  static final class SharedServers implements AutoCloseable {
    private final EmbeddedSettings settings;
    private EmbeddedKafka kafka;
    private EmbeddedCassandra cassandra;

    SharedServers() {
      Path dataDir = Path.of("target", "embedded-" + UUID.randomUUID().toString().substring(0, 8));
      this.settings = EmbeddedSettings.load().withDataDir(dataDir).withFreePorts();
    }

    synchronized EmbeddedKafka kafka() {
      if (kafka == null) {
        kafka = EmbeddedKafka.start(settings, true);
      }
      return kafka;
    }

    synchronized EmbeddedCassandra cassandra() {
      if (cassandra == null) {
        cassandra = EmbeddedCassandra.start(settings, true);
      }
      return cassandra;
    }

    synchronized LocalInfrastructure both() {
      if (kafka == null && cassandra == null) {
        LocalInfrastructure started = LocalInfrastructure.start(settings, true);
        kafka = started.kafka();
        cassandra = started.cassandra();
      }
      return LocalInfrastructure.of(settings, kafka(), cassandra());
    }

    @Override
    public synchronized void close() {
      if (kafka != null) {
        kafka.close();
      }
      if (cassandra != null) {
        cassandra.close();
      }
    }
  }
}
