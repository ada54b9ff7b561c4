package dev.tessera.embedded.guard;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another main class and stops this JVM when the process that started it dies.
 *
 * <p>Usage: {@code java -cp ... dev.tessera.embedded.guard.GuardedMain <main-class> [args...]}.
 *
 * <p>The parent keeps this JVM's standard input open as a pipe. When the parent exits for any
 * reason, including {@code kill -9}, the operating system closes the pipe, {@code System.in} reads
 * end-of-file, and this JVM exits with status 1 through its shutdown hooks (so the server stops
 * cleanly), or is halted if the hooks hang. This is what makes "no orphans, ever" hold even when the test JVM or
 * the launcher is killed.
 *
 * <p>With {@code -Dtessera.guard.watch-stdin=false} the guard is off: used by {@code tessera infra
 * start}, whose servers outlive the command and are stopped by PID.
 */
public final class GuardedMain {

  /** How long shutdown hooks may run after the parent died before the JVM is halted. */
  private static final long HALT_AFTER_MILLIS = 20_000;

  private GuardedMain() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("usage: GuardedMain <main-class> [args...]");
      System.exit(2);
    }
    if (!"false".equals(System.getProperty("tessera.guard.watch-stdin", "true"))) {
      Thread watcher = new Thread(GuardedMain::exitWhenParentDies, "tessera-parent-guard");
      watcher.setDaemon(true);
      watcher.start();
    }
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWhenParentDies() {
    byte[] buffer = new byte[256];
    try (InputStream in = System.in) {
      while (in.read(buffer) >= 0) {
        // The parent never writes; any bytes are ignored. Only end-of-file matters.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file: the parent is gone.
    }
    System.err.println("[tessera-guard] parent process ended: stopping this process");
    Thread halter =
        new Thread(
            () -> {
              try {
                Thread.sleep(HALT_AFTER_MILLIS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              System.err.println("[tessera-guard] shutdown hooks did not finish: halting");
              Runtime.getRuntime().halt(1);
            },
            "tessera-guard-halter");
    halter.setDaemon(true);
    halter.start();
    // Non-zero: whatever runs next in a shell chain (`job1 && job2`) must not start.
    System.exit(1);
  }
}
