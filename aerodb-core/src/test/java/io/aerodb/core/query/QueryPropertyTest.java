package io.aerodb.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.Update;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.store.RocksKvStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property test of queries [Q1, Q2, T1, T2], as a seeded loop (no jqwik: see docs/adr/0001).
 *
 * <p>Each seed drives one replica through a random history: inserts, updates and deletes of
 * documents with fields whose types differ between schema versions (an int in one version, a string
 * or float in the next, an object in a third), schema publications, index creation (built for the
 * existing documents) and drops, and crashes — a power loss that drops a random suffix of the
 * unsynced store batches, then replay of the log after the recovered applied index — or reopens.
 * After each step it runs random queries at random read views, from the first entry to the latest,
 * and compares them with a brute-force evaluation over an independent model of the history (its own
 * value order: BigDecimal for numbers, code points for strings):
 *
 * <ul>
 *   <li>an accepted query returns exactly the model's results at that view: the visible version of
 *       every matching document, ordered by the sort value then _id (descending reverses both), cut
 *       at the limit — byte for byte, with the version index and schema version each was written
 *       with [T1, T2];
 *   <li>it was accepted only if every filtered and sorted field has an index usable at that view
 *       [Q2], and it examined no more entries than its plan's bound [Q1];
 *   <li>a refused query was refused for a reason the model confirms (the named field really is
 *       unindexed at the view, undeclared, not scalar, or of another type);
 *   <li>explain agrees with the query (same plan or same code) and reads nothing.
 * </ul>
 *
 * A failure names its seed and the command that replays it ({@code -Daerodb.seed=S}); {@code
 * -Daerodb.seeds=N} sweeps N more seeds ({@link TestSeeds}, docs/TESTING.md).
 */
class QueryPropertyTest {
  private static final long SEEDS = 60;
  private static final long[] MEMORY_SEEDS = LongStream.rangeClosed(1, SEEDS).toArray();
  private static final long[] ROCKS_SEEDS = {1001, 1002, 1003};
  private static final int STEPS = 220;
  private static final QueryLimits LIMITS = QueryLimits.DEFAULTS.withScanEntriesMax(1_000_000);

  private static final String[] IDS = {
    "a",
    "a\u0000",
    "a\u0000b",
    "ab",
    "b",
    "b1",
    "b2",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "k",
    "m",
    "\u00e9",
    "\ud83d\ude00",
    "z",
    "zz"
  };

  /** Top-level fields the generated schemas may declare (n is an object with x, or a scalar). */
  private static final String[] TOP = {"a", "b", "c", "f", "n", "t", "Z"};

  /** Paths queries and indexes use: declared ones, nested ones, an array and an unknown one. */
  private static final String[] PATHS = {"a", "b", "c", "f", "n", "n.x", "t", "Z", "_id", "q"};

  @TempDir Path dir;

  @Test
  void queriesEqualBruteForceOnTheMemoryStore(TestInfo test) {
    Stats total = new Stats();
    TestSeeds.forEach(test, MEMORY_SEEDS, seed -> runSeed(seed, null, total));
    // The generator must exercise the accepted path a lot, every scan kind and both orders.
    System.out.println(
        "accepted "
            + total.accepted
            + " nonEmpty "
            + total.nonEmpty
            + " crashes "
            + total.crashes
            + " kinds "
            + total.scanKinds);
    if (TestSeeds.replaying()) {
      return; // what the generator covers is a property of the fixed seeds together, not of one
    }
    assertThat(total.accepted).as("accepted queries").isGreaterThan(SEEDS * 20);
    assertThat(total.nonEmpty).as("queries with results").isGreaterThan(SEEDS * 8);
    assertThat(total.scanKinds).hasSize(ScanKind.values().length);
    assertThat(total.orders).containsExactlyInAnyOrder(true, false);
    assertThat(total.crashes).isPositive();
  }

  @Test
  void queriesEqualBruteForceOnRocksDb(TestInfo test) {
    Stats total = new Stats();
    TestSeeds.forEach(test, ROCKS_SEEDS, seed -> runSeed(seed, dir.resolve("s" + seed), total));
    if (!TestSeeds.replaying()) {
      assertThat(total.accepted).isGreaterThan(30);
    }
  }

  // ------------------------------------------------------------------------------------ driver

  static final class Stats {
    long accepted;
    long nonEmpty;
    long crashes;
    final TreeSet<ScanKind> scanKinds = new TreeSet<>();
    final TreeSet<Boolean> orders = new TreeSet<>();
  }

  private record Entry(long index, Command command, CommandResult result) {}

  private void runSeed(long seed, Path rocksDir, Stats stats) {
    Random r = new Random(seed);
    Model model = new Model();
    KvStore store = rocksDir == null ? new MemoryKvStore() : RocksKvStore.open(rocksDir);
    Engine engine = Engine.open(store);
    List<Entry> log = new ArrayList<>();
    try {
      long index = 0;
      Map<String, String> first = randomSchema(r);
      apply(engine, log, model, ++index, createCollection(first), seed);
      for (int step = 0; step < STEPS; step++) {
        int pick = r.nextInt(100);
        Command c;
        if (pick < 36) {
          c = new Insert("users", utf8(randomDocument(r, model)));
        } else if (pick < 56) {
          c = new Update("users", utf8(randomDocument(r, model)));
        } else if (pick < 66) {
          c = new Delete("users", IDS[r.nextInt(IDS.length)]);
        } else if (pick < 71) {
          c = new PublishSchema("users", utf8(schemaJson(randomSchema(r))));
        } else if (pick < 81) {
          c = new CreateIndex("users", PATHS[r.nextInt(PATHS.length)]);
        } else if (pick < 85) {
          c = new DropIndex("users", PATHS[r.nextInt(PATHS.length)]);
        } else if (pick < 87) {
          if (rocksDir == null) {
            engine = crashAndReplay(engine, log, r, seed);
          } else {
            engine.close();
            engine = Engine.open(RocksKvStore.open(rocksDir));
          }
          stats.crashes++;
          continue;
        } else {
          c = null;
        }
        if (c != null) {
          index += 1 + (r.nextInt(6) == 0 ? 1 : 0); // gaps, as Ratis' own entries leave
          apply(engine, log, model, index, c, seed);
        }
        for (int q = 0; q < 3; q++) {
          checkQuery(engine, model, r, seed, stats);
        }
      }
    } finally {
      engine.close();
    }
  }

  private static Command createCollection(Map<String, String> schema) {
    return new CreateCollection("users", utf8(schemaJson(schema)));
  }

  /** Applies through the engine and checks the outcome the model predicts. */
  private static void apply(
      Engine engine, List<Entry> log, Model model, long index, Command c, long seed) {
    CommandResult result = engine.apply(1, index, new byte[0], c);
    log.add(new Entry(index, c, result));
    ErrorCode expected = model.apply(index, c);
    assertThat(result.rejection() == null ? null : result.rejection().code())
        .as("seed %d, index %d: %s -> %s", seed, index, c, result.rejection())
        .isEqualTo(expected);
  }

  /** A power loss drops a random suffix of unsynced batches; the log after the store replays. */
  private static Engine crashAndReplay(Engine engine, List<Entry> log, Random r, long seed) {
    MemoryKvStore store = engine.withStore(s -> (MemoryKvStore) s);
    if (r.nextBoolean()) {
      engine.syncDurable();
    }
    MemoryKvStore restarted = store.crash(r.nextInt(store.unsyncedBatches() + 1));
    Engine reopened = Engine.open(restarted);
    for (Entry e : log) {
      if (e.index() > reopened.applied().index()) {
        CommandResult again = reopened.apply(1, e.index(), new byte[0], e.command());
        assertThat(again).as("seed %d: replay of %d", seed, e.index()).isEqualTo(e.result());
      }
    }
    return reopened;
  }

  // ----------------------------------------------------------------------------- query checks

  private static void checkQuery(Engine engine, Model model, Random r, long seed, Stats stats) {
    long view = 1 + (long) r.nextInt((int) engine.applied().index());
    if (r.nextInt(3) == 0) {
      view = engine.applied().index();
    }
    TreeMap<String, JsonValue> filter = new TreeMap<>(JsonValue.KEY_ORDER);
    int fields = 1 + r.nextInt(r.nextInt(4) == 0 ? 3 : 2);
    for (int i = 0; i < fields; i++) {
      String path = r.nextInt(5) == 0 ? "_id" : model.likelyPath(r, view);
      filter.put(path, randomCondition(r, path));
    }
    String sortField = "";
    int s = r.nextInt(5);
    if (s == 1) {
      sortField = "_id";
    } else if (s >= 2) {
      sortField = r.nextBoolean() ? filter.firstKey() : model.likelyPath(r, view);
    }
    boolean descending = r.nextBoolean() && (!sortField.isEmpty() || r.nextBoolean());
    long limit = 1 + r.nextInt(r.nextBoolean() ? 3 : 12);
    byte[] filterJson = CanonicalJson.toBytes(new JsonValue.Obj(filter));
    QueryRequest request = new QueryRequest("users", filterJson, sortField, descending, limit);
    String what =
        "seed "
            + seed
            + " view "
            + view
            + " filter "
            + new String(filterJson, StandardCharsets.UTF_8)
            + " sort "
            + (descending ? "-" : "")
            + sortField
            + " limit "
            + limit;

    QueryResult result = engine.query(request, view, LIMITS);
    String explain = new String(engine.explain(request, view, LIMITS), StandardCharsets.UTF_8);
    if (result.rejection() != null) {
      AeroError e = result.rejection();
      assertThat(explain).as(what).contains("\"code\":\"" + e.code().name() + "\"");
      assertThat(model.justifies(e, request, view)).as(what + " refused: " + e).isTrue();
      return;
    }
    stats.accepted++;
    stats.scanKinds.add(result.plan().scan());
    stats.orders.add(result.plan().streams());
    assertThat(explain).as(what).doesNotContain("\"rejected\"");
    assertThat(explain).isEqualTo(new String(Explain.of(result.plan()), StandardCharsets.UTF_8));
    assertThat(model.allIndexed(filter.keySet(), sortField, view)).as(what + " [Q2]").isTrue();
    assertThat(result.entriesExamined()).isLessThanOrEqualTo(result.plan().entriesExaminedMax());
    assertThat(result.viewIndex()).isEqualTo(view);

    List<String> expected = model.bruteForce(filter, sortField, descending, limit, view);
    List<String> actual = new ArrayList<>();
    for (QueryHit h : result.hits()) {
      actual.add(
          h.id()
              + "@"
              + h.version().index()
              + "/v"
              + h.version().schemaVersion()
              + " "
              + h.version().jsonText());
    }
    assertThat(actual).as(what + "\n  plan " + explain).isEqualTo(expected);
    if (!actual.isEmpty()) {
      stats.nonEmpty++;
    }
  }

  private static JsonValue randomCondition(Random r, String path) {
    int kind = r.nextInt(10);
    if (kind < 3) {
      return randomOperand(r, path); // bare value: eq
    }
    TreeMap<String, JsonValue> ops = new TreeMap<>(JsonValue.KEY_ORDER);
    if (kind < 4) {
      ops.put("eq", randomOperand(r, path));
    } else if (kind < 6) {
      List<JsonValue> values = new ArrayList<>();
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        values.add(randomOperand(r, path));
      }
      ops.put("in", new JsonValue.Arr(values));
    } else {
      JsonValue lo = randomOperand(r, path);
      JsonValue hi = sameClassOperand(r, lo);
      if (r.nextInt(4) != 0) {
        ops.put(r.nextBoolean() ? "gt" : "gte", lo);
      }
      if (r.nextInt(4) != 0 || ops.isEmpty()) {
        ops.put(r.nextBoolean() ? "lt" : "lte", hi);
      }
    }
    return new JsonValue.Obj(ops);
  }

  private static JsonValue randomOperand(Random r, String path) {
    if (path.equals("_id") && r.nextInt(6) != 0) {
      return new JsonValue.Str(IDS[r.nextInt(IDS.length)]);
    }
    return randomScalar(r, new String[] {"string", "int", "float", "bool"}[r.nextInt(4)]);
  }

  private static JsonValue sameClassOperand(Random r, JsonValue like) {
    if (like instanceof JsonValue.Str) {
      return randomScalar(r, "string");
    }
    if (like instanceof JsonValue.Bool) {
      return randomScalar(r, "bool");
    }
    return randomScalar(r, r.nextBoolean() ? "int" : "float");
  }

  // ------------------------------------------------------------------------------- generation

  /** A schema as path -> kind ("n" may be an object with "n.x"). All fields but _id optional. */
  private static Map<String, String> randomSchema(Random r) {
    TreeMap<String, String> s = new TreeMap<>();
    String[] scalars = {"string", "int", "float", "bool"};
    for (String f : TOP) {
      if (r.nextInt(5) == 0) {
        continue;
      }
      if (f.equals("t")) {
        s.put("t", r.nextBoolean() ? "array" : scalars[r.nextInt(4)]);
      } else if (f.equals("n") && r.nextInt(3) != 0) {
        s.put("n", "object");
        s.put("n.x", scalars[r.nextInt(4)]);
      } else {
        s.put(f, scalars[r.nextInt(4)]);
      }
    }
    return s;
  }

  private static String schemaJson(Map<String, String> schema) {
    StringBuilder sb =
        new StringBuilder("{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true}");
    for (Map.Entry<String, String> e : schema.entrySet()) {
      if (e.getKey().contains(".")) {
        continue;
      }
      sb.append(",\"").append(e.getKey()).append("\":");
      switch (e.getValue()) {
        case "object" ->
            sb.append(
                "{\"type\":\"object\",\"required\":false,\"fields\":{\"x\":{\"type\":\""
                    + schema.get("n.x")
                    + "\",\"required\":false}}}");
        case "array" ->
            sb.append("{\"type\":\"array\",\"required\":false,\"element\":{\"type\":\"string\"}}");
        default -> sb.append("{\"type\":\"" + e.getValue() + "\",\"required\":false}");
      }
    }
    return sb.append("}}").toString();
  }

  private static String randomDocument(Random r, Model model) {
    Map<String, String> schema = model.schemas.get(model.schemas.size() - 1).fields();
    TreeMap<String, JsonValue> doc = new TreeMap<>(JsonValue.KEY_ORDER);
    doc.put("_id", new JsonValue.Str(IDS[r.nextInt(IDS.length)]));
    for (Map.Entry<String, String> e : schema.entrySet()) {
      String f = e.getKey();
      if (f.contains(".") || r.nextInt(10) < 3) {
        continue;
      }
      switch (e.getValue()) {
        case "object" -> {
          TreeMap<String, JsonValue> n = new TreeMap<>(JsonValue.KEY_ORDER);
          if (r.nextInt(5) != 0) {
            n.put("x", randomScalar(r, schema.get("n.x")));
          }
          doc.put(f, new JsonValue.Obj(n));
        }
        case "array" -> doc.put(f, new JsonValue.Arr(List.of(new JsonValue.Str("x"))));
        default -> doc.put(f, randomScalar(r, e.getValue()));
      }
    }
    return CanonicalJson.toText(new JsonValue.Obj(doc));
  }

  /** Small domains, so values collide across documents, types and versions. */
  private static JsonValue randomScalar(Random r, String kind) {
    switch (kind) {
      case "string":
        return new JsonValue.Str(
            new String[] {"", "a", "ab", "b", "\u00e9", "a\u0000", "3"}[r.nextInt(7)]);
      case "int":
        return new JsonValue.Int(
            r.nextInt(12) == 0 ? (1L << 53) + r.nextInt(3) : (long) (r.nextInt(7) - 3));
      case "float":
        if (r.nextInt(4) == 0) {
          return new JsonValue.Int(r.nextInt(7) - 3); // an int literal is valid for float
        }
        return new JsonValue.Flt(
            new double[] {-1.5, -0.0, 0.0, 0.5, 1.0, 2.5, 3.0, 9007199254740992.0}[r.nextInt(8)]);
      case "bool":
        return new JsonValue.Bool(r.nextBoolean());
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------------ model

  private record SchemaV(int version, long index, Map<String, String> fields) {}

  private record IndexDef(String field, long created, long dropped) {
    boolean usableAt(long view) {
      return created <= view && (dropped == 0 || dropped > view);
    }
  }

  private record Version(long index, int schemaVersion, JsonValue.Obj doc, String json) {}

  /** The reference: every version of every document, every schema version and index definition. */
  private static final class Model {
    final List<SchemaV> schemas = new ArrayList<>();
    final List<IndexDef> indexes = new ArrayList<>();
    final TreeMap<String, List<Version>> docs = new TreeMap<>(); // versions oldest first

    /** Applies a command the way the SPEC says; returns the rejection code expected, or null. */
    ErrorCode apply(long index, Command c) {
      if (c instanceof CreateCollection cc) {
        schemas.add(new SchemaV(1, index, parseSchema(cc.schemaJson())));
        return null;
      }
      if (c instanceof Insert || c instanceof Update) {
        boolean insert = c instanceof Insert;
        byte[] json = insert ? ((Insert) c).documentJson() : ((Update) c).documentJson();
        JsonValue.Obj doc =
            (JsonValue.Obj) JsonReader.parse(json, io.aerodb.core.limits.Limits.DOCUMENT_JSON);
        String id = ((JsonValue.Str) doc.get("_id")).value();
        boolean live = visible(id, Long.MAX_VALUE) != null;
        if (insert && live) {
          return ErrorCode.AERO_DOCUMENT_EXISTS;
        }
        if (!insert && !live) {
          return ErrorCode.AERO_DOCUMENT_NOT_FOUND;
        }
        docs.computeIfAbsent(id, k -> new ArrayList<>())
            .add(new Version(index, schemas.size(), doc, CanonicalJson.toText(doc)));
        return null;
      }
      if (c instanceof Delete d) {
        if (visible(d.id(), Long.MAX_VALUE) != null) {
          docs.get(d.id()).add(new Version(index, 0, null, null));
        }
        return null;
      }
      if (c instanceof PublishSchema p) {
        Map<String, String> fields = parseSchema(p.schemaJson());
        if (fields.equals(schemas.get(schemas.size() - 1).fields())) {
          return ErrorCode.AERO_SCHEMA_UNCHANGED;
        }
        schemas.add(new SchemaV(schemas.size() + 1, index, fields));
        return null;
      }
      if (c instanceof CreateIndex ci) {
        if (ci.field().equals("_id") || live(ci.field()) != null) {
          return ErrorCode.AERO_INDEX_EXISTS;
        }
        boolean scalar = false;
        for (SchemaV v : schemas) {
          String k = v.fields().get(ci.field());
          scalar |= k != null && !k.equals("object") && !k.equals("array");
        }
        if (!scalar) {
          return ErrorCode.AERO_INDEX_FIELD_INVALID;
        }
        indexes.add(new IndexDef(ci.field(), index, 0));
        return null;
      }
      if (c instanceof DropIndex di) {
        if (di.field().equals("_id")) {
          return ErrorCode.AERO_INDEX_NOT_FOUND;
        }
        IndexDef d = live(di.field());
        if (d == null) {
          return ErrorCode.AERO_INDEX_NOT_FOUND;
        }
        indexes.set(indexes.indexOf(d), new IndexDef(d.field(), d.created(), index));
        return null;
      }
      throw new IllegalArgumentException(String.valueOf(c));
    }

    private IndexDef live(String field) {
      for (IndexDef d : indexes) {
        if (d.field().equals(field) && d.dropped() == 0) {
          return d;
        }
      }
      return null;
    }

    private static Map<String, String> parseSchema(byte[] json) {
      TreeMap<String, String> out = new TreeMap<>();
      JsonValue.Obj fields =
          (JsonValue.Obj)
              ((JsonValue.Obj) JsonReader.parse(json, io.aerodb.core.limits.Limits.SCHEMA_JSON))
                  .get("fields");
      for (Map.Entry<String, JsonValue> e : fields.fields().entrySet()) {
        if (e.getKey().equals("_id")) {
          continue;
        }
        JsonValue.Obj def = (JsonValue.Obj) e.getValue();
        String type = ((JsonValue.Str) def.get("type")).value();
        out.put(e.getKey(), type);
        if (type.equals("object")) {
          JsonValue.Obj x = (JsonValue.Obj) ((JsonValue.Obj) def.get("fields")).get("x");
          out.put(e.getKey() + ".x", ((JsonValue.Str) x.get("type")).value());
        }
      }
      return out;
    }

    /** The newest version at or below the view, unless it is a tombstone. */
    Version visible(String id, long view) {
      Version best = null;
      for (Version v : docs.getOrDefault(id, List.of())) {
        if (v.index() <= view) {
          best = v;
        }
      }
      return best == null || best.doc() == null ? null : best;
    }

    String likelyPath(Random r, long view) {
      List<String> indexed = new ArrayList<>();
      for (IndexDef d : indexes) {
        if (d.usableAt(view)) {
          indexed.add(d.field());
        }
      }
      if (!indexed.isEmpty() && r.nextInt(6) != 0) {
        return indexed.get(r.nextInt(indexed.size()));
      }
      return PATHS[r.nextInt(PATHS.length)];
    }

    boolean indexedAt(String field, long view) {
      if (field.equals("_id")) {
        return true;
      }
      for (IndexDef d : indexes) {
        if (d.field().equals(field) && d.usableAt(view)) {
          return true;
        }
      }
      return false;
    }

    boolean allIndexed(Iterable<String> fields, String sortField, long view) {
      for (String f : fields) {
        if (!indexedAt(f, view)) {
          return false;
        }
      }
      return sortField.isEmpty() || indexedAt(sortField, view);
    }

    /** The kinds a path has in the versions published at or below the view. */
    List<String> kinds(String path, long view) {
      List<String> out = new ArrayList<>();
      for (SchemaV v : schemas) {
        if (v.index() <= view) {
          String k = path.equals("_id") ? "string" : v.fields().get(path);
          if (k != null) {
            out.add(k);
          }
        }
      }
      return out;
    }

    /** Whether the model confirms the reason of a refusal. */
    boolean justifies(AeroError e, QueryRequest request, long view) {
      String field = e.details().get("field");
      switch (e.code()) {
        case AERO_QUERY_UNINDEXED_FIELD:
        case AERO_QUERY_SORT_NOT_INDEXED:
          return !indexedAt(field, view) && !kinds(field, view).isEmpty();
        case AERO_QUERY_FIELD_UNKNOWN:
          return kinds(field, view).isEmpty();
        case AERO_QUERY_FIELD_NOT_SCALAR:
          return !kinds(field, view).isEmpty()
              && kinds(field, view).stream().allMatch(k -> k.equals("object") || k.equals("array"));
        case AERO_QUERY_VALUE_TYPE_MISMATCH:
          if (!e.details().containsKey("schemaVersions")) {
            return true; // the parser's check: bounds of one field mixing classes (no model needed)
          }
          String actual = e.details().get("actual");
          return kinds(field, view).stream().noneMatch(k -> className(k).equals(actual));
        default:
          return false;
      }
    }

    /** Every visible document matching every condition, in result order, cut at the limit. */
    List<String> bruteForce(
        TreeMap<String, JsonValue> filter,
        String sortField,
        boolean descending,
        long limit,
        long view) {
      List<String[]> matches = new ArrayList<>(); // [id, line]
      List<Version> versions = new ArrayList<>();
      for (String id : docs.keySet()) {
        Version v = visible(id, view);
        if (v != null && matchesAll(v.doc(), filter)) {
          versions.add(v);
          matches.add(
              new String[] {id, id + "@" + v.index() + "/v" + v.schemaVersion() + " " + v.json()});
        }
      }
      String sortPath = sortField.isEmpty() ? "_id" : sortField;
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < matches.size(); i++) {
        order.add(i);
      }
      Comparator<Integer> byValue =
          (x, y) -> {
            int c =
                compareForSort(
                    extract(versions.get(x).doc(), sortPath),
                    extract(versions.get(y).doc(), sortPath));
            return c != 0 ? c : JsonValue.compareCodePoints(matches.get(x)[0], matches.get(y)[0]);
          };
      order.sort(descending ? byValue.reversed() : byValue);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < order.size() && i < limit; i++) {
        out.add(matches.get(order.get(i))[1]);
      }
      return out;
    }

    private static boolean matchesAll(JsonValue.Obj doc, TreeMap<String, JsonValue> filter) {
      for (Map.Entry<String, JsonValue> f : filter.entrySet()) {
        JsonValue v = extract(doc, f.getKey());
        if (!(f.getValue() instanceof JsonValue.Obj ops)) {
          if (!holds(v, "eq", f.getValue())) {
            return false;
          }
          continue;
        }
        for (Map.Entry<String, JsonValue> op : ops.fields().entrySet()) {
          if (op.getKey().equals("in")) {
            boolean any = false;
            for (JsonValue x : ((JsonValue.Arr) op.getValue()).elements()) {
              any |= holds(v, "eq", x);
            }
            if (!any) {
              return false;
            }
          } else if (!holds(v, op.getKey(), op.getValue())) {
            return false;
          }
        }
      }
      return true;
    }

    private static boolean holds(JsonValue v, String op, JsonValue operand) {
      int cv = classOf(v);
      if (cv == 0 || cv != classOf(operand)) {
        return false; // missing, not a scalar, or another type: never matches
      }
      int c = compareSameClass(v, operand);
      switch (op) {
        case "eq":
          return c == 0;
        case "gt":
          return c > 0;
        case "gte":
          return c >= 0;
        case "lt":
          return c < 0;
        case "lte":
          return c <= 0;
        default:
          throw new IllegalArgumentException(op);
      }
    }

    /** Missing (or non-scalar) first, then bool, number, string; within a class by value. */
    private static int compareForSort(JsonValue a, JsonValue b) {
      int ca = classOf(a);
      int cb = classOf(b);
      if (ca != cb || ca == 0) {
        return Integer.compare(ca, cb);
      }
      return compareSameClass(a, b);
    }

    private static int classOf(JsonValue v) {
      if (v instanceof JsonValue.Bool) {
        return 1;
      }
      if (v instanceof JsonValue.Int || v instanceof JsonValue.Flt) {
        return 2;
      }
      if (v instanceof JsonValue.Str) {
        return 3;
      }
      return 0;
    }

    private static int compareSameClass(JsonValue a, JsonValue b) {
      if (a instanceof JsonValue.Bool x) {
        return Boolean.compare(x.value(), ((JsonValue.Bool) b).value());
      }
      if (a instanceof JsonValue.Str x) {
        return JsonValue.compareCodePoints(x.value(), ((JsonValue.Str) b).value());
      }
      return exact(a).compareTo(exact(b));
    }

    private static BigDecimal exact(JsonValue v) {
      return v instanceof JsonValue.Int i
          ? BigDecimal.valueOf(i.value())
          : new BigDecimal(((JsonValue.Flt) v).value());
    }

    private static JsonValue extract(JsonValue.Obj doc, String path) {
      JsonValue cur = doc;
      for (String s : path.split("\\.")) {
        if (!(cur instanceof JsonValue.Obj o) || o.get(s) == null) {
          return null;
        }
        cur = o.get(s);
      }
      return cur;
    }

    private static String className(String kind) {
      switch (kind) {
        case "int":
        case "float":
          return "number";
        case "string":
        case "bool":
          return kind;
        default:
          return "-";
      }
    }
  }
}
