package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.key;
import static io.aerodb.core.engine.Fixtures.update;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.Undecodable;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.DocumentVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's write and read semantics on both stores: insert/update/delete rules (SPEC §2), MVCC
 * views [MVCC-2], apply-time re-validation [S4], idempotency, the applied state and digest, and
 * recovery from the store after reopening.
 */
class EngineTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void insertUpdateDeleteFollowTheRulesAndViewsSeeHistory(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      assertThat(e.apply(1, 1, NONE, createUsers()).isOk()).isTrue();
      CommandResult ins = e.apply(1, 2, NONE, insert("u1", "Ada"));
      assertThat(ins.isOk()).isTrue();
      assertThat(ins.commitIndex()).isEqualTo(2);
      assertThat(ins.existed()).isFalse();
      assertThat(ins.schemaVersion()).isEqualTo(1);

      CommandResult dup = e.apply(1, 3, NONE, insert("u1", "Eve"));
      assertThat(dup.rejection().code()).isEqualTo(ErrorCode.AERO_DOCUMENT_EXISTS);

      CommandResult missing = e.apply(1, 4, NONE, update("nobody", "X"));
      assertThat(missing.rejection().code()).isEqualTo(ErrorCode.AERO_DOCUMENT_NOT_FOUND);

      CommandResult upd = e.apply(2, 5, NONE, update("u1", "Ada L."));
      assertThat(upd.isOk()).isTrue();
      assertThat(upd.existed()).isTrue();

      CommandResult del = e.apply(2, 6, NONE, delete("u1"));
      assertThat(del.existed()).isTrue();
      CommandResult delAgain = e.apply(2, 7, NONE, delete("u1"));
      assertThat(delAgain.isOk()).isTrue();
      assertThat(delAgain.existed()).isFalse();

      assertThat(doc(e, "u1", 1)).isNull();
      assertThat(doc(e, "u1", 2)).isEqualTo("{\"_id\":\"u1\",\"name\":\"Ada\"}");
      assertThat(doc(e, "u1", 4)).isEqualTo("{\"_id\":\"u1\",\"name\":\"Ada\"}");
      assertThat(doc(e, "u1", 5)).isEqualTo("{\"_id\":\"u1\",\"name\":\"Ada L.\"}");
      assertThat(doc(e, "u1", 6)).isNull();
      assertThat(e.get("users", "u1", 5).version().map(DocumentVersion::index)).contains(5L);
      assertThat(e.applied().index()).isEqualTo(7);
      assertThat(e.applied().term()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void applyRevalidatesAndRejectsWithoutWriting(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      CommandResult bad =
          e.apply(1, 2, NONE, new Insert("users", utf8("{\"_id\":\"u1\",\"name\":7}")));
      assertThat(bad.rejection().code()).isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
      assertThat(bad.rejection().details()).containsEntry("path", "name");
      assertThat(doc(e, "u1", 2)).isNull();

      CommandResult noCollection = e.apply(1, 3, NONE, new Insert("nope", utf8("{}")));
      assertThat(noCollection.rejection().code()).isEqualTo(ErrorCode.AERO_COLLECTION_NOT_FOUND);

      CommandResult undecodable = e.apply(1, 4, NONE, new Undecodable("garbage"));
      assertThat(undecodable.rejection().code()).isEqualTo(ErrorCode.AERO_LOG_ENTRY_INVALID);
      assertThat(e.applied().index()).isEqualTo(4);
      assertThat(e.get("users", "u1", 4).version()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aRetryWithTheSameRequestIdReturnsTheOriginalResult(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      CommandResult first = e.apply(1, 2, key("k1"), insert("u1", "Ada"));
      CommandResult retry = e.apply(1, 3, key("k1"), insert("u1", "Ada"));
      assertThat(retry.isOk()).isTrue();
      assertThat(retry.deduplicated()).isTrue();
      assertThat(retry.commitIndex()).isEqualTo(first.commitIndex()).isEqualTo(2);
      assertThat(e.get("users", "u1", 3).version().map(DocumentVersion::index)).contains(2L);

      CommandResult reused = e.apply(1, 4, key("k1"), insert("u2", "Bob"));
      assertThat(reused.rejection().code()).isEqualTo(ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED);
      assertThat(reused.rejection().details()).containsEntry("originalIndex", "2");
      assertThat(doc(e, "u2", 4)).isNull();

      CommandResult rejected = e.apply(1, 5, key("k2"), insert("u1", "Again"));
      CommandResult rejectedRetry = e.apply(1, 6, key("k2"), insert("u1", "Again"));
      assertThat(rejectedRetry.deduplicated()).isTrue();
      assertThat(rejectedRetry.rejection()).isEqualTo(rejected.rejection());
      assertThat(rejectedRetry.commitIndex()).isEqualTo(5);
    }
  }

  /**
   * A retry that reaches the leader after a schema change still gets the original result: prepare
   * does not validate a recorded request_id against the new schema (the cluster simulation's seed
   * 11 found the retry refused with AERO_VALIDATION_TYPE_MISMATCH while the insert was in the
   * database). A new write under the same schema is still refused.
   */
  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aRetryAfterASchemaChangeIsNotRefused(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      Insert original = new Insert("users", utf8("{\"_id\":\"u4\",\"name\":\"Di\",\"age\":7}"));
      e.apply(1, 2, key("q20"), e.prepare(key("q20"), original).command());
      String ageIsAString =
          "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
              + "\"name\":{\"type\":\"string\",\"required\":true},"
              + "\"age\":{\"type\":\"string\",\"required\":false}}}";
      assertThat(e.apply(2, 3, NONE, new PublishSchema("users", utf8(ageIsAString))).isOk())
          .isTrue();

      Prepared retry = e.prepare(key("q20"), original);
      assertThat(retry.documentKey()).contains(new DocumentKey("users", "u4"));
      CommandResult r = e.apply(2, 4, key("q20"), retry.command());
      assertThat(r.deduplicated()).isTrue();
      assertThat(r.isOk()).isTrue();
      assertThat(r.commitIndex()).isEqualTo(2);

      Insert fresh = new Insert("users", utf8("{\"_id\":\"u5\",\"name\":\"Ed\",\"age\":7}"));
      assertThatThrownBy(() -> e.prepare(key("q21"), fresh))
          .extracting(t -> ((AeroException) t).code())
          .isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void requestIdsAreForgottenAfterTheHorizon(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir), 3)) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, key("k"), insert("u1", "Ada"));
      e.apply(1, 3, NONE, delete("u1"));
      assertThat(e.apply(1, 4, key("k"), insert("u1", "Ada")).deduplicated()).isTrue();
      e.apply(1, 5, NONE, delete("zz")); // index 5 forgets the record written at 5 - 3 = 2
      CommandResult fresh = e.apply(1, 6, key("k"), insert("u1", "Ada"));
      assertThat(fresh.deduplicated()).isFalse();
      assertThat(fresh.isOk()).isTrue();
      assertThat(fresh.commitIndex()).isEqualTo(6);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void prepareCanonicalizesAndChecksTheAppliedState(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      Command created =
          e.prepare(NONE, new CreateCollection("users", utf8(Fixtures.USERS_SCHEMA))).command();
      e.apply(1, 1, NONE, created);
      Command canonical =
          e.prepare(NONE, new Insert("users", utf8("{ \"name\" : \"Ada\", \"_id\" : \"u1\" }")))
              .command();
      assertThat(new String(((Insert) canonical).documentJson()))
          .isEqualTo("{\"_id\":\"u1\",\"name\":\"Ada\"}");
      e.apply(1, 2, key("k"), canonical);

      assertThatThrownBy(() -> e.prepare(NONE, insert("u1", "Ada")))
          .isInstanceOf(AeroException.class)
          .extracting(t -> ((AeroException) t).code())
          .isEqualTo(ErrorCode.AERO_DOCUMENT_EXISTS);
      // A known request_id passes: its apply will return the stored result.
      assertThat(e.prepare(key("k"), insert("u1", "Ada")).command()).isInstanceOf(Insert.class);
      assertThatThrownBy(() -> e.prepare(NONE, createUsers()))
          .extracting(t -> ((AeroException) t).code())
          .isEqualTo(ErrorCode.AERO_COLLECTION_EXISTS);
      assertThatThrownBy(() -> e.prepare(new byte[65], insert("u9", "X")))
          .extracting(t -> ((AeroException) t).code())
          .isEqualTo(ErrorCode.AERO_REQUEST_INVALID);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void applyingAnIndexTwiceIsABrokenInvariant(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 5, NONE, createUsers());
      assertThatThrownBy(() -> e.apply(1, 5, NONE, insert("a", "b")))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void equalCommandsGiveEqualDigestsOnEveryReplica(StoreKind kind) {
    Engine a = Engine.open(kind.open(dir.resolve("a")));
    Engine b = Engine.open(kind.open(dir.resolve("b")));
    try (a;
        b) {
      Command[] commands = {createUsers(), insert("u1", "A"), update("u1", "B"), delete("u1")};
      for (int i = 0; i < commands.length; i++) {
        a.apply(1, i + 1, key("r" + i), commands[i]);
        b.apply(1, i + 1, key("r" + i), commands[i]);
        assertThat(a.applied().digestHex()).isEqualTo(b.applied().digestHex());
      }
      assertThat(a.applied().digestHex()).isNotEqualTo(AppliedState.INITIAL.digestHex());
    }
  }

  @org.junit.jupiter.api.Test
  void reopeningTheRocksStoreRecoversAppliedStateCatalogAndDocuments() {
    String digest;
    try (Engine e = Engine.open(StoreKind.ROCKSDB.open(dir))) {
      e.apply(3, 10, NONE, createUsers());
      e.apply(3, 12, NONE, insert("u1", "Ada"));
      digest = e.applied().digestHex();
    }
    try (Engine e = Engine.open(StoreKind.ROCKSDB.open(dir))) {
      assertThat(e.applied().index()).isEqualTo(12);
      assertThat(e.applied().term()).isEqualTo(3);
      assertThat(e.applied().digestHex()).isEqualTo(digest);
      assertThat(e.catalog().collection("users")).isPresent();
      assertThat(doc(e, "u1", 12)).isEqualTo("{\"_id\":\"u1\",\"name\":\"Ada\"}");
    }
  }

  private static String doc(Engine e, String id, long view) {
    ReadResult r = e.get("users", id, view);
    assertThat(r.rejection()).isNull();
    return r.version().map(DocumentVersion::jsonText).orElse(null);
  }
}
