package dev.tessera.deploy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.Ports;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The node with {@code tessera.node.bootstrap = kubernetes} outside a pod: Pekko Management is
 * bound before Cluster Bootstrap starts (the other pods probe it for seed nodes), and without the
 * service account's files start-up fails at once with a message an operator can act on, leaving
 * nothing bound behind.
 */
class KubernetesBootstrapTest {
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void captureLog() {
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void releaseLog() {
    root.detachAppender(events);
  }

  @Test
  void bindsManagementBeforeBootstrapAndFailsWithAHintOutsideAPod() {
    int management = Ports.freePort();
    Config config = ConfigFactory.parseString("""
        include classpath("kubernetes.conf")
        pekko.remote.artery.canonical.port = 0
        pekko.management.http.hostname = "127.0.0.1"
        pekko.management.http.port = %d
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """.formatted(management)).withFallback(ConfigFactory.load()).resolve();

    assertThatThrownBy(() -> TesseraNode.start(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tessera.node.bootstrap = kubernetes")
        .hasMessageContaining("service account");

    List<String> messages = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    int bound = indexOf(messages, "Bound Pekko Management (HTTP) endpoint to: 0.0.0.0:"
        + management);
    int bootstrap = indexOf(messages, "Initiating bootstrap procedure");
    assertThat(bound).as("management bound").isNotNegative();
    assertThat(bootstrap).as("bootstrap started after management was bound").isGreaterThan(bound);
    assertThat(isListening(management)).as("management unbound after the failure").isFalse();
  }

  private static int indexOf(List<String> messages, String start) {
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).startsWith(start)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isListening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
