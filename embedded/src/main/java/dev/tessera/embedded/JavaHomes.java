package dev.tessera.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the {@code java} executable of a JDK with a given feature version. */
public final class JavaHomes {
  private JavaHomes() {}

  /** The java executable of the JVM running this code. */
  public static Path currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * The java executable of a JDK 17: {@code configured} if not empty (it must be 17), else this
   * JVM, else {@code JAVA_HOME}, else the first JDK 17 under {@code /usr/lib/jvm}.
   *
   * @param settingKey named in the error when no JDK 17 can be found
   */
  public static Path java17(String configured, String settingKey) {
    if (!configured.isBlank()) {
      Path home = Path.of(configured);
      if (featureVersion(home).orElse(-1) != 17) {
        throw new InfrastructureException(
            settingKey + " = " + configured + " is not a JDK 17 home (no bin/java of version 17)");
      }
      return home.resolve("bin").resolve("java");
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(System.getProperty("java.home")));
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && !javaHome.isBlank()) {
      candidates.add(Path.of(javaHome));
    }
    try (Stream<Path> installed = Files.list(Path.of("/usr/lib/jvm"))) {
      installed.sorted().forEach(candidates::add);
    } catch (IOException e) {
      // No /usr/lib/jvm: only the first two candidates.
    }
    for (Path home : candidates) {
      if (featureVersion(home).orElse(-1) == 17 && Files.isExecutable(home.resolve("bin/java"))) {
        return home.resolve("bin").resolve("java");
      }
    }
    throw new InfrastructureException(
        "No JDK 17 found for Cassandra 5.0 (it cannot run on newer JDKs): install one or set "
            + settingKey + " to its home");
  }

  /** The feature version of the JDK at {@code home}, read from its {@code release} file. */
  static Optional<Integer> featureVersion(Path home) {
    Path release = home.resolve("release");
    if (Files.isRegularFile(release)) {
      try {
        for (String line : Files.readAllLines(release)) {
          if (line.startsWith("JAVA_VERSION=")) {
            String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
            String feature = version.split("[.+-]")[0];
            return Optional.of(Integer.parseInt(feature));
          }
        }
      } catch (IOException | NumberFormatException e) {
        return Optional.empty();
      }
    }
    if (home.equals(Path.of(System.getProperty("java.home")))) {
      return Optional.of(Runtime.version().feature());
    }
    return Optional.empty();
  }
}
