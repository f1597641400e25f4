package io.aerodb.node.events;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One structured event [P6-O1]: an election or leader change seen by this node, a step-down, a
 * transfer workflow state change, a membership change, an applied authority record. {@code id}
 * increases by one per event within one node process (it restarts at 1 with the process; the log's
 * own records carry their log index in the fields).
 */
public record ClusterEvent(
    long id, long timeMillis, String nodeId, String type, SortedMap<String, String> fields) {

  public ClusterEvent {
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  /** {"event":..,"fields":{..},"id":..,"node":..,"time":"2026-...Z"} with sorted keys. */
  public JsonValue.Obj toJson() {
    TreeMap<String, JsonValue> f = new TreeMap<>(JsonValue.KEY_ORDER);
    fields.forEach((k, v) -> f.put(k, new JsonValue.Str(v)));
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("event", new JsonValue.Str(type));
    m.put("fields", new JsonValue.Obj(f));
    m.put("id", new JsonValue.Int(id));
    m.put("node", new JsonValue.Str(nodeId));
    m.put("time", new JsonValue.Str(Instant.ofEpochMilli(timeMillis).toString()));
    return new JsonValue.Obj(m);
  }

  public String toJsonText() {
    return CanonicalJson.toText(toJson());
  }
}
