package dev.tessera.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** File helpers for server directories, failing with messages that name the setting to change. */
final class EmbeddedFiles {
  private EmbeddedFiles() {}

  /** Creates {@code dir} if needed and proves it writable by writing a file in it. */
  static void requireWritableDirectory(Path dir, String settingKey) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      throw new InfrastructureException(
          "Data directory " + dir + " is not writable (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + "): set " + settingKey + " to a writable directory");
    }
  }

  static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InfrastructureException("Cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InfrastructureException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Copies a resource of this package to {@code target}. */
  static Path writeResource(String resource, Path target) {
    return write(target, readResource(resource));
  }

  /** A resource of this package with every {@code ${name}} replaced by its value. */
  static String template(String resource, Map<String, String> values) {
    String text = readResource(resource);
    for (Map.Entry<String, String> entry : values.entrySet()) {
      text = text.replace("${" + entry.getKey() + "}", entry.getValue());
    }
    return text;
  }

  private static String readResource(String resource) {
    try (InputStream in = EmbeddedFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new InfrastructureException("Missing resource " + resource + " in tessera-embedded");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InfrastructureException("Cannot read resource " + resource, e);
    }
  }

  /** Deletes a directory tree; used for test data only. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new InfrastructureException("Cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
