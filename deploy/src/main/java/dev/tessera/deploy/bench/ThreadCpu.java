package dev.tessera.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This JVM's CPU time split by what its threads do, read from {@code /proc/self/task/<tid>/stat}
 * (Linux): the garbage collector's threads (G1's workers, concurrent markers and refinement
 * threads, Parallel's), the JIT compiler's, and everything else (the application; GC write
 * barriers run there). Threads that ended between two samples take their time with them, so
 * shares are of the time the sampled threads spent; on other systems every figure is 0 and {@link
 * #available} is false.
 *
 * @param gcTicks clock ticks of GC threads
 * @param jitTicks clock ticks of JIT compiler threads
 * @param otherTicks clock ticks of the other threads
 */
record ThreadCpu(long gcTicks, long jitTicks, long otherTicks) {
  private static final Path TASKS = Path.of("/proc/self/task");

  static ThreadCpu sample() {
    long gc = 0;
    long jit = 0;
    long other = 0;
    if (!Files.isDirectory(TASKS)) {
      return new ThreadCpu(0, 0, 0);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
          continue; // the thread ended
        }
        // pid (comm) state ppid ...: comm may hold spaces and parentheses; split at the last ')'.
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String name = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        switch (kind(name)) {
          case GC -> gc += ticks;
          case JIT -> jit += ticks;
          default -> other += ticks;
        }
      }
    } catch (IOException | RuntimeException e) {
      return new ThreadCpu(0, 0, 0);
    }
    return new ThreadCpu(gc, jit, other);
  }

  enum Kind { GC, JIT, OTHER }

  /** What a JVM thread does, by the name HotSpot gives it (15 characters at most in /proc). */
  static Kind kind(String threadName) {
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
      return Kind.GC;
    }
    if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
      return Kind.JIT;
    }
    return Kind.OTHER;
  }

  boolean available() {
    return gcTicks + jitTicks + otherTicks > 0;
  }

  ThreadCpu minus(ThreadCpu earlier) {
    return new ThreadCpu(gcTicks - earlier.gcTicks, jitTicks - earlier.jitTicks,
        otherTicks - earlier.otherTicks);
  }

  long total() {
    return gcTicks + jitTicks + otherTicks;
  }

  double gcShare() {
    return total() == 0 ? 0 : (double) gcTicks / total();
  }

  double jitShare() {
    return total() == 0 ? 0 : (double) jitTicks / total();
  }
}
