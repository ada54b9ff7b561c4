package dev.tessera.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a server JVM, recorded at build time by the {@code embedded/*-server} modules
 * as a resource: the server's own dependency set, which never meets the application's.
 */
final class ServerClasspath {
  private ServerClasspath() {}

  static String read(String resource, String server) {
    String text;
    try (InputStream in = ServerClasspath.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new InfrastructureException(
            "The " + server + " classpath resource " + resource
                + " is missing: build the project first (./tessera builds it, or mvn package)");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new InfrastructureException("Cannot read " + resource + ": " + e.getMessage(), e);
    }
    List<String> entries = Arrays.asList(text.split(java.io.File.pathSeparator));
    for (String entry : entries) {
      if (!Files.exists(Path.of(entry))) {
        throw new InfrastructureException(
            "The " + server + " classpath names " + entry
                + ", which no longer exists: rebuild the project (mvn package)");
      }
    }
    return text;
  }
}
