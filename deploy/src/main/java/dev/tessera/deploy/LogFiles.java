package dev.tessera.deploy;

import java.nio.file.Path;

/** Where the launcher's JVM writes its log (see logback.xml). */
final class LogFiles {
  private LogFiles() {}

  static Path current() {
    String dir = System.getProperty("tessera.log-dir", "data/logs");
    return Path.of(dir, "tessera.log").toAbsolutePath();
  }
}
