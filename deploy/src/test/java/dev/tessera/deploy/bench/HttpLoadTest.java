package dev.tessera.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpLoadTest {
  @Test
  void countsOnlyTheMeasuredRunAndTellsWhenItStarts() throws Exception {
    AtomicInteger served = new AtomicInteger();
    OneWriteServer server = new OneWriteServer(served);
    try {
      AtomicInteger servedBeforeMeasuring = new AtomicInteger(-1);
      AtomicLong measuringAt = new AtomicLong();
      long begun = System.nanoTime();
      HttpLoad.Result result = HttpLoad.run("127.0.0.1", server.port(), 2, 200,
          0.5, 1.0, i -> new HttpLoad.Request("/x", null), () -> {
            servedBeforeMeasuring.set(served.get());
            measuringAt.set(System.nanoTime());
          });

      // 200/s for 1 s measured, after 100 warm-up requests that reached the server uncounted.
      assertThat(result.requests()).isEqualTo(200);
      assertThat(result.statuses()).containsEntry(200, 200L);
      assertThat(result.errors()).isZero();
      assertThat(served.get()).isEqualTo(300);
      assertThat(servedBeforeMeasuring.get()).isBetween(95, 101);
      assertThat((measuringAt.get() - begun) / 1e9).isBetween(0.5, 0.8);
      assertThat(result.slowestPerWindow()).hasSize(10);
      assertThat(java.util.Arrays.stream(result.slowestPerWindow()).min().orElseThrow()).isPositive();
    } finally {
      server.close();
    }
  }

  /** Answers every request on a connection with one write of a small 200 (no Nagle stalls). */
  private static final class OneWriteServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    OneWriteServer(AtomicInteger served) throws IOException {
      socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
      threads.execute(() -> {
        while (!socket.isClosed()) {
          try {
            Socket connection = socket.accept();
            connection.setTcpNoDelay(true);
            threads.execute(() -> answer(connection, served));
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    private static void answer(Socket connection, AtomicInteger served) {
      byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
          .getBytes(StandardCharsets.ISO_8859_1);
      try (connection; InputStream in = connection.getInputStream();
          OutputStream out = connection.getOutputStream()) {
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
          matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
          if (matched == 4) {
            served.incrementAndGet();
            out.write(response);
            out.flush();
            matched = 0;
          }
        }
      } catch (IOException e) {
        // the client closed
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }

  @Test
  void timelineCountsTheSlowWindowsAndNamesTheSlowest() {
    HttpLoad.Result result = new HttpLoad.Result(4, 0, 0.4, new org.HdrHistogram.Histogram(3),
        java.util.Map.of(200, 4L), new long[] {500, 35_000, 1_900, 2_500});

    assertThat(result.timeline(2_000, 2)).isEqualTo(
        "2 of 4 100-ms windows had a request over 2.0 ms; slowest: 0.1 s 35.0 ms, 0.3 s 2.5 ms");
  }
}
