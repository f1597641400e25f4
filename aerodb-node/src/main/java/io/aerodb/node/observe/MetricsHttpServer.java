package io.aerodb.node.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP port, on 127.0.0.1 only: {@code /metrics} (Prometheus text) and the read-only
 * status and explain API under {@code /v1/...} as canonical JSON (docs/OPERATIONS.md, Status API).
 * Every route answers GET (and HEAD) only; any other method is refused with 405 and an error
 * object, so nothing reachable here can change state [P4-1]. Unknown routes get 404.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);

  /**
   * A route: query parameters → JSON answer (an object), or throws IllegalArgumentException for
   * 400.
   */
  public interface Route extends Function<Map<String, String>, JsonValue.Obj> {}

  private final HttpServer server;

  public MetricsHttpServer(
      int port, String nodeId, MetricsExporter exporter, Map<String, Route> v1Routes)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "aerodb-http-" + nodeId);
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics",
        ex -> {
          if (refuseNonGet(ex)) {
            return;
          }
          send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", exporter.scrape());
        });
    TreeMap<String, Route> routes = new TreeMap<>(v1Routes);
    server.createContext(
        "/v1/",
        ex -> {
          if (refuseNonGet(ex)) {
            return;
          }
          Route route = routes.get(ex.getRequestURI().getPath());
          if (route == null) {
            sendJson(
                ex,
                404,
                error(
                    "no such route " + ex.getRequestURI().getPath(),
                    "",
                    "routes",
                    String.join(",", routes.keySet())));
            return;
          }
          try {
            sendJson(ex, 200, route.apply(query(ex)));
          } catch (StatusRequestException e) {
            sendJson(ex, 400, errorJson(e.error));
          } catch (IllegalArgumentException e) {
            sendJson(ex, 400, error(e.getMessage(), ""));
          } catch (RuntimeException e) {
            LOG.warn("status route {} failed: {}", ex.getRequestURI().getPath(), e.toString());
            sendJson(ex, 500, error("internal error: " + e.getMessage(), ""));
          }
        });
    server.createContext(
        "/",
        ex -> {
          if (refuseNonGet(ex)) {
            return;
          }
          sendJson(ex, 404, error("no such route; try /metrics or /v1/status", ""));
        });
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** 405 for anything but GET/HEAD [P4-1]. */
  private static boolean refuseNonGet(HttpExchange ex) throws IOException {
    String m = ex.getRequestMethod();
    if (m.equals("GET") || m.equals("HEAD")) {
      return false;
    }
    ex.getResponseHeaders().add("Allow", "GET, HEAD");
    sendJson(
        ex,
        405,
        error("method " + m + " not allowed: this API is read-only [P4-1]", "P4-1", "method", m));
    return true;
  }

  /** An AeroDB error as the JSON error object of docs/ERRORS.md. */
  static JsonValue.Obj errorJson(AeroError err) {
    TreeMap<String, JsonValue> details = new TreeMap<>(JsonValue.KEY_ORDER);
    for (Map.Entry<String, String> d : err.details().entrySet()) {
      details.put(d.getKey(), new JsonValue.Str(d.getValue()));
    }
    TreeMap<String, JsonValue> e = new TreeMap<>(JsonValue.KEY_ORDER);
    e.put("code", new JsonValue.Str(err.code().name()));
    e.put("severity", new JsonValue.Str(err.severity().name()));
    e.put("message", new JsonValue.Str(err.message()));
    if (!err.invariant().isEmpty()) {
      e.put("invariant", new JsonValue.Str(err.invariant()));
    }
    e.put("details", new JsonValue.Obj(details));
    TreeMap<String, JsonValue> top = new TreeMap<>(JsonValue.KEY_ORDER);
    top.put("error", new JsonValue.Obj(e));
    return new JsonValue.Obj(top);
  }

  /** The error object of docs/ERRORS.md; {@code invariant} is "" where none applies. */
  static JsonValue.Obj error(String message, String invariant, String... kv) {
    TreeMap<String, JsonValue> details = new TreeMap<>(JsonValue.KEY_ORDER);
    for (int i = 0; i + 1 < kv.length; i += 2) {
      details.put(kv[i], new JsonValue.Str(kv[i + 1]));
    }
    TreeMap<String, JsonValue> e = new TreeMap<>(JsonValue.KEY_ORDER);
    e.put("code", new JsonValue.Str("AERO_REQUEST_INVALID"));
    e.put("severity", new JsonValue.Str("REJECT"));
    e.put("message", new JsonValue.Str(message));
    if (!invariant.isEmpty()) {
      e.put("invariant", new JsonValue.Str(invariant));
    }
    e.put("details", new JsonValue.Obj(details));
    TreeMap<String, JsonValue> top = new TreeMap<>(JsonValue.KEY_ORDER);
    top.put("error", new JsonValue.Obj(e));
    return new JsonValue.Obj(top);
  }

  private static Map<String, String> query(HttpExchange ex) {
    TreeMap<String, String> out = new TreeMap<>();
    String q = ex.getRequestURI().getRawQuery();
    if (q == null || q.isEmpty()) {
      return out;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static void sendJson(HttpExchange ex, int status, JsonValue.Obj body) throws IOException {
    send(ex, status, "application/json; charset=utf-8", CanonicalJson.toText(body) + "\n");
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
