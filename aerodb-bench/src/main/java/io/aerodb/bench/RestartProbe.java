package io.aerodb.bench;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Measures a node's restart as a reader sees it: polls one node (every 10 ms) with an
 * at-least-index read of a known document until it is served at {@code --min-index} (the leader's
 * commit index before the restart). Prints one JSON line with two times measured from {@code
 * --start-epoch-ms} (when the script launched the node process): the node's API port accepting
 * connections ({@code api_up_ms}: JVM start, store open, Raft start) and the first successful read
 * at the index ({@code serving_ms}: plus log replay / catch-up). Bounded by {@code --timeout-s}.
 *
 * <p>Usage: {@code RestartProbe --endpoint host:port --collection C --id ID --min-index N
 * --start-epoch-ms T [--timeout-s 600]}
 */
public final class RestartProbe {
  private RestartProbe() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = LoadGen.parse(args);
    String endpoint = o.get("endpoint");
    String collection = o.get("collection");
    String id = o.get("id");
    long minIndex = Long.parseLong(o.get("min-index"));
    long start = Long.parseLong(o.get("start-epoch-ms"));
    double timeoutS = Double.parseDouble(o.getOrDefault("timeout-s", "600"));
    if (!endpoint.startsWith("127.")) {
      throw new IllegalArgumentException("loopback only");
    }
    long deadline = start + (long) (timeoutS * 1000);
    String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
    int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    // Phase 1: the API port accepts connections (a plain TCP connect: gRPC's reconnect backoff
    // would otherwise add up to seconds to what we measure).
    long apiUp = -1;
    while (System.currentTimeMillis() < deadline) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(host, port), 200);
        apiUp = System.currentTimeMillis();
        break;
      } catch (java.io.IOException e) {
        Thread.sleep(10);
      }
    }
    // Phase 2: an at-least-index read of a known document succeeds.
    String lastError = "";
    long polls = 0;
    AeroClient.Options oneShot =
        new AeroClient.Options(Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
    AeroClient c = AeroClient.connect(List.of(endpoint), oneShot);
    try {
      while (apiUp > 0 && System.currentTimeMillis() < deadline) {
        polls++;
        try {
          c.getAtLeast(endpoint, collection, id, minIndex);
          long now = System.currentTimeMillis();
          System.out.println(
              JsonLine.of("type", "restart_probe")
                  .put("endpoint", endpoint)
                  .put("min_index", minIndex)
                  .put("api_up_ms", apiUp - start)
                  .put("serving_ms", now - start)
                  .put("polls", polls));
          return;
        } catch (AeroClientException e) {
          lastError = e.code() + ": " + e.getMessage();
          if (e.code().equals("transport") || e.code().equals("AERO_CLUSTER_UNAVAILABLE")) {
            c.close();
            c = AeroClient.connect(List.of(endpoint), oneShot);
          }
          Thread.sleep(10);
        }
      }
    } finally {
      c.close();
    }
    System.out.println(
        JsonLine.of("type", "restart_probe")
            .put("endpoint", endpoint)
            .put("min_index", minIndex)
            .put("error", "not serving within " + timeoutS + " s")
            .put("api_up_ms", apiUp < 0 ? -1 : apiUp - start)
            .put("last_error", lastError));
    System.exit(1);
  }
}
