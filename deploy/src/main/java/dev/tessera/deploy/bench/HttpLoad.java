package dev.tessera.deploy.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * An open-model HTTP/1.1 load generator on plain keep-alive sockets (cheap per request, so it
 * leaves the CPU to the server on a small machine). Each connection sends on a fixed schedule;
 * latency is measured from each request's <em>intended</em> send time, so a slow answer that
 * delays the next request is charged to the server (no coordinated omission).
 *
 * <p>{@link #inChildJvm} runs it in a JVM of its own, so that neither side's garbage collector
 * stops the other's clock: the server's pauses are charged to the server, the generator's to
 * nobody. The same connections first run a warm-up at the same rate, unmeasured, so that neither
 * the generator's JIT nor new connections are charged to the server: a cold generator JVM
 * delayed its first second of requests by up to 160 ms.
 */
public final class HttpLoad {
  private static final String RESULT = "RESULT ";
  private static final String MEASURING = "MEASURING";
  /** Width of the windows the timeline keeps each window's slowest request for. */
  static final long WINDOW_MILLIS = 100;

  /** One request: a GET (body null) or a POST of a JSON body. */
  record Request(String path, byte[] body) {}

  /**
   * What a run measured; {@code slowestPerWindow[i]} is the latency (µs) of the slowest request
   * intended in the i-th {@link #WINDOW_MILLIS} window of the measured run.
   */
  record Result(long requests, long errors, double seconds, Histogram latencyMicros,
      Map<Integer, Long> statuses, long[] slowestPerWindow) {
    double perSecond() {
      return requests / seconds;
    }

    /**
     * E.g. {@code 12 of 300 100-ms windows had a request over 2 ms; slowest: 4.1 s 31 ms, ...}:
     * whether the tail is a few stalls or spread over the run.
     */
    String timeline(long overMicros, int worst) {
      long over = Arrays.stream(slowestPerWindow).filter(v -> v > overMicros).count();
      Integer[] order = new Integer[slowestPerWindow.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Long.compare(slowestPerWindow[b], slowestPerWindow[a]));
      StringBuilder out = new StringBuilder().append(over).append(" of ")
          .append(slowestPerWindow.length).append(' ').append(WINDOW_MILLIS)
          .append("-ms windows had a request over ").append(overMicros / 1000.0)
          .append(" ms; slowest:");
      for (int i = 0; i < Math.min(worst, order.length); i++) {
        out.append(String.format(java.util.Locale.ROOT, "%s %.1f s %.1f ms", i == 0 ? "" : ",",
            order[i] * WINDOW_MILLIS / 1000.0, slowestPerWindow[order[i]] / 1000.0));
      }
      return out.toString();
    }
  }

  private HttpLoad() {}

  /**
   * The child JVM's entry: {@code host port connections rate warm-up-seconds seconds
   * requests-file}; the file holds one request per line ({@code GET <path>} or {@code POST <path>
   * <base64 body>}). Prints {@value #MEASURING} when the measured run starts, then one result
   * line.
   */
  public static void main(String[] args) throws Exception {
    List<Request> requests = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[6]), StandardCharsets.UTF_8)) {
      String[] parts = line.split(" ");
      requests.add(new Request(parts[1],
          parts[0].equals("POST") ? Base64.getDecoder().decode(parts[2]) : null));
    }
    Result result = run(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
        Integer.parseInt(args[3]), Double.parseDouble(args[4]), Double.parseDouble(args[5]),
        i -> requests.get(i % requests.size()), () -> {
          System.out.println(MEASURING);
          System.out.flush();
        });
    ByteBuffer histogram = ByteBuffer.allocate(
        result.latencyMicros().getNeededByteBufferCapacity());
    int length = result.latencyMicros().encodeIntoCompressedByteBuffer(histogram);
    StringBuilder statuses = new StringBuilder();
    result.statuses().forEach((status, count) -> statuses.append(statuses.length() == 0 ? "" : ",")
        .append(status).append('=').append(count));
    StringBuilder timeline = new StringBuilder();
    for (long slowest : result.slowestPerWindow()) {
      timeline.append(timeline.length() == 0 ? "" : ",").append(slowest);
    }
    System.out.println(RESULT + result.requests() + " " + result.errors() + " "
        + result.seconds() + " " + (statuses.length() == 0 ? "-" : statuses) + " "
        + Base64.getEncoder().encodeToString(Arrays.copyOf(histogram.array(), length)) + " "
        + timeline);
  }

  /**
   * {@link #run} in a child JVM (small heap, under the parent-death guard), cycling through
   * {@code requests}; {@code onMeasuring} runs in this JVM when the warm-up ends.
   */
  static Result inChildJvm(String host, int port, int connections, int rate,
      double warmupSeconds, double seconds, List<Request> requests, Runnable onMeasuring)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile("tessera-load-", ".txt");
    try {
      List<String> lines = new ArrayList<>(requests.size());
      for (Request r : requests) {
        lines.add(r.body() == null ? "GET " + r.path()
            : "POST " + r.path() + " " + Base64.getEncoder().encodeToString(r.body()));
      }
      Files.write(file, lines, StandardCharsets.UTF_8);
      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
          "dev.tessera.embedded.guard.GuardedMain", HttpLoad.class.getName(), host,
          Integer.toString(port), Integer.toString(connections), Integer.toString(rate),
          Double.toString(warmupSeconds), Double.toString(seconds), file.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String result = null;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith(RESULT)) {
            result = line.substring(RESULT.length());
          } else if (line.equals(MEASURING)) {
            onMeasuring.run();
          }
        }
      } finally {
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      if (result == null || child.exitValue() != 0) {
        throw new IOException("the load generator JVM failed (exit " + child.exitValue() + ")");
      }
      String[] parts = result.split(" ");
      Map<Integer, Long> statuses = new TreeMap<>();
      if (!parts[3].equals("-")) {
        for (String entry : parts[3].split(",")) {
          String[] kv = entry.split("=");
          statuses.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
        }
      }
      Histogram latency = Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(parts[4])), 0);
      long[] slowest = Arrays.stream(parts[5].split(",")).mapToLong(Long::parseLong).toArray();
      return new Result(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
          Double.parseDouble(parts[2]), latency, statuses, slowest);
    } catch (java.util.zip.DataFormatException e) {
      throw new IOException("unreadable latency histogram from the load generator", e);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Sends {@code rate} requests per second over {@code connections} keep-alive connections for
   * {@code warmupSeconds} unmeasured, runs {@code onMeasuring}, then for {@code seconds}
   * measured; {@code requests} gives the i-th request of a connection.
   */
  static Result run(String host, int port, int connections, int rate, double warmupSeconds,
      double seconds, IntFunction<Request> requests, Runnable onMeasuring)
      throws InterruptedException {
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) * connections / rate;
    long warmup = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long start = warmup + (long) (warmupSeconds * 1e9);
    long end = start + (long) (seconds * 1e9);
    AtomicLongArray slowest = new AtomicLongArray(
        (int) Math.max(1, (end - start + TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS) - 1)
            / TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS)));
    Thread announcer = new Thread(() -> {
      long wait;
      while ((wait = start - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      onMeasuring.run();
    }, "load-measuring");
    announcer.setDaemon(true);
    announcer.start();
    List<Histogram> histograms = new ArrayList<>();
    LongAdder errors = new LongAdder();
    ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      histograms.add(histogram);
      long offset = intervalNanos * c / connections;
      int connection = c;
      Thread thread = new Thread(() -> drive(host, port, warmup + offset, start, end,
          intervalNanos, i -> requests.apply(i * connections + connection), histogram, slowest,
          errors, statuses), "load-" + c);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    announcer.join();
    // Answered requests over the time they took: when the server falls behind, the run lasts
    // longer than planned and the rate it sustained is lower than the rate offered.
    double elapsed = Math.max(seconds, (System.nanoTime() - start) / 1e9);
    Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    histograms.forEach(all::add);
    Map<Integer, Long> counts = new TreeMap<>();
    statuses.forEach((status, count) -> counts.put(status, count.sum()));
    long[] windows = new long[slowest.length()];
    for (int i = 0; i < windows.length; i++) {
      windows[i] = slowest.get(i);
    }
    return new Result(all.getTotalCount(), errors.sum(), elapsed, all, counts, windows);
  }

  /**
   * One connection's schedule from {@code first} to {@code end}; requests intended before
   * {@code measured} are the warm-up: sent and answered, not counted.
   */
  private static void drive(String host, int port, long first, long measured, long end,
      long intervalNanos, IntFunction<Request> requests, Histogram histogram,
      AtomicLongArray slowest, LongAdder errors, ConcurrentHashMap<Integer, LongAdder> statuses) {
    Connection connection = null;
    long intended = first;
    for (int i = 0; intended < end; i++, intended += intervalNanos) {
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      try {
        if (connection == null) {
          connection = new Connection(host, port);
        }
        int status = connection.exchange(host, port, requests.apply(i));
        if (intended >= measured) {
          long micros = Math.max(0, (System.nanoTime() - intended) / 1000);
          statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
          histogram.recordValue(micros);
          slowest.accumulateAndGet(
              (int) ((intended - measured) / TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS)),
              micros, Math::max);
        }
      } catch (IOException | RuntimeException e) {
        if (intended >= measured) {
          errors.increment();
        }
        if (connection != null) {
          connection.close();
          connection = null;
        }
      }
    }
    if (connection != null) {
      connection.close();
    }
  }

  /** One keep-alive connection: write a request, read status, headers and the body. */
  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream request = new ByteArrayOutputStream(512);

    Connection(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    int exchange(String host, int port, Request r) throws IOException {
      request.reset();
      StringBuilder head = new StringBuilder(160);
      head.append(r.body() == null ? "GET " : "POST ").append(r.path())
          .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n");
      if (r.body() != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ")
            .append(r.body().length).append("\r\n");
      }
      head.append("\r\n");
      request.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (r.body() != null) {
        request.write(r.body());
      }
      request.writeTo(out);
      out.flush();
      return readResponse();
    }

    private int readResponse() throws IOException {
      // Headers end at CRLF CRLF; they fit the buffer for this API's answers.
      int filled = 0;
      int headerEnd = -1;
      while (headerEnd < 0) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          throw new IOException("connection closed");
        }
        filled += n;
        headerEnd = indexOfHeaderEnd(buffer, filled);
        if (headerEnd < 0 && filled == buffer.length) {
          throw new IOException("headers too large");
        }
      }
      String headers = new String(buffer, 0, headerEnd, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(headers.substring(9, 12));
      int length = contentLength(headers);
      int bodyRead = filled - (headerEnd + 4);
      long remaining = length - bodyRead;
      while (remaining > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new IOException("connection closed in a body");
        }
        remaining -= n;
      }
      return status;
    }

    private static int contentLength(String headers) {
      int at = headers.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
      if (at < 0) {
        throw new IllegalStateException("no Content-Length: " + headers);
      }
      int lineEnd = headers.indexOf('\r', at);
      return Integer.parseInt(headers.substring(at + 15, lineEnd < 0 ? headers.length() : lineEnd)
          .trim());
    }

    private static int indexOfHeaderEnd(byte[] bytes, int length) {
      for (int i = 3; i < length; i++) {
        if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n'
            && bytes[i - 3] == '\r') {
          return i - 3;
        }
      }
      return -1;
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
