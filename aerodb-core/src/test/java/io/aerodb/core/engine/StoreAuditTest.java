package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.index.IndexKeys;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The offline store check (aerodb verify --data-dir): a store the engine wrote — an index built
 * over existing documents, updates, a delete, a dropped index, garbage collected — has no problem;
 * a removed index entry, an orphaned one, a document invalid under its schema version and a version
 * above the applied index are each found and named.
 */
class StoreAuditTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  /** users: u1..u6 with an index on name built after u1..u3, one on age dropped, GC'd below 12. */
  private static Engine populated(Engine e) {
    long i = 0;
    e.apply(1, ++i, NONE, createUsers());
    e.apply(1, ++i, NONE, insert("u1", "Ada"));
    e.apply(1, ++i, NONE, insert("u2", "Bo"));
    e.apply(1, ++i, NONE, insert("u3", "Cy"));
    e.apply(1, ++i, NONE, update("u1", "Ada L.")); // 5
    e.apply(1, ++i, NONE, new CreateIndex("users", "name")); // 6: built over u1@5, u2@3, u3@4
    e.apply(1, ++i, NONE, new CreateIndex("users", "age"));
    e.apply(1, ++i, NONE, insert("u4", "Di"));
    e.apply(1, ++i, NONE, update("u2", "Bo B."));
    e.apply(1, ++i, NONE, delete("u3")); // 10
    e.apply(1, ++i, NONE, new DropIndex("users", "age"));
    e.apply(1, ++i, NONE, insert("u5", "Ed"));
    e.apply(1, ++i, NONE, update("u1", "Ada K."));
    e.apply(1, ++i, NONE, new SetGcFloor(12));
    while (e.collectGarbage(3).more()) {
      // bounded steps until the pass is done
    }
    e.apply(1, ++i, NONE, insert("u6", "Fay"));
    return e;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aStoreTheEngineWroteHasNoProblem(StoreKind kind) {
    try (Engine e = populated(Engine.open(kind.open(dir)))) {
      StoreAudit.Report r = StoreAudit.audit(e.store(), 10);
      assertThat(r.problems()).isEmpty();
      assertThat(r.ok()).isTrue();
      assertThat(r.documents()).isEqualTo(5); // u1 u2 u4 u5 u6
      assertThat(r.indexEntries()).isPositive();
      assertThat(r.applied().index()).isEqualTo(15);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aRemovedAndAnOrphanedIndexEntryAreFound(StoreKind kind) {
    try (Engine e = populated(Engine.open(kind.open(dir)))) {
      byte[] prefix = IndexKeys.indexPrefix("users", "name", 6);
      byte[] removed;
      try (KvCursor c = e.store().seek(prefix)) {
        removed = c.key();
      }
      assertThat(Bytes.startsWith(removed, prefix)).isTrue();
      byte[] orphan =
          IndexKeys.entry(prefix, IndexValueCodec.encode(new JsonValue.Str("Zed")), "u9", 8);
      e.store().write(new WriteBatch().delete(removed).put(orphan, new byte[0]));

      StoreAudit.Report r = StoreAudit.audit(e.store(), 10);

      assertThat(r.problemCount()).isEqualTo(2);
      assertThat(r.problems())
          .extracting(StoreAudit.Problem::kind)
          .containsExactlyInAnyOrder("INDEX_ENTRY_MISSING", "INDEX_ENTRY_ORPHANED");
      assertThat(r.problems())
          .filteredOn(p -> p.kind().equals("INDEX_ENTRY_ORPHANED"))
          .first()
          .satisfies(p -> assertThat(p.keyHex()).isEqualTo(Bytes.hex(orphan)));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void anInvalidDocumentAndAVersionAboveTheAppliedIndexAreFound(StoreKind kind) {
    try (Engine e = populated(Engine.open(kind.open(dir)))) {
      byte[] u4 = Keys.documentVersion(Keys.document("users", "u4"), 8);
      byte[] invalid =
          VersionCodec.document(1, "{\"_id\":\"u4\",\"name\":7}".getBytes(StandardCharsets.UTF_8));
      byte[] future = Keys.documentVersion(Keys.document("users", "u7"), 99);
      byte[] valid =
          VersionCodec.document(
              1, "{\"_id\":\"u7\",\"name\":\"Gil\"}".getBytes(StandardCharsets.UTF_8));
      e.store().write(new WriteBatch().put(u4, invalid).put(future, valid));

      StoreAudit.Report r = StoreAudit.audit(e.store(), 10);

      assertThat(r.problems())
          .extracting(StoreAudit.Problem::kind)
          .contains("DOCUMENT_INVALID", "VERSION_ABOVE_APPLIED");
      assertThat(r.problems())
          .filteredOn(p -> p.kind().equals("DOCUMENT_INVALID"))
          .first()
          .satisfies(p -> assertThat(p.keyHex()).isEqualTo(Bytes.hex(u4)));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aMissingAnOrphanedAndAWrongChangeFeedKeyAreFound(StoreKind kind) {
    try (Engine e = populated(Engine.open(kind.open(dir)))) {
      byte[] first;
      try (KvCursor c = e.store().seek(Keys.changes("users"))) {
        first = c.key(); // u1's update at 13: the collector took everything at or below 12
      }
      assertThat(Keys.changeIndex(first, Keys.changes("users").length)).isEqualTo(13);
      byte[] orphan = Keys.change("users", 14, "nobody"); // above the floor (12), no such version
      byte[] wrong;
      byte[] wrongValue;
      try (KvCursor c = e.store().seek(Keys.changesAt("users", 15))) { // u6's insert
        wrong = c.key();
        wrongValue = c.value()[0] == 'D' ? new byte[] {'I'} : new byte[] {'D'};
      }
      e.store()
          .write(
              new WriteBatch().delete(first).put(orphan, new byte[] {'I'}).put(wrong, wrongValue));

      StoreAudit.Report r = StoreAudit.audit(e.store(), 10);

      assertThat(r.problems())
          .extracting(StoreAudit.Problem::kind)
          .as(String.valueOf(r.problems()))
          .containsExactlyInAnyOrder("FEED_ORPHAN", "FEED_KIND_MISMATCH", "FEED_INCOMPLETE");
    }
  }
}
