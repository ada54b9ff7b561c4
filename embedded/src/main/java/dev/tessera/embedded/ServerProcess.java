package dev.tessera.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server JVM started by Tessera: its command, its PID file, its console log, and how it stops.
 *
 * <p>Attached processes (tests, the demo) run under the guard main class, which halts them when this
 * JVM dies, and are also stopped by a shutdown hook. Detached processes ({@code tessera infra
 * start}) outlive the launcher and are stopped later by the PID in their PID file.
 */
final class ServerProcess {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

  /** Marks our servers' command lines so a recycled PID is never mistaken for one. */
  static final String MARKER_PROPERTY = "tessera.server";

  /** See the tessera-embedded-guard module: halts the server when its parent dies. */
  private static final String GUARD_MAIN = "dev.tessera.embedded.guard.GuardedMain";

  private final String name;
  private final ProcessHandle handle;
  private final Path pidFile;
  private final Path consoleLog;
  private final Process process; // null when found again from a PID file
  private final Thread shutdownHook;

  private ServerProcess(
      String name, ProcessHandle handle, Process process, Path pidFile, Path consoleLog,
      boolean attached) {
    this.name = name;
    this.handle = handle;
    this.process = process;
    this.pidFile = pidFile;
    this.consoleLog = consoleLog;
    if (attached) {
      this.shutdownHook = new Thread(() -> {
        ServersLast.awaitFirst();
        stop(Duration.ofSeconds(15));
      }, "stop-" + name);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      this.shutdownHook = null;
    }
  }

  /**
   * Starts {@code mainClass} in a new JVM.
   *
   * @param instanceDir the server's directory: its PID file and console log go here
   * @param attached whether the process dies with this JVM (tests, demo) or outlives it (infra)
   */
  static ServerProcess start(
      String name, Path java, List<String> jvmOptions, String classpath, String mainClass,
      List<String> args, Path instanceDir, boolean attached) {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      // Its own session: a Ctrl-C in the launcher's terminal reaches the launcher only, which
      // stops its servers after its own work (ServersLast); an attached server still dies with
      // its parent (the guard watches its stdin).
      command.add("/usr/bin/setsid");
    }
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.add("-D" + MARKER_PROPERTY + "=" + name + "@" + instanceDir);
    command.add("-Dtessera.guard.watch-stdin=" + attached);
    command.add("-cp");
    command.add(classpath); // the server modules put the guard on it
    command.add(GUARD_MAIN);
    command.add(mainClass);
    command.addAll(args);

    Path consoleLog = instanceDir.resolve("logs").resolve(name + "-console.log");
    try {
      Files.createDirectories(consoleLog.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(instanceDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()));
      if (!attached) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process process = builder.start();
      Path pidFile = instanceDir.resolve(name + ".pid");
      Files.writeString(pidFile, Long.toString(process.pid()) + System.lineSeparator());
      log.info("Started {} (pid {}), console log {}", name, process.pid(), consoleLog);
      return new ServerProcess(name, process.toHandle(), process, pidFile, consoleLog, attached);
    } catch (IOException e) {
      throw new InfrastructureException("Cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The server whose PID is in {@code instanceDir/<name>.pid}, if that process is alive and is one of
   * ours for this directory (a PID reused by another program is ignored).
   */
  static Optional<ServerProcess> find(String name, Path instanceDir) {
    Path pidFile = instanceDir.resolve(name + ".pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      String marker = "-D" + MARKER_PROPERTY + "=" + name + "@" + instanceDir;
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)
              || h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
          .map(h -> new ServerProcess(
              name, h, null, pidFile, instanceDir.resolve("logs").resolve(name + "-console.log"),
              false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  long pid() {
    return handle.pid();
  }

  boolean isAlive() {
    return handle.isAlive();
  }

  Path consoleLog() {
    return consoleLog;
  }

  /** The last lines of the console log, to explain a server that died while starting. */
  String consoleTail(int lines) {
    try {
      List<String> all = Files.readAllLines(consoleLog, StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no console log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the server: SIGTERM so it shuts down cleanly, SIGKILL after {@code grace}. Children of the
   * server (none are expected) are killed too. Idempotent.
   */
  void stop(Duration grace) {
    if (handle.isAlive()) {
      List<ProcessHandle> descendants = handle.descendants().toList();
      handle.destroy();
      try {
        handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("{} (pid {}) did not stop within {}: killing it", name, handle.pid(), grace);
        handle.destroyForcibly();
        try {
          handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          log.error("{} (pid {}) survived SIGKILL", name, handle.pid());
        }
      }
      descendants.forEach(ProcessHandle::destroyForcibly);
      log.info("Stopped {} (pid {})", name, handle.pid());
    }
    if (process != null) {
      closeQuietly(process.getOutputStream());
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", pidFile, e.getMessage());
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already exiting: the hook runs or has run.
      }
    }
  }

  /** Kills the server at once, as a crash would (tests of recovery). */
  void kill() {
    handle.destroyForcibly();
    try {
      handle.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new InfrastructureException(name + " (pid " + handle.pid() + ") survived SIGKILL", e);
    }
    stop(Duration.ZERO);
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException ignored) {
      // Already closed: nothing to release.
    }
  }
}
