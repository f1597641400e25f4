package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.query.QueryHit;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.core.query.QueryResult;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.store.RocksKvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replicated catalog commands on both stores: schema publication (a new immutable version;
 * documents keep theirs [S1, S4]), index creation (built for the existing documents inside the
 * creating entry's batch, identically on every replica [Q2]) and drop (older views keep using the
 * index), their deterministic rejections (the same on the leader's prepare and in apply), recovery
 * of the catalog from the store, and the executor's bounds: stale entries cost a lookup and never a
 * wrong result [T2], and a scan that would pass scanEntriesMax is refused [Q1].
 */
class IndexAndSchemaCommandsTest {
  private static final byte[] NONE = new byte[0];
  static final String SCHEMA_V1 =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"city\":{\"type\":\"string\",\"required\":false},"
          + "\"age\":{\"type\":\"int\",\"required\":false},"
          + "\"tags\":{\"type\":\"array\",\"required\":false,\"element\":{\"type\":\"string\"}},"
          + "\"address\":{\"type\":\"object\",\"required\":false,"
          + "\"fields\":{\"zip\":{\"type\":\"int\",\"required\":true}}}}}";
  static final String SCHEMA_V2 =
      SCHEMA_V1.replace("\"age\":{\"type\":\"int\"", "\"age\":{\"type\":\"string\"");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void anIndexIsBuiltForExistingDocumentsAndUsableFromItsCreatingEntryOn(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      long i = 0;
      ok(e, ++i, new CreateCollection("users", utf8(SCHEMA_V1)));
      for (int d = 0; d < 6; d++) {
        ok(e, ++i, insert("u" + d, d % 2 == 0 ? "Oslo" : "Rome", 30 + d));
      }
      ok(e, ++i, new Delete("users", "u2"));
      long before = i;
      CommandResult created = ok(e, ++i, new CreateIndex("users", "city"));
      assertThat(created.commitIndex()).isEqualTo(i);
      ok(e, ++i, insert("u9", "Oslo", 50));

      assertThat(query(e, "{\"city\":\"Oslo\"}", "", 10, before).rejection().code())
          .isEqualTo(ErrorCode.AERO_QUERY_UNINDEXED_FIELD);
      assertThat(ids(query(e, "{\"city\":\"Oslo\"}", "", 10, created.commitIndex())))
          .containsExactly("u0", "u4");
      assertThat(ids(query(e, "{\"city\":\"Oslo\"}", "", 10, i))).containsExactly("u0", "u4", "u9");
      assertThat(ids(query(e, "{\"city\":\"Oslo\"}", "", 10, i - 1))).containsExactly("u0", "u4");
    }
  }

  @Test
  void replicasApplyingTheSameEntriesWriteTheSameIndexEntries() {
    List<Command> log = new ArrayList<>();
    log.add(new CreateCollection("users", utf8(SCHEMA_V1)));
    for (int d = 0; d < 20; d++) {
      log.add(insert("u" + (d % 7), "c" + (d % 3), d));
    }
    log.add(new CreateIndex("users", "age"));
    log.add(new CreateIndex("users", "city"));
    log.add(insert("x1", "c1", 3));
    log.add(new DropIndex("users", "age"));
    log.add(new PublishSchema("users", utf8(SCHEMA_V2)));
    log.add(new Insert("users", utf8("{\"_id\":\"x2\",\"age\":\"old\",\"city\":\"c2\"}")));
    log.add(new CreateIndex("users", "age"));
    try (Engine a = Engine.open(new MemoryKvStore());
        Engine b = Engine.open(RocksKvStore.open(dir.resolve("b")))) {
      long i = 0;
      for (Command c : log) {
        i++;
        assertThat(b.apply(1, i, NONE, c)).isEqualTo(a.apply(1, i, NONE, c));
        assertThat(b.applied().digestHex())
            .as("digest at %d", i)
            .isEqualTo(a.applied().digestHex());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void schemaVersionsAreImmutableAndDocumentsKeepTheVersionTheyWereWrittenUnder(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      ok(e, 1, new CreateCollection("users", utf8(SCHEMA_V1)));
      ok(e, 2, insert("old", "Oslo", 40));
      CommandResult published = ok(e, 3, new PublishSchema("users", utf8(SCHEMA_V2)));
      assertThat(published.schemaVersion()).isEqualTo(2);
      assertThat(e.catalog().collection("users").orElseThrow().version(1).createdIndex())
          .isEqualTo(1);

      // New writes validate against version 2 only; the stored document keeps version 1 [S4].
      assertThat(reject(e, 4, insert("new", "Oslo", 41)))
          .isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
      CommandResult v2 = ok(e, 5, new Insert("users", utf8("{\"_id\":\"new\",\"age\":\"41\"}")));
      assertThat(v2.schemaVersion()).isEqualTo(2);
      assertThat(e.get("users", "old", 5).version().orElseThrow().schemaVersion()).isEqualTo(1);
      assertThat(e.get("users", "new", 5).version().orElseThrow().schemaVersion()).isEqualTo(2);

      ok(e, 6, new CreateIndex("users", "age"));
      // A query covers both versions: each document matches with its own type, returned as written.
      QueryResult r = query(e, "{\"age\":{\"in\":[40,\"41\"]}}", "", 10, 6);
      assertThat(r.hits()).extracting(h -> h.version().schemaVersion()).containsExactly(2, 1);
      assertThat(r.hits())
          .extracting(h -> h.version().jsonText())
          .containsExactly(
              "{\"_id\":\"new\",\"age\":\"41\"}", "{\"_id\":\"old\",\"age\":40,\"city\":\"Oslo\"}");
      // At view 2 only version 1 is covered: a string operand fits no covered version.
      assertThat(
              query(e, "{\"_id\":{\"in\":[\"old\"]},\"age\":\"41\"}", "", 10, 2).rejection().code())
          .isEqualTo(ErrorCode.AERO_QUERY_VALUE_TYPE_MISMATCH);

      assertThat(reject(e, 7, new PublishSchema("users", utf8(SCHEMA_V2))))
          .isEqualTo(ErrorCode.AERO_SCHEMA_UNCHANGED);
      assertThat(reject(e, 8, new PublishSchema("users", utf8("{\"fields\":{}}"))))
          .isEqualTo(ErrorCode.AERO_SCHEMA_INVALID);
      assertThat(reject(e, 9, new PublishSchema("nope", utf8(SCHEMA_V1))))
          .isEqualTo(ErrorCode.AERO_COLLECTION_NOT_FOUND);
      assertThat(e.catalog().collection("users").orElseThrow().schemas()).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void indexCommandsAreRefusedWithTheSameCodeByPrepareAndApply(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      ok(e, 1, new CreateCollection("users", utf8(SCHEMA_V1)));
      ok(e, 2, new CreateIndex("users", "address.zip"));
      long i = 2;
      Object[][] cases = {
        {new CreateIndex("users", "_id"), ErrorCode.AERO_INDEX_EXISTS},
        {new CreateIndex("users", "address.zip"), ErrorCode.AERO_INDEX_EXISTS},
        {new CreateIndex("users", "height"), ErrorCode.AERO_INDEX_FIELD_INVALID},
        {new CreateIndex("users", "tags"), ErrorCode.AERO_INDEX_FIELD_INVALID},
        {new CreateIndex("users", "address"), ErrorCode.AERO_INDEX_FIELD_INVALID},
        {new CreateIndex("users", "a..b"), ErrorCode.AERO_INDEX_FIELD_INVALID},
        {new CreateIndex("users", ""), ErrorCode.AERO_INDEX_FIELD_INVALID},
        {new CreateIndex("nope", "age"), ErrorCode.AERO_COLLECTION_NOT_FOUND},
        {new CreateIndex("Bad-Name", "age"), ErrorCode.AERO_COLLECTION_NAME_INVALID},
        {new DropIndex("users", "age"), ErrorCode.AERO_INDEX_NOT_FOUND},
        {new DropIndex("users", "_id"), ErrorCode.AERO_INDEX_NOT_FOUND},
        {new DropIndex("nope", "age"), ErrorCode.AERO_COLLECTION_NOT_FOUND},
      };
      for (Object[] c : cases) {
        Command command = (Command) c[0];
        assertThatThrownBy(() -> e.prepare(NONE, command))
            .as("prepare %s", command)
            .isInstanceOfSatisfying(AeroException.class, x -> assertThat(x.code()).isEqualTo(c[1]));
        assertThat(reject(e, ++i, command)).as("apply %s", command).isEqualTo(c[1]);
      }
      ok(e, ++i, new DropIndex("users", "address.zip"));
      assertThat(reject(e, ++i, new DropIndex("users", "address.zip")))
          .isEqualTo(ErrorCode.AERO_INDEX_NOT_FOUND);
      assertThat(e.catalog().collection("users").orElseThrow().indexes()).hasSize(1);
    }
  }

  @Test
  void aCollectionHasAtMostIndexesMaxLiveIndexes() {
    StringBuilder schema =
        new StringBuilder("{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true}");
    for (int f = 0; f <= io.aerodb.core.limits.Limits.INDEXES_MAX; f++) {
      schema.append(",\"f").append(f).append("\":{\"type\":\"int\",\"required\":false}");
    }
    try (Engine e = Engine.open(new MemoryKvStore())) {
      ok(e, 1, new CreateCollection("wide", utf8(schema + "}}")));
      long i = 1;
      for (int f = 0; f < io.aerodb.core.limits.Limits.INDEXES_MAX; f++) {
        ok(e, ++i, new CreateIndex("wide", "f" + f));
      }
      CommandResult r = e.apply(1, ++i, NONE, new CreateIndex("wide", "f64"));
      assertThat(r.rejection().code()).isEqualTo(ErrorCode.AERO_LIMIT_INDEX_COUNT);
      assertThat(r.rejection().details())
          .containsEntry("limit", "indexesMax")
          .containsEntry("limitValue", "64");
    }
  }

  @Test
  void theCatalogAndTheIndexesSurviveARestart() {
    Path storeDir = dir.resolve("store");
    String before;
    try (Engine e = Engine.open(RocksKvStore.open(storeDir))) {
      ok(e, 1, new CreateCollection("users", utf8(SCHEMA_V1)));
      ok(e, 2, insert("u1", "Oslo", 30));
      ok(e, 3, new CreateIndex("users", "age"));
      ok(e, 4, new CreateIndex("users", "city"));
      ok(e, 5, new DropIndex("users", "age"));
      ok(e, 6, new PublishSchema("users", utf8(SCHEMA_V2)));
      before = text(e.explain(request("{\"age\":30}", "", 5), 4, QueryLimits.DEFAULTS));
    }
    try (Engine e = Engine.open(RocksKvStore.open(storeDir))) {
      var info = e.catalog().collection("users").orElseThrow();
      assertThat(info.schemas()).hasSize(2);
      assertThat(info.indexes()).hasSize(2);
      assertThat(info.liveIndexes()).containsOnlyKeys("city");
      // The dropped index still serves the views below its drop; explain is byte-identical.
      assertThat(text(e.explain(request("{\"age\":30}", "", 5), 4, QueryLimits.DEFAULTS)))
          .isEqualTo(before)
          .contains("\"kind\":\"INDEX_EQ\"");
      assertThat(ids(query(e, "{\"age\":30}", "", 5, 4))).containsExactly("u1");
      assertThat(query(e, "{\"age\":30}", "", 5, 6).rejection().code())
          .isEqualTo(ErrorCode.AERO_QUERY_UNINDEXED_FIELD);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void staleEntriesCostALookupAndNeverAWrongOrDuplicatedResult(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      ok(e, 1, new CreateCollection("users", utf8(SCHEMA_V1)));
      ok(e, 2, new CreateIndex("users", "age"));
      long i = 2;
      for (int age = 30; age < 40; age++) {
        ok(e, ++i, update(i == 3, "u1", "Oslo", age)); // ten versions, ten entries
      }
      QueryResult r = query(e, "{\"age\":{\"gte\":30,\"lt\":40}}", "-age", 1, i);
      assertThat(ids(r)).containsExactly("u1");
      assertThat(r.hits().get(0).version().jsonText()).contains("\"age\":39");
      assertThat(r.entriesExamined()).isEqualTo(1); // descending, limit 1: the live entry is first
      QueryResult asc = query(e, "{\"age\":{\"gte\":30,\"lt\":40}}", "age", 10, i);
      assertThat(ids(asc)).containsExactly("u1");
      assertThat(asc.entriesExamined()).isEqualTo(10);
      assertThat(asc.documentsRead()).isEqualTo(1); // consecutive entries of one document: one read
      // At an older view the older version is the visible one.
      assertThat(query(e, "{\"age\":{\"gte\":30}}", "", 10, 5).hits().get(0).version().jsonText())
          .contains("\"age\":32");
      ok(e, ++i, new Delete("users", "u1"));
      assertThat(query(e, "{\"age\":{\"gte\":30}}", "", 10, i).hits()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aScanThatWouldPassScanEntriesMaxIsRefusedAndOneThatStopsEarlierIsNot(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      ok(e, 1, new CreateCollection("users", utf8(SCHEMA_V1)));
      ok(e, 2, new CreateIndex("users", "city"));
      ok(e, 3, new CreateIndex("users", "age"));
      long i = 3;
      for (int d = 0; d < 10; d++) {
        ok(e, ++i, insert("u" + d, "Oslo", d));
      }
      QueryLimits five = QueryLimits.DEFAULTS.withScanEntriesMax(5);
      QueryResult refused = e.query(request("{\"city\":\"Oslo\"}", "-age", 3), i, five);
      assertThat(refused.rejection().code()).isEqualTo(ErrorCode.AERO_QUERY_SCAN_LIMIT);
      assertThat(refused.rejection().invariant()).isEqualTo("Q1");
      assertThat(refused.rejection().details())
          .containsEntry("limit", "scanEntriesMax")
          .containsEntry("limitValue", "5");
      // In _id order the equality scan streams and stops at the limit, within the bound.
      QueryResult streamed = e.query(request("{\"city\":\"Oslo\"}", "", 3), i, five);
      assertThat(ids(streamed)).containsExactly("u0", "u1", "u2");
      assertThat(streamed.entriesExamined()).isEqualTo(3);
      // Exactly at the bound is allowed.
      QueryLimits ten = QueryLimits.DEFAULTS.withScanEntriesMax(10);
      assertThat(e.query(request("{\"city\":\"Oslo\"}", "-age", 3), i, ten).rejection()).isNull();
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  private static Command insert(String id, String city, int age) {
    return new Insert(
        "users", utf8("{\"_id\":\"" + id + "\",\"city\":\"" + city + "\",\"age\":" + age + "}"));
  }

  private static Command update(boolean first, String id, String city, int age) {
    String json = "{\"_id\":\"" + id + "\",\"city\":\"" + city + "\",\"age\":" + age + "}";
    return first ? new Insert("users", utf8(json)) : new Update("users", utf8(json));
  }

  private static CommandResult ok(Engine e, long index, Command c) {
    CommandResult r = e.apply(1, index, NONE, c);
    assertThat(r.rejection()).as("%s", c).isNull();
    return r;
  }

  private static ErrorCode reject(Engine e, long index, Command c) {
    CommandResult r = e.apply(1, index, NONE, c);
    assertThat(r.rejection()).as("%s", c).isNotNull();
    return r.rejection().code();
  }

  private static QueryRequest request(String filter, String sort, long limit) {
    boolean desc = sort.startsWith("-");
    return new QueryRequest("users", utf8(filter), desc ? sort.substring(1) : sort, desc, limit);
  }

  private static QueryResult query(Engine e, String filter, String sort, long limit, long view) {
    return e.query(request(filter, sort, limit), view, QueryLimits.DEFAULTS);
  }

  private static List<String> ids(QueryResult r) {
    assertThat(r.rejection()).isNull();
    List<String> out = new ArrayList<>();
    for (QueryHit h : r.hits()) {
      out.add(h.id());
    }
    return out;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
