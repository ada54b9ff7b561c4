package dev.tessera.engine.bench;

import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the apply throughput of two builds of the kernel on a machine other processes share:
 * each build's classes load in a class loader of their own, with its own {@link ApplyThroughput}
 * states, and their rounds alternate (A then B, then B then A) in one JVM, so both see the same
 * load. Prints events per CPU-second of each round and of the steady rounds, and their ratio.
 *
 * <p>Arguments: members, the class directory of build A, of build B, then an optional poll size for
 * A and for B (0: event by event). The benchmark classes and the dependencies come from this JVM's
 * class path.
 */
public final class ApplyComparison {
  private ApplyComparison() {}

  public static void main(String[] args) throws Exception {
    int members = Integer.parseInt(args[0]);
    String[] builds = {args[1], args[2]};
    Object[] runs = new Object[2];
    Method[] round = new Method[2];
    for (int v = 0; v < 2; v++) {
      ClassLoader loader = loaderOf(builds[v]);
      Thread.currentThread().setContextClassLoader(loader); // the build's reference.conf
      Class<?> c = loader.loadClass(ApplyThroughput.class.getName());
      int pollSize = args.length > 3 + v ? Integer.parseInt(args[3 + v]) : 0;
      runs[v] = c.getConstructor(int.class, int.class).newInstance(members, pollSize);
      round[v] = c.getMethod("round");
    }
    double[] cpuPerEvent = new double[2];
    for (int r = 0; r < ApplyThroughput.ROUNDS; r++) {
      double[] rate = new double[2];
      for (int k = 0; k < 2; k++) {
        int v = r % 2 == 0 ? k : 1 - k;
        Object result = round[v].invoke(runs[v]);
        rate[v] = (double) result.getClass().getMethod("eventsPerCpuSecond").invoke(result);
      }
      System.out.printf(
          "round %d%s: A %,.0f, B %,.0f events/CPU-s, B/A %.3f%n",
          r,
          r < ApplyThroughput.WARM_UP_ROUNDS ? " (warm-up)" : "",
          rate[0],
          rate[1],
          rate[1] / rate[0]);
      if (r >= ApplyThroughput.WARM_UP_ROUNDS) {
        cpuPerEvent[0] += 1 / rate[0];
        cpuPerEvent[1] += 1 / rate[1];
      }
    }
    int steady = ApplyThroughput.ROUNDS - ApplyThroughput.WARM_UP_ROUNDS;
    System.out.printf(
        "apply, %d members, steady rounds: A %,.0f, B %,.0f events per CPU-second, B/A %.3f%n",
        members, steady / cpuPerEvent[0], steady / cpuPerEvent[1], cpuPerEvent[0] / cpuPerEvent[1]);
  }

  /** The build's classes first, then this JVM's class path without the kernel's own classes. */
  private static ClassLoader loaderOf(String build) throws MalformedURLException {
    List<URL> urls = new ArrayList<>();
    urls.add(new File(build).toURI().toURL());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.replace('\\', '/').endsWith("target/classes")) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }
}
