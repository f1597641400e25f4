package io.aerodb.core.query;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The explain document of a query: canonical JSON (sorted keys, one number format), a function of
 * the plan or the rejection only, so identical inputs give identical bytes [Q3]. Built without
 * reading a document. Layout (docs/FORMATS.md, Explain):
 *
 * <pre>
 * {"bound": {"documentsReadMax", "entriesExaminedMax", "resultsMax", "stopsAtLimit"},
 *  "collection", "index": {"createdIndex", "field"}, "limit", "order": "INDEX_ORDER" | "TOP_K",
 *  "predicates": [{"field", "op", "value"}, ...],        in evaluation order
 *  "readView", "scan": {"direction", "kind", "values" | "lower"/"upper": {"inclusive", "value"}},
 *  "schemaVersions": {"covered": [...], "rule"}, "sort": {"direction", "field", "implicit"}}
 * </pre>
 *
 * A rejected query: {@code {"collection", "readView", "rejected": {"code", "details", "invariant",
 * "message"}}}.
 */
public final class Explain {
  /** The schema-version coverage rule, stated in every plan (docs/adr/0004). */
  public static final String SCHEMA_RULE =
      "every version published at or below the read view; each document is matched and returned as"
          + " written, with its own schemaVersion";

  private Explain() {}

  public static byte[] of(Plan p) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("collection", str(p.collection()));
    m.put("readView", num(p.readView()));
    m.put("limit", num(p.limit()));

    TreeMap<String, JsonValue> index = new TreeMap<>(JsonValue.KEY_ORDER);
    index.put("field", str(p.indexField()));
    index.put("createdIndex", num(p.indexCreatedIndex()));
    m.put("index", new JsonValue.Obj(index));

    TreeMap<String, JsonValue> scan = new TreeMap<>(JsonValue.KEY_ORDER);
    scan.put("kind", str(p.scan().name()));
    scan.put("direction", str(p.descendingScan() ? "DESC" : "ASC"));
    if (p.scan().isPointScan()) {
      scan.put("values", new JsonValue.Arr(p.scanValues()));
    } else {
      scan.put("typeClass", str(IndexValueCodec.className(p.rangeTypeClass())));
      if (p.lower() != null) {
        scan.put("lower", bound(p.lower()));
      }
      if (p.upper() != null) {
        scan.put("upper", bound(p.upper()));
      }
    }
    m.put("scan", new JsonValue.Obj(scan));

    List<JsonValue> predicates = new ArrayList<>();
    for (Predicate pr : p.predicates()) {
      TreeMap<String, JsonValue> o = new TreeMap<>(JsonValue.KEY_ORDER);
      o.put("field", str(pr.field().text()));
      o.put("op", str(pr.op().keyword()));
      o.put("value", pr.op() == Operator.IN ? new JsonValue.Arr(pr.operands()) : pr.operand());
      predicates.add(new JsonValue.Obj(o));
    }
    m.put("predicates", new JsonValue.Arr(predicates));

    TreeMap<String, JsonValue> sort = new TreeMap<>(JsonValue.KEY_ORDER);
    sort.put("field", str(p.sort().field().text()));
    sort.put("direction", str(p.sort().direction()));
    sort.put("implicit", new JsonValue.Bool(p.sortImplicit()));
    m.put("sort", new JsonValue.Obj(sort));
    m.put("order", str(p.streams() ? "INDEX_ORDER" : "TOP_K"));

    TreeMap<String, JsonValue> bound = new TreeMap<>(JsonValue.KEY_ORDER);
    bound.put("entriesExaminedMax", num(p.entriesExaminedMax()));
    bound.put("documentsReadMax", num(p.documentsReadMax()));
    bound.put("resultsMax", num(p.limit()));
    bound.put("stopsAtLimit", new JsonValue.Bool(p.streams()));
    m.put("bound", new JsonValue.Obj(bound));

    TreeMap<String, JsonValue> schemas = new TreeMap<>(JsonValue.KEY_ORDER);
    List<JsonValue> versions = new ArrayList<>();
    for (int v : p.schemaVersions()) {
      versions.add(num(v));
    }
    schemas.put("covered", new JsonValue.Arr(versions));
    schemas.put("rule", str(SCHEMA_RULE));
    m.put("schemaVersions", new JsonValue.Obj(schemas));
    return CanonicalJson.toBytes(new JsonValue.Obj(m));
  }

  /** The explain document of a query refused before any read. */
  public static byte[] ofRejection(String collection, long readView, AeroError e) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("collection", str(collection));
    m.put("readView", num(readView));
    TreeMap<String, JsonValue> r = new TreeMap<>(JsonValue.KEY_ORDER);
    r.put("code", str(e.code().name()));
    r.put("invariant", str(e.invariant()));
    r.put("message", str(e.message()));
    TreeMap<String, JsonValue> details = new TreeMap<>(JsonValue.KEY_ORDER);
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      details.put(d.getKey(), str(d.getValue()));
    }
    r.put("details", new JsonValue.Obj(details));
    m.put("rejected", new JsonValue.Obj(r));
    return CanonicalJson.toBytes(new JsonValue.Obj(m));
  }

  private static JsonValue bound(Bound b) {
    TreeMap<String, JsonValue> o = new TreeMap<>(JsonValue.KEY_ORDER);
    o.put("value", b.value());
    o.put("inclusive", new JsonValue.Bool(b.inclusive()));
    return new JsonValue.Obj(o);
  }

  private static JsonValue str(String s) {
    return new JsonValue.Str(s);
  }

  private static JsonValue num(long v) {
    return new JsonValue.Int(v);
  }
}
