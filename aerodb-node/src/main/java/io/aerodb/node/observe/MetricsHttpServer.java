package io.aerodb.node.observe;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorBounds;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP port, on 127.0.0.1 only: {@code /metrics} (Prometheus text) and the read-only
 * status and explain API under {@code /v1/...} as canonical JSON (docs/OPERATIONS.md, Status API).
 * Every route answers GET (and HEAD) only; any other method is refused with 405 and an error
 * object, so nothing reachable here can change state [P4-1]. Unknown routes get 404.
 *
 * <p>Slow or idle clients never starve a scrape (issue 14: 200 connections sending their headers
 * one byte a second kept the JDK's HttpServer, which reads headers on a pool thread per connection,
 * from answering {@code /metrics} for 30 s). The server is Jetty's, which reads requests without
 * holding a thread (NIO), with three bounds:
 *
 * <ul>
 *   <li>{@link #HEADER_READ_TIMEOUT_MS}: a connection that has not sent one whole request head by
 *       then is closed, however slowly it trickles bytes;
 *   <li>{@link #IDLE_TIMEOUT_MS}: a connection with no traffic for that long is closed (and, once
 *       the connection bound is reached, after {@link #IDLE_TIMEOUT_AT_LIMIT_MS});
 *   <li>{@link #CONNECTIONS_MAX} open connections; beyond it Jetty stops accepting until one
 *       closes.
 * </ul>
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);

  /** Time a new connection has to send its first whole request head. */
  public static final long HEADER_READ_TIMEOUT_MS = 5_000;

  /** Time a connection may stay silent. */
  public static final long IDLE_TIMEOUT_MS = 30_000;

  /** Time a connection may stay silent while the connection bound is reached. */
  public static final long IDLE_TIMEOUT_AT_LIMIT_MS = 1_000;

  /** Most open connections. */
  public static final int CONNECTIONS_MAX = 512;

  /** Threads that run handlers (scrapes and status answers); reading requests needs none. */
  private static final int HANDLER_THREADS_MAX = 8;

  /**
   * A route: query parameters → JSON answer (an object), or throws IllegalArgumentException for
   * 400.
   */
  public interface Route extends Function<Map<String, String>, JsonValue.Obj> {}

  private final Server server;
  private final ServerConnector connector;

  public MetricsHttpServer(
      int port, String nodeId, MetricsExporter exporter, Map<String, Route> v1Routes) {
    QueuedThreadPool threads = new QueuedThreadPool(HANDLER_THREADS_MAX, 2);
    threads.setName("aerodb-http-" + nodeId);
    threads.setDaemon(true);
    server = new Server(threads);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory());
    connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
    connector.setPort(port);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    connector.addBean(new HeaderReadDeadline(server.getScheduler()));
    server.addConnector(connector);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(CONNECTIONS_MAX, connector);
    limit.setEndPointIdleTimeout(IDLE_TIMEOUT_AT_LIMIT_MS);
    server.addBean(limit);
    TreeMap<String, Route> routes = new TreeMap<>(v1Routes);
    server.setHandler(
        new Handler.Abstract() {
          /** Runs on a pool thread (a handler that may block), never on the selector. */
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            answer(request, response, callback, exporter, routes);
            return true;
          }
        });
  }

  /**
   * Closes a connection that has not completed one request head within {@link
   * #HEADER_READ_TIMEOUT_MS} of opening (slowloris). Later requests on a kept-alive connection are
   * bounded by the idle timeout.
   */
  private static final class HeaderReadDeadline implements Connection.Listener {
    private final Scheduler scheduler;

    HeaderReadDeadline(Scheduler scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
      scheduler.schedule(
          () -> {
            if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
              connection.getEndPoint().close();
            }
          },
          HEADER_READ_TIMEOUT_MS,
          TimeUnit.MILLISECONDS);
    }
  }

  private static void answer(
      Request request,
      Response response,
      Callback callback,
      MetricsExporter exporter,
      TreeMap<String, Route> routes) {
    String method = request.getMethod();
    String path = request.getHttpURI().getDecodedPath();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      // 405 for anything but GET/HEAD [P4-1]. The request's body is not read, so the connection
      // closes after the answer and says so: a client that reused it raced the close and saw "no
      // bytes" (ObservabilitySystemIT, once in a full run).
      response.getHeaders().put("Allow", "GET, HEAD");
      response.getHeaders().put("Connection", "close");
      sendJson(
          request,
          response,
          callback,
          405,
          error(
              "method "
                  + ErrorBounds.cut(method, 32)
                  + " not allowed: this API is read-only [P4-1]",
              "P4-1",
              "method",
              ErrorBounds.cut(method, 32)));
      return;
    }
    if (path.equals("/metrics")) {
      send(
          request,
          response,
          callback,
          200,
          "text/plain; version=0.0.4; charset=utf-8",
          exporter.scrape());
      return;
    }
    if (!path.startsWith("/v1/")) {
      sendJson(
          request, response, callback, 404, error("no such route; try /metrics or /v1/status", ""));
      return;
    }
    Route route = routes.get(path);
    if (route == null) {
      sendJson(
          request,
          response,
          callback,
          404,
          error(
              "no such route " + ErrorBounds.cut(path, 128),
              "",
              "routes",
              String.join(",", routes.keySet())));
      return;
    }
    try {
      sendJson(request, response, callback, 200, route.apply(query(request)));
    } catch (StatusRequestException e) {
      sendJson(request, response, callback, 400, errorJson(e.error));
    } catch (IllegalArgumentException e) {
      sendJson(request, response, callback, 400, error(e.getMessage(), ""));
    } catch (RuntimeException e) {
      LOG.warn("status route {} failed: {}", path, e.toString());
      sendJson(request, response, callback, 500, error("internal error: " + e.getMessage(), ""));
    }
  }

  public void start() throws IOException {
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("metrics HTTP server did not start: " + e, e);
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** An AeroDB error as the JSON error object of docs/ERRORS.md. */
  static JsonValue.Obj errorJson(AeroError error) {
    AeroError err = error.bounded();
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
    e.put("message", new JsonValue.Str(ErrorBounds.cut(message, ErrorBounds.MESSAGE_BYTES_MAX)));
    if (!invariant.isEmpty()) {
      e.put("invariant", new JsonValue.Str(invariant));
    }
    e.put("details", new JsonValue.Obj(details));
    TreeMap<String, JsonValue> top = new TreeMap<>(JsonValue.KEY_ORDER);
    top.put("error", new JsonValue.Obj(e));
    return new JsonValue.Obj(top);
  }

  private static Map<String, String> query(Request request) {
    TreeMap<String, String> out = new TreeMap<>();
    String q = request.getHttpURI().getQuery();
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

  private static void sendJson(
      Request request, Response response, Callback callback, int status, JsonValue.Obj body) {
    send(
        request,
        response,
        callback,
        status,
        "application/json; charset=utf-8",
        CanonicalJson.toText(body) + "\n");
  }

  private static void send(
      Request request, Response response, Callback callback, int status, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put("Content-Type", type);
    response.getHeaders().put("Content-Length", Integer.toString(bytes.length));
    boolean head = request.getMethod().equals("HEAD");
    response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes), callback);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("metrics HTTP server did not stop cleanly: {}", e.toString());
    }
  }
}
