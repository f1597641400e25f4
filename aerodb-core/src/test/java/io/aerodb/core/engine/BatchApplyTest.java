package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.key;
import static io.aerodb.core.engine.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch entry (the leader's group commit): its writes apply in order in one store batch, each
 * with its own result and the entry's index as commit index [MVCC-2]; a rejected write changes
 * nothing and spoils no other write; two writes of one document or one request_id, or a
 * non-document command, are refused identically on every node; retries are deduplicated across
 * entries; equal entries give equal digests.
 */
class BatchApplyTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  private static List<CommandResult> applyGroup(Engine e, long term, long index, Entry.Group g) {
    return e.apply(term, index, g).results();
  }

  private static Write w(String requestId, Command c) {
    return new Write(key(requestId), c);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void writesOfABatchApplyTogetherEachWithItsOwnResult(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, NONE, insert("u0", "Zed"));
      List<CommandResult> r =
          applyGroup(
              e,
              1,
              3,
              new Entry.Group(
                  List.of(
                      w("a", insert("u1", "Ada")),
                      w("b", insert("u0", "Dup")), // exists: rejected alone
                      w("c", update("u0", "Zed 2")),
                      w("", insert("u2", "Bob")),
                      w("d", delete("nobody")))));
      assertThat(r).hasSize(5);
      assertThat(r).allSatisfy(x -> assertThat(x.commitIndex()).isEqualTo(3));
      assertThat(r.get(0).isOk()).as(String.valueOf(r.get(0).rejection())).isTrue();
      assertThat(r.get(1).rejection().code()).isEqualTo(ErrorCode.AERO_DOCUMENT_EXISTS);
      assertThat(r.get(2).isOk()).isTrue();
      assertThat(r.get(2).existed()).isTrue();
      assertThat(r.get(3).isOk()).isTrue();
      assertThat(r.get(4).isOk()).isTrue();
      assertThat(r.get(4).existed()).isFalse();
      assertThat(e.applied().index()).isEqualTo(3);

      assertThat(json(e, "u1", 2)).isNull(); // nothing of the batch is visible before its index
      assertThat(json(e, "u2", 2)).isNull();
      assertThat(json(e, "u0", 2)).contains("Zed\"");
      assertThat(json(e, "u1", 3)).contains("Ada");
      assertThat(json(e, "u2", 3)).contains("Bob");
      assertThat(json(e, "u0", 3)).contains("Zed 2");
      assertThat(e.get("users", "u1", 3).version().map(DocumentVersion::index)).contains(3L);

      // a retry of write "a" in a later entry is deduplicated with the original result
      List<CommandResult> retry =
          applyGroup(
              e,
              1,
              4,
              new Entry.Group(List.of(w("a", insert("u1", "Ada")), w("e", insert("u3", "Cy")))));
      assertThat(retry.get(0).deduplicated()).isTrue();
      assertThat(retry.get(0).commitIndex()).isEqualTo(3);
      assertThat(retry.get(1).commitIndex()).isEqualTo(4);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aSecondWriteOfOneDocumentOrRequestIdInAnEntryIsRefusedAndWritesNothing(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      List<CommandResult> r =
          applyGroup(
              e,
              1,
              2,
              new Entry.Group(
                  List.of(
                      w("a", insert("u1", "First")),
                      w("b", update("u1", "Second")),
                      w("c", delete("u1")),
                      w("a", insert("u9", "Same request id")),
                      w("f", createUsers()))));
      assertThat(r.get(0).isOk()).as(String.valueOf(r.get(0).rejection())).isTrue();
      for (int i = 1; i < 5; i++) {
        assertThat(r.get(i).rejection().code())
            .as("write " + i)
            .isEqualTo(ErrorCode.AERO_LOG_ENTRY_INVALID);
      }
      assertThat(r.get(1).rejection().message()).contains("written twice");
      assertThat(r.get(3).rejection().message()).contains("request_id appears twice");
      assertThat(r.get(4).rejection().message()).contains("only document writes");
      assertThat(json(e, "u1", 2)).contains("First");
      assertThat(json(e, "u9", 2)).isNull();
      // a refused write records no idempotency entry: its request id is still free
      assertThat(e.apply(1, 3, key("b"), update("u1", "Later")).isOk()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void equalBatchEntriesGiveEqualDigests(StoreKind kind) {
    byte[] digest;
    try (Engine a = Engine.open(kind.open(dir.resolve("a")))) {
      digest = run(a);
    }
    try (Engine b = Engine.open(kind.open(dir.resolve("b")))) {
      assertThat(run(b)).isEqualTo(digest);
    }
  }

  private static byte[] run(Engine e) {
    e.apply(1, 1, NONE, createUsers());
    applyGroup(
        e, 1, 2, new Entry.Group(List.of(w("x", insert("u1", "A")), w("y", insert("u2", "B")))));
    return e.applied().digest();
  }

  private static Entry.Group threeInserts() {
    return new Entry.Group(
        List.of(
            w("a", insert("u1", "Ada")), w("b", insert("u2", "Bob")), w("c", insert("u3", "Cy"))));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyRequestIdOfABatchIsForgottenAfterTheHorizon(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir), 3)) {
      e.apply(1, 1, NONE, createUsers());
      applyGroup(e, 1, 2, threeInserts());
      e.apply(1, 3, NONE, delete("zz"));
      e.apply(1, 4, NONE, delete("zz"));
      // entry 5 still finds it (its lookups precede, in the same entry, the expiry of index 2)
      assertThat(e.apply(1, 5, key("b"), insert("u2", "Bob")).deduplicated()).isTrue();
      // index 6 forgets every record written at 6 - 3 = 3; index 5 forgot those written at 2
      e.apply(1, 6, NONE, delete("zz"));
      List<CommandResult> retries = applyGroup(e, 1, 7, threeInserts()); // the same writes, retried
      // judged afresh: the documents exist, so each retry is refused, none deduplicated
      assertThat(retries)
          .allSatisfy(
              r -> {
                assertThat(r.deduplicated()).isFalse();
                assertThat(r.rejection().code()).isEqualTo(ErrorCode.AERO_DOCUMENT_EXISTS);
              });
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aRecordUnderTheBareIndexKeyOfAnOlderStoreExpiresToo(StoreKind kind) {
    KvStore store = kind.open(dir);
    try (Engine e = Engine.open(store, 3)) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, key("new"), insert("u1", "Ada"));
      byte[] old = key("old");
      byte[] bareIndexKey = Arrays.copyOf(Keys.idempotencyByIndexPrefix(2), 9);
      store.write(
          new WriteBatch().put(bareIndexKey, old).put(Keys.idempotency(old), new byte[] {1}));
      e.apply(1, 3, NONE, delete("zz"));
      e.apply(1, 4, NONE, delete("zz"));
      assertThat(store.get(Keys.idempotency(old))).isNotNull();
      e.apply(1, 5, NONE, delete("zz")); // forgets what index 2 recorded, in either key form
      assertThat(store.get(bareIndexKey)).isNull();
      assertThat(store.get(Keys.idempotency(old))).isNull();
      assertThat(store.get(Keys.idempotency(key("new")))).isNull();
      assertThat(store.get(Keys.idempotencyByIndex(2, 0))).isNull();
    }
  }

  private static String json(Engine e, String id, long view) {
    Optional<DocumentVersion> v = e.get("users", id, view).version();
    return v.map(d -> new String(d.json(), StandardCharsets.UTF_8)).orElse(null);
  }
}
