package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionReader;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The document heads ({@code 0x12}, {@link DocumentHeads}) [MVCC-2]: after every write of a random
 * workload (inserts, updates, deletes, guarded writes, refused writes, garbage collection), each
 * document's head agrees with a seek of its versions and with a model of which documents live; a
 * store whose last writer did not keep heads (store layout 1: AeroDB before them) gets them derived
 * at open — stale heads included — and a derivation a power loss cut short at any batch is done
 * again; the audit finds a missing, wrong or orphaned head.
 */
class DocumentHeadsTest {
  private static final byte[] NONE = new byte[0];
  private static final int IDS = 8;

  @TempDir Path dir;

  private long index;

  private long floor;

  private CommandResult apply(Engine e, Command c) {
    return e.apply(1, ++index, NONE, c);
  }

  private static String json(String id, int n) {
    return "{\"_id\":\"" + id + "\",\"name\":\"n" + n + "\",\"age\":" + (n % 5) + "}";
  }

  /**
   * Random writes over a few ids; after each, every id's head equals the version a seek at the
   * applied index finds, and the model's verdicts (exists, not found, guard failed) are the
   * engine's. Returns the model: id -> index of its live version.
   */
  private TreeMap<String, Long> workload(Engine e, KvStore store, Random r, int writes) {
    apply(e, createUsers());
    apply(e, new CreateIndex("users", "age"));
    TreeMap<String, Long> live = new TreeMap<>();
    for (int i = 0; i < writes; i++) {
      String id = "u" + r.nextInt(IDS);
      Long current = live.get(id);
      int op = r.nextInt(6);
      Precondition guard =
          r.nextInt(4) > 0
              ? Precondition.NONE
              : r.nextBoolean() || current == null
                  ? Precondition.absent()
                  : Precondition.version(r.nextBoolean() ? current : current + 1);
      boolean guardHolds =
          guard.isNone()
              || (guard.equals(Precondition.absent())
                  ? current == null
                  : current != null && guard.version() == current);
      CommandResult res;
      ErrorCode expected;
      if (op <= 1) {
        res = apply(e, new Insert("users", utf8(json(id, i)), guard));
        expected =
            !guardHolds
                ? ErrorCode.AERO_TXN_PRECONDITION_FAILED
                : current != null ? ErrorCode.AERO_DOCUMENT_EXISTS : null;
        if (expected == null) {
          live.put(id, index);
        }
      } else if (op <= 3) {
        res = apply(e, new Update("users", utf8(json(id, i)), guard));
        expected =
            !guardHolds
                ? ErrorCode.AERO_TXN_PRECONDITION_FAILED
                : current == null ? ErrorCode.AERO_DOCUMENT_NOT_FOUND : null;
        if (expected == null) {
          live.put(id, index);
        }
      } else if (op == 4) {
        res = apply(e, new Delete("users", id, guard));
        expected = guardHolds ? null : ErrorCode.AERO_TXN_PRECONDITION_FAILED;
        if (expected == null) {
          live.remove(id);
        }
      } else {
        floor = Math.max(floor, index - r.nextInt(6)); // below the entry's own index
        res = apply(e, new SetGcFloor(floor));
        expected = null;
        while (e.collectGarbage(1 + r.nextInt(5)).more()) {
          // collect up to the floor in small steps
        }
      }
      assertThat(res.rejection() == null ? null : res.rejection().code())
          .as("write %d (%s of %s, guard %s)", i, op, id, guard.describe())
          .isEqualTo(expected);
      for (int k = 0; k < IDS; k++) {
        String other = "u" + k;
        Optional<DocumentVersion> seen = VersionReader.live(store, "users", other, index);
        OptionalLong head = DocumentHeads.liveIndex(store, "users", other);
        assertThat(head.isPresent() ? head.getAsLong() : null)
            .as("head of %s after write %d", other, i)
            .isEqualTo(seen.map(DocumentVersion::index).orElse(null))
            .isEqualTo(live.get(other));
      }
    }
    return live;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyHeadAgreesWithTheVersionsAfterEveryWrite(StoreKind kind, TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {1, 2, 3},
        seed -> {
          index = 0;
          floor = 0;
          KvStore store = kind.open(dir.resolve("s" + seed));
          try (Engine e = Engine.open(store)) {
            workload(e, store, new Random(seed), 300);
            assertThat(StoreAudit.audit(store, 10).problems()).isEmpty();
          }
        });
  }

  /**
   * What AeroDB before heads leaves behind: an applied record of 48 bytes, and — had this code
   * written the store before — heads that no longer say the truth.
   */
  private static void downgrade(KvStore store, TreeMap<String, Long> live) {
    WriteBatch b = new WriteBatch();
    try (KvCursor c = store.seek(new byte[] {Keys.HEAD})) {
      for (; c.valid() && c.key()[0] == Keys.HEAD; c.next()) {
        b.delete(c.key());
      }
    }
    String first = live.firstKey();
    b.put(Keys.head(Keys.document("users", first)), Bytes.ofLong(live.get(first) + 1)); // wrong
    b.put(Keys.head(Keys.document("users", "gone")), Bytes.ofLong(3)); // no such document
    byte[] record = store.get(Keys.applied());
    assertThat(AppliedState.layoutOf(record)).isEqualTo(AppliedState.STORE_LAYOUT);
    b.put(Keys.applied(), Arrays.copyOf(record, 48));
    store.write(b);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aStoreWithoutHeadsGetsThemAtOpenAndTheDigestStaysAsItWas(StoreKind kind) {
    Path at = dir.resolve("store");
    KvStore store = kind.open(dir);
    TreeMap<String, Long> live;
    AppliedState before;
    try (Engine e = Engine.open(store)) {
      live = workload(e, store, new Random(7), 200);
      assertThat(live).isNotEmpty();
      before = e.applied();
      downgrade(store, live);
      assertThat(AppliedState.layoutOf(store.get(Keys.applied()))).isEqualTo(1);
      assertThat(StoreAudit.audit(store, 10).ok()).as("layout 1: heads not audited").isTrue();
      if (kind == StoreKind.MEMORY) {
        reopenAndCheck(store, live, before);
        return;
      }
    }
    reopenAndCheck(RocksKvStore.open(at), live, before);
  }

  private void reopenAndCheck(KvStore store, TreeMap<String, Long> live, AppliedState before) {
    try (Engine e = Engine.open(store)) {
      assertThat(e.headsDerivedAtOpen()).isEqualTo(live.size());
      assertThat(e.applied().index()).isEqualTo(before.index());
      assertThat(e.applied().digestHex()).isEqualTo(before.digestHex());
      assertThat(AppliedState.layoutOf(store.get(Keys.applied())))
          .isEqualTo(AppliedState.STORE_LAYOUT);
      assertThat(StoreAudit.audit(store, 10).problems()).isEmpty();
      String first = live.firstKey();
      CommandResult guarded =
          apply(
              e, new Update("users", utf8(json(first, 1)), Precondition.version(live.get(first))));
      assertThat(guarded.isOk()).as("the guard reads the derived head: %s", guarded).isTrue();
      assertThat(apply(e, new Insert("users", utf8(json("gone", 2)))).isOk()).isTrue();
      assertThat(StoreAudit.audit(store, 10).problems()).isEmpty();
    }
  }

  @Test
  void aDerivationCutShortAtAnyBatchIsDoneAgainAtTheNextOpen() {
    MemoryKvStore store = new MemoryKvStore();
    TreeMap<String, Long> live;
    Engine first = Engine.open(store);
    live = workload(first, store, new Random(11), 150);
    downgrade(store, live);
    store.syncDurable();
    // deletes the stale heads, derives the others, 3 operations per batch, then marks the layout:
    // none of it synced, so a power loss may keep any prefix of these batches
    assertThat(StoreLayout.upgrade(store, 3)).isEqualTo(live.size());
    int batches = store.unsyncedBatches();
    assertThat(batches).isEqualTo(1 + (2 + live.size() + 2) / 3);
    for (int survive = 0; survive <= batches; survive++) {
      MemoryKvStore copy = store.crash(survive);
      try (Engine e = Engine.open(copy)) {
        assertThat(StoreAudit.audit(copy, 10).problems())
            .as("%d batches survived", survive)
            .isEmpty();
        assertThat(e.headsDerivedAtOpen())
            .as("%d batches survived", survive)
            .isEqualTo(survive == batches ? -1 : live.size());
        for (var d : live.entrySet()) {
          assertThat(DocumentHeads.liveIndex(copy, "users", d.getKey())).hasValue(d.getValue());
        }
      }
      store = rebuildFrom(live);
    }
  }

  /** A fresh store in the same downgraded state, its derivation written but not synced. */
  private MemoryKvStore rebuildFrom(TreeMap<String, Long> expected) {
    index = 0;
    floor = 0;
    MemoryKvStore store = new MemoryKvStore();
    TreeMap<String, Long> live = workload(Engine.open(store), store, new Random(11), 150);
    assertThat(live).isEqualTo(expected);
    downgrade(store, live);
    store.syncDurable();
    StoreLayout.upgrade(store, 3);
    return store;
  }

  /** A store that runs {@code onHeadRead} once, just before the first head is read. */
  private static KvStore racing(MemoryKvStore store, Runnable[] onHeadRead) {
    return new KvStore() {
      @Override
      public byte[] get(byte[] key) {
        Runnable r = onHeadRead[0];
        if (r != null && key.length > 0 && key[0] == Keys.HEAD) {
          onHeadRead[0] = null;
          r.run();
        }
        return store.get(key);
      }

      @Override
      public KvCursor seek(byte[] from) {
        return store.seek(from);
      }

      @Override
      public KvCursor seekReverse(byte[] from) {
        return store.seekReverse(from);
      }

      @Override
      public void write(WriteBatch batch) {
        store.write(batch);
      }

      @Override
      public void syncDurable() {
        store.syncDurable();
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }

  /**
   * A retry whose original is applied while the retry is prepared — after its idempotency lookup,
   * before its existence or guard check, which read the newest state — is not refused on the state
   * the original made: it is proposed, and apply answers with the original's result [TX2] (an
   * insert that would meet "exists", a guarded delete that would meet "absent").
   */
  @Test
  void aRetryWhoseOriginalAppliesDuringItsPrepareGetsTheOriginalsResult() {
    Runnable[] onHeadRead = {null};
    try (Engine e = Engine.open(racing(new MemoryKvStore(), onHeadRead))) {
      apply(e, createUsers());
      long inserted = index + 1;
      assertThat(apply(e, new Insert("users", utf8(json("b", 1)))).isOk()).isTrue();
      Command[] retries = {
        new Insert("users", utf8(json("a", 2))),
        new Delete("users", "b", Precondition.version(inserted))
      };
      for (Command retry : retries) {
        byte[] requestId = utf8("request-" + retry.commandName());
        Command original = e.prepare(requestId, retry).command();
        long originalIndex = index + 1;
        onHeadRead[0] = () -> e.apply(1, ++index, requestId, original);
        Command proposed = e.prepare(requestId, retry).command();
        assertThat(onHeadRead[0]).as("the original applied during the prepare").isNull();
        CommandResult r = e.apply(1, ++index, requestId, proposed);
        assertThat(r.rejection()).as("%s", retry.commandName()).isNull();
        assertThat(r.deduplicated()).isTrue();
        assertThat(r.commitIndex()).isEqualTo(originalIndex);
      }
      assertThat(StoreAudit.audit(e.withStore(s -> s), 10).problems()).isEmpty();
    }
  }

  @Test
  void theAuditFindsAMissingAWrongAMalformedAndAnOrphanedHead() {
    MemoryKvStore store = new MemoryKvStore();
    try (Engine e = Engine.open(store)) {
      apply(e, createUsers());
      apply(e, new Insert("users", utf8(json("a", 1))));
      apply(e, new Insert("users", utf8(json("b", 2))));
      apply(e, new Insert("users", utf8(json("c", 3))));
      apply(e, new Delete("users", "c"));
      assertThat(StoreAudit.audit(store, 10).problems()).isEmpty();
      store.write(
          new WriteBatch()
              .delete(Keys.head(Keys.document("users", "a")))
              .put(Keys.head(Keys.document("users", "b")), Bytes.ofLong(2))
              .put(Keys.head(Keys.document("users", "c")), Bytes.ofLong(5))
              .put(Keys.head(Keys.document("users", "y")), new byte[] {1, 2, 3})
              .put(Keys.head(Keys.document("users", "zzz")), Bytes.ofLong(3)));
      StoreAudit.Report r = StoreAudit.audit(store, 10);
      assertThat(r.problems())
          .extracting(StoreAudit.Problem::kind)
          .containsExactly(
              "HEAD_MISMATCH", // a: no head, live version 2
              "HEAD_MISMATCH", // b: head 2, live version 3
              "HEAD_MISMATCH", // c: head 5, newest version (5) a tombstone
              "HEAD_ORPHANED", // b's head names version 2 (a's index): b has no such version
              "HEAD_ORPHANED", // c's head names its tombstone
              "HEAD_MALFORMED", // y's head is 3 bytes
              "HEAD_ORPHANED"); // zzz has a head and no version at all
    }
  }
}
