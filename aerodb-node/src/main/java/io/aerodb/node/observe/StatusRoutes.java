package io.aerodb.node.observe;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.node.events.ClusterEvent;
import io.aerodb.node.observe.MetricsHttpServer.Route;
import io.aerodb.proto.v1.NodeStatusReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The read-only /v1 routes of the status API (docs/OPERATIONS.md, Status API) [P4-1..P4-9]. Each
 * answer states the node, term, commit and applied index it describes; none reads documents or
 * changes state.
 */
public final class StatusRoutes {
  private StatusRoutes() {}

  public static Map<String, Route> of(ObservableNode node) {
    TreeMap<String, Route> r = new TreeMap<>();
    r.put("/v1/status", q -> StatusJson.status(node.status()));
    r.put("/v1/cluster", q -> StatusJson.cluster(node.status(), node.leaderView()));
    r.put("/v1/recovery", q -> StatusJson.recovery(node.status(), node.recovery()));
    r.put("/v1/health", q -> health(node.status(), node.health()));
    r.put("/v1/events", q -> events(node, q));
    r.put("/v1/explain/transfer", q -> explainTransfer(node, q));
    r.put("/v1/explain/query", q -> explainQuery(node, q));
    return r;
  }

  private static TreeMap<String, JsonValue> describes(NodeStatusReply s) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("nodeId", new JsonValue.Str(s.getNodeId()));
    m.put("term", new JsonValue.Int(s.getTerm()));
    m.put("commitIndex", new JsonValue.Int(s.getCommitIndex()));
    m.put("appliedIndex", new JsonValue.Int(s.getAppliedIndex()));
    return m;
  }

  private static JsonValue.Obj health(NodeStatusReply s, Health h) {
    TreeMap<String, JsonValue> m = describes(s);
    m.put("live", new JsonValue.Bool(h.live()));
    m.put("serving", new JsonValue.Bool(h.serving()));
    m.put("ready", new JsonValue.Bool(h.ready()));
    m.put("reason", new JsonValue.Str(h.reason()));
    return new JsonValue.Obj(m);
  }

  private static JsonValue.Obj events(ObservableNode node, Map<String, String> q) {
    long since = number(q, "since", 0);
    int limit = (int) Math.min(1000, number(q, "limit", 200));
    TreeMap<String, JsonValue> m = describes(node.status());
    List<JsonValue> events = new ArrayList<>();
    for (ClusterEvent e : node.events().since(since, limit)) {
      events.add(e.toJson());
    }
    List<JsonValue> history = new ArrayList<>();
    for (AuthorityRecord a : node.authorityHistory(number(q, "historyAfter", 0), limit)) {
      history.add(a.toJson());
    }
    m.put("events", new JsonValue.Arr(events));
    m.put("authorityHistory", new JsonValue.Arr(history));
    return new JsonValue.Obj(m);
  }

  private static JsonValue.Obj explainTransfer(ObservableNode node, Map<String, String> q) {
    String to = q.get("to");
    if (to == null || to.isEmpty()) {
      throw new IllegalArgumentException("explain/transfer needs ?to=<node id>");
    }
    TreeMap<String, JsonValue> m = describes(node.status());
    m.put("decision", node.explainTransfer(to).toJson());
    return new JsonValue.Obj(m);
  }

  /** The plan a query would use at this node's applied index; it never reads documents [P4-8]. */
  private static JsonValue.Obj explainQuery(ObservableNode node, Map<String, String> q) {
    String collection = q.getOrDefault("collection", "");
    String filter = q.getOrDefault("filter", "{}");
    String sort = q.getOrDefault("sort", "");
    boolean descending = sort.startsWith("-");
    long limit = number(q, "limit", 0);
    NodeStatusReply s = node.status();
    ObservableNode.QueryExplanation plan;
    try {
      plan =
          node.explainQuery(
              new QueryRequest(
                  collection,
                  filter.getBytes(StandardCharsets.UTF_8),
                  descending ? sort.substring(1) : sort,
                  descending,
                  limit));
    } catch (AeroException e) {
      throw new StatusRequestException(e.error());
    }
    TreeMap<String, JsonValue> m = describes(s);
    m.put("view", new JsonValue.Int(plan.viewIndex()));
    m.put(
        "explain",
        JsonReader.parse(plan.explainJson(), io.aerodb.core.limits.Limits.DOCUMENT_JSON));
    return new JsonValue.Obj(m);
  }

  private static long number(Map<String, String> q, String key, long otherwise) {
    String v = q.get(key);
    if (v == null || v.isEmpty()) {
      return otherwise;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, not '" + v + "'");
    }
  }
}
