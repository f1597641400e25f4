package io.aerodb.node.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports for test servers (asked from the OS, then released for the server to bind).
 */
public final class Ports {
  private Ports() {}

  public static List<Integer> free(int n) {
    List<ServerSocket> held = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        held.add(s);
        ports.add(s.getLocalPort());
      }
    } catch (IOException e) {
      throw new IllegalStateException("no free ports", e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
    return ports;
  }
}
