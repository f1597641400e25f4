package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.key;
import static io.aerodb.core.engine.Fixtures.update;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The change feed behind Watch [W1]: every document write that took effect, and nothing else, in
 * commit order (index, then _id), per collection; read in pages that join without gap or repeat;
 * refused loudly from at or below the GC floor or the feed's start (also when the floor overtakes a
 * read); collected with the history. (Outside the state digest: FormatCompatibilityTest's pinned
 * digest of a sequence of document writes did not move when the feed was added.)
 */
class ChangeFeedTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  /** index:id:kind for each change. */
  private static List<String> describe(Changes c) {
    assertThat(c.rejection()).as(String.valueOf(c.rejection())).isNull();
    List<String> out = new ArrayList<>();
    for (Changes.Change ch : c.events()) {
      out.add(
          ch.index()
              + ":"
              + ch.id()
              + ":"
              + ch.kind()
              + (ch.version().tombstone() ? "" : ":v" + ch.version().schemaVersion()));
    }
    return out;
  }

  /** users: 3 insert u1, 4 group (insert u2, update u1, delete nobody, insert u1 again: refused) */
  private static Engine written(Engine e) {
    e.apply(1, 1, NONE, createUsers());
    e.apply(
        1,
        2,
        NONE,
        new CreateCollection(
            "other", utf8("{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true}}}")));
    e.apply(1, 3, NONE, insert("u1", "Ada"));
    e.apply(
        1,
        4,
        new Entry.Group(
            List.of(
                new Write(key("a"), insert("u2", "Bo")),
                new Write(key("b"), update("u1", "Ada 2")),
                new Write(key("c"), delete("nobody")),
                new Write(key("d"), new Insert("other", utf8("{\"_id\":\"x\"}"))))));
    e.apply(1, 5, NONE, insert("u1", "Dup")); // exists: refused, no change
    e.apply(
        1,
        6,
        NONE,
        new AtomicBatch(List.of(delete("u2"), update("u1", "Ada 3"), insert("u3", "Cy"))));
    e.apply(
        1,
        7,
        NONE,
        new AtomicBatch(
            List.of(
                insert("u4", "No"),
                new io.aerodb.core.command.Update(
                    "users", utf8("{\"_id\":\"u1\",\"name\":\"X\"}"), Precondition.version(3)))));
    return e;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyWriteThatTookEffectIsInTheFeedInCommitOrder(StoreKind kind) {
    try (Engine e = written(Engine.open(kind.open(dir)))) {
      Changes all = e.changes("users", 1, "", 7, 100);
      assertThat(all.complete()).isTrue();
      assertThat(describe(all))
          .containsExactly(
              "3:u1:INSERT:v1",
              "4:u1:UPDATE:v1",
              "4:u2:INSERT:v1",
              "6:u1:UPDATE:v1",
              "6:u2:DELETE",
              "6:u3:INSERT:v1");
      assertThat(describe(e.changes("other", 1, "", 7, 100))).containsExactly("4:x:INSERT:v1");
      assertThat(describe(e.changes("users", 5, "", 7, 100)))
          .containsExactly("6:u1:UPDATE:v1", "6:u2:DELETE", "6:u3:INSERT:v1");
      assertThat(describe(e.changes("users", 4, "", 5, 100)))
          .containsExactly("4:u1:UPDATE:v1", "4:u2:INSERT:v1"); // nothing above the view

      // pages join without a gap or a repeat, also inside one index
      List<String> paged = new ArrayList<>();
      long from = 1;
      String after = "";
      while (true) {
        Changes page = e.changes("users", from, after, 7, 2);
        paged.addAll(describe(page));
        if (page.complete()) {
          break;
        }
        Changes.Change last = page.events().get(page.events().size() - 1);
        from = last.index();
        after = last.id();
      }
      assertThat(paged).isEqualTo(describe(all));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void belowTheFloorTheFeedIsRefusedAndCollectedAndTheRestStays(StoreKind kind) {
    try (Engine e = written(Engine.open(kind.open(dir)))) {
      List<String> above = describe(e.changes("users", 5, "", 7, 100));
      e.apply(1, 8, NONE, new SetGcFloor(4));
      Changes refused = e.changes("users", 4, "", 8, 100);
      assertThat(refused.rejection().code()).isEqualTo(ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD);
      assertThat(refused.rejection().details())
          .containsEntry("fromIndex", "4")
          .containsEntry("gcFloor", "4")
          .containsEntry("feedStart", "1");
      assertThat(e.changesKeptFrom()).isEqualTo(5);
      while (e.collectGarbage(3).more()) {
        // bounded steps
      }
      assertThat(feedIndexes(e.store())).allMatch(i -> i > 4).isNotEmpty();
      assertThat(describe(e.changes("users", 5, "", 8, 100))).isEqualTo(above);
    }
  }

  @Test
  void aStoreWrittenBeforeTheFeedStartsItsFeedAtTheNextIndex() {
    KvStore kv = StoreKind.ROCKSDB.open(dir);
    try (Engine e = written(Engine.open(kv))) {
      // make it look like a store of the previous format: no feed, no feed start
      WriteBatch wipe = new WriteBatch().delete(Keys.feedStart());
      try (KvCursor c = e.store().seek(new byte[] {Keys.CHANGE})) {
        for (; c.valid() && c.key()[0] == Keys.CHANGE; c.next()) {
          wipe.delete(c.key());
        }
      }
      e.store().write(wipe);
    }
    try (Engine e = Engine.open(StoreKind.ROCKSDB.open(dir))) {
      Changes refused = e.changes("users", 1, "", 7, 100);
      assertThat(refused.rejection().code()).isEqualTo(ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD);
      assertThat(refused.rejection().details()).containsEntry("feedStart", "8");
      e.apply(1, 8, NONE, insert("u9", "New"));
      assertThat(describe(e.changes("users", 8, "", 8, 100))).containsExactly("8:u9:INSERT:v1");
    }
  }

  private static List<Long> feedIndexes(KvStore store) {
    List<Long> out = new ArrayList<>();
    try (KvCursor c = store.seek(new byte[] {Keys.CHANGE})) {
      for (; c.valid() && c.key()[0] == Keys.CHANGE; c.next()) {
        byte[] k = c.key();
        int nameEnd = 1;
        while (k[nameEnd] != 0) {
          nameEnd++;
        }
        out.add(Keys.changeIndex(k, nameEnd + 1));
      }
    }
    return out;
  }
}
