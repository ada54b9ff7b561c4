package dev.tessera.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.embedded.Ports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tessera demo} as a user runs it: a process that starts the real servers and a node,
 * prints a ready-to-paste curl command whose member has live features, and on SIGINT stops
 * everything it started, leaving no process behind.
 */
class DemoProcessIT {
  private static final Pattern CURL =
      Pattern.compile("curl -s '(http://127\\.0\\.0\\.1:\\d+/v1/members/[^']+)'");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void demoServesLiveFeaturesAndStopsEverythingOnSigint(@TempDir Path data) throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    ProcessBuilder builder = new ProcessBuilder(root.resolve("tessera").toString(), "demo",
        "--rate", "100", "--members", "50")
        .directory(root.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("TESSERA_SKIP_BUILD", "1");
    env.put("TESSERA_DATA_DIR", data.toString());
    for (String port : List.of("TESSERA_KAFKA_PORT", "TESSERA_KAFKA_CONTROLLER_PORT",
        "TESSERA_CASSANDRA_PORT", "TESSERA_CASSANDRA_STORAGE_PORT", "TESSERA_HTTP_PORT",
        "TESSERA_MANAGEMENT_PORT")) {
      env.put(port, Integer.toString(Ports.freePort()));
    }
    Process demo = builder.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    reader.start();
    try {
      String url = awaitCurl(lines, Duration.ofSeconds(150));
      assertThat(url).as(output.toString()).isNotNull();
      assertThat(url).contains("127.0.0.1:" + env.get("TESSERA_HTTP_PORT"));

      HttpClient http = HttpClient.newHttpClient();
      JsonNode group = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        group = JSON.readTree(response.body()).path("groups").path("member_engagement");
        if (group.path("status").asText().equals("PRESENT")) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(group.path("status").asText()).isEqualTo("PRESENT");
      assertThat(group.path("asOf").asLong())
          .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
      assertThat(group.path("values").size()).isPositive();

      List<ProcessHandle> started = demo.toHandle().descendants().toList();
      assertThat(started).as("the demo's Kafka and Cassandra").hasSizeGreaterThanOrEqualTo(2);
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start();
      assertThat(kill.waitFor()).isZero();
      assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as(output.toString()).isTrue();
      // 130 = 128 + SIGINT: the JVM's exit status after its shutdown hooks ran, as for Ctrl-C.
      assertThat(demo.exitValue()).as(output.toString()).isEqualTo(130);
      reader.join(5_000);
      assertThat(output.toString()).contains("node stopped (members checkpointed",
          "Kafka and Cassandra stopped").doesNotContain("did not stop cleanly");
      for (ProcessHandle child : started) {
        child.onExit().get(30, TimeUnit.SECONDS);
        assertThat(child.isAlive()).as("process " + child.pid() + " left behind").isFalse();
      }
    } finally {
      if (demo.isAlive()) {
        demo.descendants().forEach(ProcessHandle::destroyForcibly);
        demo.destroyForcibly();
      }
    }
  }

  private static String awaitCurl(BlockingQueue<String> lines, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        Matcher matcher = CURL.matcher(line);
        if (matcher.find()) {
          return matcher.group(1);
        }
      }
    }
    return null;
  }
}
