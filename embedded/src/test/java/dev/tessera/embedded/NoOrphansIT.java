package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoOrphansIT {

  @Test
  void serverDiesWhenTheJvmThatStartedItIsKilled(@TempDir Path tmp) throws Exception {
    Process parent = new ProcessBuilder(List.of(
            JavaHomes.currentJava().toString(), "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            OrphanProbe.class.getName(), tmp.resolve("data").toString()))
        .redirectErrorStream(true)
        .start();
    try {
      long kafkaPid = readKafkaPid(parent);
      ProcessHandle kafka = ProcessHandle.of(kafkaPid).orElseThrow();
      assertThat(kafka.isAlive()).isTrue();

      parent.destroyForcibly(); // kill -9: no shutdown hook runs in the parent
      parent.waitFor(10, TimeUnit.SECONDS);

      Optional<ProcessHandle> exited =
          Optional.ofNullable(kafka.onExit().get(45, TimeUnit.SECONDS));
      assertThat(exited).isPresent();
      assertThat(kafka.isAlive()).as("broker outlived the JVM that started it").isFalse();
    } finally {
      parent.destroyForcibly();
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static long readKafkaPid(Process parent) throws Exception {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("KAFKA_PID=")) {
        return Long.parseLong(line.substring("KAFKA_PID=".length()).trim());
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("probe ended without starting Kafka:\n" + seen);
  }
}
