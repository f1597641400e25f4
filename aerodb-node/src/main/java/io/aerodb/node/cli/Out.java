package io.aerodb.node.cli;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the CLI's JSON output with the core JSON model, so it is canonical (sorted keys): the same
 * result always prints the same bytes. One object per command on stdout, and nothing else goes to
 * stdout.
 */
final class Out {
  private final TreeMap<String, JsonValue> fields = new TreeMap<>(JsonValue.KEY_ORDER);

  static Out object() {
    return new Out();
  }

  Out put(String key, String value) {
    fields.put(key, new JsonValue.Str(value));
    return this;
  }

  Out put(String key, long value) {
    fields.put(key, new JsonValue.Int(value));
    return this;
  }

  Out put(String key, boolean value) {
    fields.put(key, new JsonValue.Bool(value));
    return this;
  }

  Out put(String key, JsonValue value) {
    fields.put(key, value);
    return this;
  }

  Out put(String key, Out value) {
    fields.put(key, value.build());
    return this;
  }

  Out putStrings(String key, Map<String, String> map) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    map.forEach((k, v) -> m.put(k, new JsonValue.Str(v)));
    fields.put(key, new JsonValue.Obj(m));
    return this;
  }

  Out putList(String key, java.util.List<Out> items) {
    java.util.List<JsonValue> values = new java.util.ArrayList<>();
    items.forEach(i -> values.add(i.build()));
    fields.put(key, new JsonValue.Arr(values));
    return this;
  }

  /**
   * The CLI's error object for an error met in the CLI's own process (the contract of --json:
   * {"error": {code, severity, message, invariant, details}}).
   */
  static Out error(io.aerodb.core.error.AeroError err) {
    return Out.object()
        .put(
            "error",
            Out.object()
                .put("code", err.code().name())
                .put("severity", err.severity().name())
                .put("message", err.message())
                .put("invariant", err.invariant())
                .putStrings("details", err.details()));
  }

  JsonValue.Obj build() {
    return new JsonValue.Obj(fields);
  }

  void print(PrintStream out) {
    out.println(CanonicalJson.toText(build()));
    out.flush();
  }
}
