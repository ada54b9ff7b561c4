package dev.tessera.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

/** Loopback port helpers: free ports for tests, and a clear error for a port already taken. */
public final class Ports {
  private static final Set<Integer> handedOut = new HashSet<>();

  private Ports() {}

  /**
   * A port that is free on 127.0.0.1 now and that this JVM has not handed out before, so that two
   * servers started by one test JVM never receive the same one.
   */
  public static synchronized int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = socket.getLocalPort();
        if (handedOut.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new InfrastructureException("Cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
      }
    }
    throw new InfrastructureException("Cannot find a free port on 127.0.0.1 after 100 attempts");
  }

  /** Fails with a message naming the setting when {@code port} is taken on {@code host}. */
  public static void requireFree(String host, int port, String what, String settingKey) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new InfrastructureException(
          what + " port " + port + " on " + host + " is already in use: stop what holds it or set "
              + settingKey + " to a free port");
    }
  }

  /** True when something accepts TCP connections on host:port. */
  public static boolean isListening(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
