package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees, against three real node processes (issue 6, SPEC §6): a Prometheus scrape
 * whose key series exist and move with a workload; the sample dashboard and alert rules name only
 * series a live scrape has; every /v1 route (and /metrics) refuses anything but GET [P4-1] and
 * every /v1 answer states the commit index it describes [P4-2]; a transfer and an election leave
 * JSON log lines with the documented fields; gRPC health says NOT_SERVING when a node loses its
 * leader and SERVING again when it has one. The last test kills nodes, so the order is fixed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilitySystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"n\":{\"type\":\"int\",\"required\":true}}}";
  static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*\\})?"
              + " (-?[0-9.eE+-]+|NaN|[+-]Inf)");
  static final Pattern METRIC_NAME = Pattern.compile("\\b((?:aerodb|ratis)_[a-z0-9_]+)");

  @TempDir static Path dir;
  ProcessCluster cluster;
  AeroClient client;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start() throws Exception {
    cluster = new ProcessCluster(dir, 3);
    cluster.startAll();
    cluster.awaitLeader(60_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("docs", SCHEMA);
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    cluster.close();
  }

  @Test
  @Order(1)
  void aScrapeHasTheKeySeriesAndTheyMoveWithAWorkload() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    Map<String, Double> before = scrape(leader);
    for (String key :
        List.of(
            "aerodb_raft_term",
            "aerodb_raft_commit_index",
            "aerodb_raft_applied_index",
            "aerodb_apply_lag_entries",
            "aerodb_raft_leader",
            "aerodb_store_size_bytes",
            "aerodb_snapshot_index",
            "aerodb_health_serving",
            "ratis_log_worker_sync_time_seconds_count",
            "ratis_log_worker_data_queue_size",
            "ratis_leader_election_election_count_total",
            "ratis_server_num_pending_request_in_queue",
            "aerodb_events_total{type=\"LEADER_CHANGED\"}",
            "aerodb_transfer_states_total{state=\"SUCCEEDED\"}")) {
      assertThat(has(before, key)).as("series " + key + " in the leader's scrape").isTrue();
    }
    assertThat(before.get("aerodb_raft_leader")).isEqualTo(1.0);
    assertThat(total(before, "ratis_leader_election_election_count_total")).isGreaterThan(0);

    int writes = 120;
    for (int i = 0; i < writes; i++) {
      client.insert("docs", "{\"_id\":\"m" + i + "\",\"n\":" + i + "}");
    }
    for (int i = 0; i < 10; i++) {
      client.get("docs", "m" + i);
    }
    for (int i = 0; i < 3; i++) {
      try {
        client.insert("docs", "{\"_id\":\"bad" + i + "\",\"n\":\"not an int\"}");
        throw new AssertionError("a schema-invalid insert was accepted");
      } catch (AeroClientException expected) {
        assertThat(expected.code()).isEqualTo("AERO_VALIDATION_TYPE_MISMATCH");
      }
    }
    long commit =
        client
            .admin()
            .nodeStatus(cluster.layout.apiAddress(leader), Duration.ofSeconds(5))
            .getCommitIndex();
    Map<String, Double> after =
        awaitScrape(leader, m -> m.get("aerodb_raft_applied_index") >= commit);

    assertThat(after.get("aerodb_raft_commit_index") - before.get("aerodb_raft_commit_index"))
        .isGreaterThanOrEqualTo(writes);
    assertThat(delta(before, after, "aerodb_rpc_requests_total{code=\"OK\",method=\"Insert\"}"))
        .isEqualTo(writes);
    assertThat(delta(before, after, "aerodb_rpc_latency_seconds_count{method=\"Insert\"}"))
        .isEqualTo(writes + 3);
    // a Prometheus histogram (issue 16): cumulative buckets that aggregate across nodes
    assertThat(
            delta(
                before, after, "aerodb_rpc_latency_seconds_bucket{method=\"Insert\",le=\"+Inf\"}"))
        .isEqualTo(writes + 3);
    assertThat(
            delta(
                before, after, "aerodb_rpc_latency_seconds_bucket{method=\"Insert\",le=\"0.001\"}"))
        .isLessThanOrEqualTo(
            delta(
                before, after, "aerodb_rpc_latency_seconds_bucket{method=\"Insert\",le=\"30.0\"}"));
    assertThat(after.get("aerodb_rpc_latency_seconds_sum{method=\"Insert\"}")).isGreaterThan(0);
    assertThat(
            delta(
                before,
                after,
                "aerodb_rpc_errors_total{error=\"AERO_VALIDATION_TYPE_MISMATCH\",method=\"Insert\"}"))
        .isEqualTo(3);
    assertThat(
            total(after, "ratis_log_worker_sync_time_seconds_count")
                - total(before, "ratis_log_worker_sync_time_seconds_count"))
        .as("Raft log fsyncs during the workload")
        .isGreaterThan(0);
    assertThat(after.get("aerodb_store_size_bytes")).isGreaterThan(0);
    // the leader sees both followers' match index reach (nearly) its own commit index
    for (int i = 0; i < 3; i++) {
      if (i == leader) {
        continue;
      }
      String follower = cluster.layout.ids.get(i);
      Map<String, Double> m =
          awaitScrape(
              leader,
              s ->
                  s.getOrDefault(
                          "aerodb_follower_match_index{follower=\""
                              + follower
                              + "\",role=\"voter\"}",
                          -1.0)
                      >= commit);
      String ratisKey =
          "ratis_log_appender_follower_match_index{member=\""
              + cluster.layout.ids.get(leader)
              + "@"
              + groupOf(m)
              + "\",peer=\""
              + follower
              + "\"}";
      assertThat(m.getOrDefault(ratisKey, -1.0)).as(ratisKey).isGreaterThanOrEqualTo(commit);
    }
    // every follower applies the workload too
    for (int i = 0; i < 3; i++) {
      Map<String, Double> m = awaitScrape(i, s -> s.get("aerodb_raft_applied_index") >= commit);
      assertThat(m.get("aerodb_raft_leader")).isEqualTo(i == leader ? 1.0 : 0.0);
    }
  }

  @Test
  @Order(2)
  void clusterTopShowsEveryNodesRoleTermIndexesAndLag() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    String cl = String.join(",", cluster.layout.apiAddresses());
    String json = cluster.runCli("--cluster", cl, "--json", "cluster", "top");
    assertThat(json).startsWith("0 ");
    JsonValue.Obj top = parse(json.substring(2));
    List<JsonValue> nodes = ((JsonValue.Arr) top.get("nodes")).elements();
    assertThat(nodes).hasSize(3);
    for (JsonValue n : nodes) {
      JsonValue.Obj o = (JsonValue.Obj) n;
      assertThat(o.get("reachable")).isEqualTo(new JsonValue.Bool(true));
      assertThat(str(o, "leaderId")).isEqualTo(cluster.layout.ids.get(leader));
      for (String key : List.of("term", "commitIndex", "appliedIndex", "lagEntries")) {
        assertThat(o.get(key)).as(key).isInstanceOf(JsonValue.Int.class);
      }
      assertThat(str(o, "role"))
          .isEqualTo(str(o, "id").equals(cluster.layout.ids.get(leader)) ? "LEADER" : "FOLLOWER");
    }
    String screen =
        cluster.runCli(
            "--cluster", cl, "cluster", "top", "--iterations", "2", "--interval", "300ms");
    assertThat(screen).startsWith("0 ");
    for (String id : cluster.layout.ids) {
      assertThat(screen).contains(id);
    }
    assertThat(screen).contains("LEADER");
  }

  @Test
  @Order(3)
  void theDashboardAndAlertRulesNameOnlySeriesALiveScrapeHas() throws Exception {
    TreeSet<String> live = new TreeSet<>();
    for (int i = 0; i < 3; i++) {
      for (String series : scrape(i).keySet()) {
        live.add(series.replaceAll("\\{.*", ""));
      }
    }
    Path ops = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/ops");
    TreeSet<String> named = new TreeSet<>();
    String dashboard = Files.readString(ops.resolve("grafana-dashboard.json"));
    JsonValue.Obj parsed = parse(dashboard);
    assertThat(parsed.get("panels")).isInstanceOf(JsonValue.Arr.class);
    Matcher m = METRIC_NAME.matcher(dashboard);
    while (m.find()) {
      named.add(m.group(1));
    }
    int fromDashboard = named.size();
    Matcher a = METRIC_NAME.matcher(Files.readString(ops.resolve("alerts.yml")));
    while (a.find()) {
      named.add(a.group(1));
    }
    assertThat(fromDashboard).isGreaterThanOrEqualTo(10);
    TreeSet<String> missing = new TreeSet<>(named);
    missing.removeAll(live);
    assertThat(missing).as("names in docs/ops that no live scrape has").isEmpty();
  }

  @Test
  @Order(4)
  void everyRouteRefusesAnythingButGetAndStatesItsCommitIndex() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    String base = cluster.layout.httpBase(leader);
    HttpResponse<String> notFound = get(base + "/v1/no-such-route");
    assertThat(notFound.statusCode()).isEqualTo(404);
    JsonValue.Obj notFoundError = (JsonValue.Obj) parse(notFound.body()).get("error");
    assertThat(notFoundError.get("invariant")).as("a 404 protects no invariant").isNull();
    List<String> routes =
        List.of(
            ((JsonValue.Str) ((JsonValue.Obj) notFoundError.get("details")).get("routes"))
                .value()
                .split(","));
    assertThat(routes)
        .contains("/v1/status", "/v1/cluster", "/v1/recovery", "/v1/health", "/v1/events");
    long commitBefore = statusJsonCommit(base);
    List<String> all = new ArrayList<>(routes);
    all.add("/metrics");
    for (String route : all) {
      for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + route))
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"x\":1}"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + route).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
        JsonValue.Obj err = (JsonValue.Obj) parse(r.body()).get("error");
        assertThat(err.get("invariant")).isEqualTo(new JsonValue.Str("P4-1"));
        assertThat(err.get("code")).isEqualTo(new JsonValue.Str("AERO_REQUEST_INVALID"));
      }
      HttpResponse<String> ok =
          get(
              base
                  + route
                  + (route.equals("/v1/explain/transfer") ? "?to=n1" : "")
                  + (route.equals("/v1/explain/query") ? "?collection=docs&filter=%7B%7D" : ""));
      assertThat(ok.statusCode()).as("GET " + route + ": " + ok.body()).isEqualTo(200);
      if (route.startsWith("/v1/")) {
        JsonValue.Obj body = parse(ok.body());
        assertThat(body.get("commitIndex")).as("P4-2: " + route).isInstanceOf(JsonValue.Int.class);
        assertThat(body.get("nodeId")).isEqualTo(new JsonValue.Str(cluster.layout.ids.get(leader)));
      }
    }
    // the recovery explanation says what was loaded and which log range was there [P4-7]
    JsonValue.Obj recovery = parse(get(base + "/v1/recovery").body());
    for (String key :
        List.of("storeAppliedIndex", "logStartIndex", "logLastIndex", "firstReplayedIndex")) {
      assertThat(recovery.get(key)).as(key).isInstanceOf(JsonValue.Int.class);
    }
    assertThat(str(recovery, "explanation")).contains("loaded the store at applied index");
    // a bad query parameter is a 400 with the AeroDB error object, not a crash
    HttpResponse<String> bad = get(base + "/v1/explain/query?collection=docs&limit=many");
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonValue.Obj badError = (JsonValue.Obj) parse(bad.body()).get("error");
    assertThat(badError.get("code")).isEqualTo(new JsonValue.Str("AERO_REQUEST_INVALID"));
    assertThat(str(badError, "message")).contains("limit");
    // nothing above changed state: no write reached the log
    assertThat(statusJsonCommit(base)).isEqualTo(commitBefore);
  }

  @Test
  @Order(5)
  void aTransferAndAnElectionLeaveJsonLogLinesWithTheDocumentedFields() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    int target = (leader + 1) % 3;
    String requestId = "obs-transfer-1";
    // or rightly denied TARGET_LAGGING [P6-S1] if the last write's majority did not include it
    cluster.awaitMatched(leader, cluster.layout.ids.get(target), 20_000);
    TransferLeaderReply reply =
        client
            .admin()
            .transferLeader(
                cluster.layout.ids.get(target), false, Duration.ofSeconds(20), requestId);
    assertThat(reply.getOutcome()).isEqualTo("SUCCEEDED");

    List<JsonValue.Obj> lines = awaitLogLines(leader, requestId, "SUCCEEDED");
    List<String> states = new ArrayList<>();
    for (JsonValue.Obj line : lines) {
      if (str(line, "event").equals("TRANSFER_STATE")
          && field(line, "requestId").equals(requestId)) {
        for (String f : List.of("from", "to", "target", "leader", "term", "commitIndex")) {
          assertThat(field(line, f)).as(f + " in " + line).isNotEmpty();
        }
        assertThat(str(line, "node")).isEqualTo(cluster.layout.ids.get(leader));
        states.add(field(line, "to"));
      }
    }
    assertThat(states).containsSubsequence("VALIDATING", "APPROVED", "TRANSFERRING", "SUCCEEDED");

    // the election that made the target leader is logged on every node that saw it
    awaitLog(
        target,
        l ->
            str(l, "event").equals("LEADER_CHANGED")
                && field(l, "leaderAfter").equals(cluster.layout.ids.get(target))
                && !field(l, "termAfter").isEmpty()
                && !field(l, "cause").isEmpty());
    // start-up phases, config and recovery were logged as structured lines
    for (String event : List.of("STARTUP_PHASE", "CONFIG", "RECOVERY")) {
      awaitLog(target, l -> str(l, "event").equals(event));
    }
  }

  @Test
  @Order(6)
  void healthSaysNotServingWhenANodeLosesItsLeaderAndServingWhenItHasOneAgain() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    int survivor = (leader + 1) % 3;
    int other = (leader + 2) % 3;
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(cluster.layout.apiAddress(survivor)).usePlaintext().build();
    try {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(ch);
      assertThat(awaitHealth(health, "", ServingStatus.SERVING)).isTrue();
      assertThat(awaitHealth(health, "aerodb.readiness", ServingStatus.SERVING)).isTrue();
      assertThat(awaitHealth(health, "aerodb.v1.DocumentService", ServingStatus.SERVING)).isTrue();

      cluster.kill9(leader);
      cluster.kill9(other);
      assertThat(awaitHealth(health, "", ServingStatus.NOT_SERVING))
          .as("overall health of a node that lost its leader")
          .isTrue();
      assertThat(awaitHealth(health, "aerodb.readiness", ServingStatus.NOT_SERVING)).isTrue();
      assertThat(check(health, "aerodb.liveness")).isEqualTo(ServingStatus.SERVING);
      JsonValue.Obj h = parse(get(cluster.layout.httpBase(survivor) + "/v1/health").body());
      assertThat(h.get("serving")).isEqualTo(new JsonValue.Bool(false));
      assertThat(str(h, "reason")).isEqualTo("no leader known");
      awaitLog(
          survivor,
          l -> str(l, "event").equals("HEALTH_CHANGED") && field(l, "serving").equals("false"));

      cluster.start(leader);
      cluster.start(other);
      assertThat(awaitHealth(health, "", ServingStatus.SERVING))
          .as("overall health once a leader is elected again")
          .isTrue();
      assertThat(awaitHealth(health, "aerodb.readiness", ServingStatus.SERVING)).isTrue();
      cluster.awaitLeader(60_000);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ---- helpers ----

  private static ServingStatus check(HealthGrpc.HealthBlockingStub h, String service) {
    try {
      return h.withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus();
    } catch (io.grpc.StatusRuntimeException e) {
      return ServingStatus.UNKNOWN;
    }
  }

  private static boolean awaitHealth(
      HealthGrpc.HealthBlockingStub h, String service, ServingStatus want)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (check(h, service) == want) {
        return true;
      }
      Thread.sleep(100); // poll interval of a loop on the condition, bounded by its deadline
    }
    return false;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private long statusJsonCommit(String base) throws Exception {
    return ((JsonValue.Int) parse(get(base + "/v1/status").body()).get("commitIndex")).value();
  }

  /** Series (name with its label set, as printed) → value; every line must be valid exposition. */
  private Map<String, Double> scrape(int node) throws Exception {
    HttpResponse<String> r = get(cluster.layout.httpBase(node) + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    TreeMap<String, Double> out = new TreeMap<>();
    TreeSet<String> typed = new TreeSet<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        typed.add(line.split(" ")[2]);
        continue;
      }
      if (line.startsWith("# HELP ")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("exposition line: " + line).isTrue();
      String name = m.group(1);
      assertThat(
              typed.contains(name) || typed.contains(name.replaceAll("_(count|sum|bucket)$", "")))
          .as("sample " + name + " follows its # TYPE line")
          .isTrue();
      int space = line.lastIndexOf(' ');
      String v = line.substring(space + 1);
      out.put(
          line.substring(0, space),
          v.equals("+Inf")
              ? Double.POSITIVE_INFINITY
              : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v));
    }
    return out;
  }

  private Map<String, Double> awaitScrape(
      int node, java.util.function.Predicate<Map<String, Double>> until) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, Double> m = scrape(node);
    while (!until.test(m)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("scrape of node " + node + " never satisfied the condition");
      }
      Thread.sleep(100); // poll interval of a loop on the condition, bounded by its deadline
      m = scrape(node);
    }
    return m;
  }

  /** The series exists: exactly this key, or (for a bare name) the name with any labels. */
  private static boolean has(Map<String, Double> scrape, String key) {
    return scrape.containsKey(key) || (!key.contains("{") && total(scrape, key) >= 0);
  }

  /** Sum over every label set of one metric name; -1 when no series has the name. */
  private static double total(Map<String, Double> scrape, String name) {
    double sum = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : scrape.entrySet()) {
      String k = e.getKey();
      if (k.equals(name) || k.startsWith(name + "{")) {
        sum += e.getValue();
        any = true;
      }
    }
    return any ? sum : -1;
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    assertThat(after.containsKey(key)).as("series " + key + " after the workload").isTrue();
    return after.get(key) - before.getOrDefault(key, 0.0);
  }

  private static String groupOf(Map<String, Double> scrape) {
    for (String k : scrape.keySet()) {
      Matcher m = Pattern.compile("member=\"[^@\"]+@([^\"]+)\"").matcher(k);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("no ratis member label in the scrape");
  }

  private static JsonValue.Obj parse(String json) {
    return (JsonValue.Obj)
        JsonReader.parse(
            json.trim().getBytes(StandardCharsets.UTF_8), new JsonLimits(16 << 20, 64, 100_000));
  }

  private static String str(JsonValue.Obj o, String key) {
    JsonValue v = o.get(key);
    return v instanceof JsonValue.Str s ? s.value() : "";
  }

  private static String field(JsonValue.Obj line, String key) {
    JsonValue f = line.get("fields");
    if (!(f instanceof JsonValue.Obj fields) || fields.get(key) == null) {
      return "";
    }
    JsonValue v = fields.get(key);
    if (v instanceof JsonValue.Str s) {
      return s.value();
    }
    if (v instanceof JsonValue.Int i) {
      return Long.toString(i.value());
    }
    if (v instanceof JsonValue.Bool b) {
      return Boolean.toString(b.value());
    }
    return v.toString();
  }

  /**
   * The node's log as JSON objects. Every line the node writes is one JSON object with the
   * documented keys; only the JVM itself may add a plain line.
   */
  private List<JsonValue.Obj> logLines(int node) throws Exception {
    List<JsonValue.Obj> out = new ArrayList<>();
    for (String line :
        Files.readAllLines(
            dir.resolve(cluster.layout.ids.get(node) + ".log"), StandardCharsets.UTF_8)) {
      if (line.isBlank() || !line.startsWith("{")) {
        assertThat(line).as("a plain log line").matches("^(|OpenJDK .*|WARNING: .*|\\s.*)$");
        continue;
      }
      JsonValue.Obj o = parse(line);
      for (String key : List.of("time", "level", "node", "logger", "event", "message")) {
        assertThat(o.get(key)).as(key + " in " + line).isInstanceOf(JsonValue.Str.class);
      }
      assertThat(o.get("fields")).isInstanceOf(JsonValue.Obj.class);
      out.add(o);
    }
    return out;
  }

  private JsonValue.Obj awaitLog(int node, java.util.function.Predicate<JsonValue.Obj> p)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      for (JsonValue.Obj o : logLines(node)) {
        if (p.test(o)) {
          return o;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no such log line on "
                + cluster.layout.ids.get(node)
                + "; tail:\n"
                + cluster.logTail(node, 30));
      }
      Thread.sleep(200); // poll interval of a loop on the condition, bounded by its deadline
    }
  }

  private List<JsonValue.Obj> awaitLogLines(int node, String requestId, String state)
      throws Exception {
    awaitLog(
        node,
        l ->
            str(l, "event").equals("TRANSFER_STATE")
                && field(l, "requestId").equals(requestId)
                && field(l, "to").equals(state));
    return logLines(node);
  }
}
