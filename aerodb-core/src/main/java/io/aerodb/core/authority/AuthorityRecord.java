package io.aerodb.core.authority;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of the replicated authority history [P6-D2]: who became leader and why, the transfers
 * that were started and how they ended, membership changes, unsafe recoveries. Written by the log
 * entry at {@code index} (term {@code term}), so the history of authority is part of the replicated
 * log and identical on every node.
 *
 * @param index the log index of the entry that carried the record
 * @param term the term of that entry
 * @param kind one of {@link AuthorityHistory#KINDS}
 * @param fields the kind's fields, sorted by name
 */
public record AuthorityRecord(
    long index, long term, String kind, SortedMap<String, String> fields) {

  public AuthorityRecord {
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  public String field(String name) {
    return fields.getOrDefault(name, "");
  }

  /** Canonical JSON: {"fields":{...},"index":n,"kind":"...","term":t}. */
  public JsonValue.Obj toJson() {
    TreeMap<String, JsonValue> f = new TreeMap<>(JsonValue.KEY_ORDER);
    fields.forEach((k, v) -> f.put(k, new JsonValue.Str(v)));
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("fields", new JsonValue.Obj(f));
    m.put("index", new JsonValue.Int(index));
    m.put("kind", new JsonValue.Str(kind));
    m.put("term", new JsonValue.Int(term));
    return new JsonValue.Obj(m);
  }

  public byte[] canonicalJson() {
    return CanonicalJson.toBytes(toJson());
  }
}
