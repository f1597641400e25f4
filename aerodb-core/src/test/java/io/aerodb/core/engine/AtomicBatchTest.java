package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.key;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.DocumentVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Guards [TX2] and atomic batches [TX1] on the real engine: a guard holds or the write changes
 * nothing, naming the expected and the actual version; a batch across collections takes effect at
 * one index or not at all, naming the failing operation with its own code; limits are named; a
 * retry returns the original per-operation results; the leader's prepare refuses what apply would.
 */
class AtomicBatchTest {
  private static final byte[] NONE = new byte[0];
  private static final String ACCOUNTS_SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"balance\":{\"type\":\"int\",\"required\":true}}}";

  @TempDir Path dir;

  private static Command user(boolean insert, String id, String name, Precondition p) {
    byte[] json = utf8("{\"_id\":\"" + id + "\",\"name\":\"" + name + "\"}");
    return insert ? new Insert("users", json, p) : new Update("users", json, p);
  }

  private static Command account(boolean insert, String id, long balance, Precondition p) {
    byte[] json = utf8("{\"_id\":\"" + id + "\",\"balance\":" + balance + "}");
    return insert ? new Insert("accounts", json, p) : new Update("accounts", json, p);
  }

  /** users u1 at 3, accounts a1 (100) at 4 and a2 (50) at 5. */
  private static Engine seeded(Engine e) {
    e.apply(1, 1, NONE, createUsers());
    e.apply(1, 2, NONE, new CreateCollection("accounts", utf8(ACCOUNTS_SCHEMA)));
    assertThat(e.apply(1, 3, NONE, user(true, "u1", "Ada", Precondition.NONE)).isOk()).isTrue();
    assertThat(e.apply(1, 4, NONE, account(true, "a1", 100, Precondition.NONE)).isOk()).isTrue();
    assertThat(e.apply(1, 5, NONE, account(true, "a2", 50, Precondition.NONE)).isOk()).isTrue();
    return e;
  }

  private static Optional<DocumentVersion> read(Engine e, String c, String id, long view) {
    return e.get(c, id, view).version();
  }

  private static String json(Engine e, String c, String id, long view) {
    return read(e, c, id, view).map(v -> new String(v.json(), StandardCharsets.UTF_8)).orElse(null);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aGuardedUpdateAppliesOnlyOnTheVersionItExpects(StoreKind kind) {
    try (Engine e = seeded(Engine.open(kind.open(dir)))) {
      CommandResult stale = e.apply(1, 6, NONE, user(false, "u1", "Bob", Precondition.version(2)));
      assertThat(stale.rejection().code()).isEqualTo(ErrorCode.AERO_TXN_PRECONDITION_FAILED);
      assertThat(stale.rejection().details())
          .containsEntry("expectedVersion", "2")
          .containsEntry("actualVersion", "3")
          .containsEntry("operation", "update")
          .containsEntry("id", "u1");
      assertThat(json(e, "users", "u1", 6)).contains("Ada");

      CommandResult ok = e.apply(1, 7, NONE, user(false, "u1", "Bob", Precondition.version(3)));
      assertThat(ok.isOk()).isTrue();
      assertThat(read(e, "users", "u1", 7).get().index()).isEqualTo(7);

      // a delete guarded on the old version fails; on the new one it succeeds; then "absent" holds
      assertThat(
              e.apply(1, 8, NONE, new Delete("users", "u1", Precondition.version(3))).rejection())
          .isNotNull();
      assertThat(e.apply(1, 9, NONE, new Delete("users", "u1", Precondition.version(7))).existed())
          .isTrue();
      CommandResult absentAgain =
          e.apply(1, 10, NONE, user(true, "u1", "Cy", Precondition.absent()));
      assertThat(absentAgain.isOk()).as(String.valueOf(absentAgain.rejection())).isTrue();
      CommandResult notAbsent = e.apply(1, 11, NONE, user(true, "u1", "D", Precondition.absent()));
      assertThat(notAbsent.rejection().details()).containsEntry("actualVersion", "10");
      // an update of a document that is absent names "absent" as the actual version
      CommandResult gone = e.apply(1, 12, NONE, user(false, "zz", "E", Precondition.version(5)));
      assertThat(gone.rejection().code()).isEqualTo(ErrorCode.AERO_TXN_PRECONDITION_FAILED);
      assertThat(gone.rejection().details()).containsEntry("actualVersion", "absent");
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aBatchAcrossCollectionsTakesEffectAtOneIndex(StoreKind kind) {
    try (Engine e = seeded(Engine.open(kind.open(dir)))) {
      AtomicBatch transfer =
          new AtomicBatch(
              List.of(
                  account(false, "a1", 70, Precondition.version(4)),
                  account(false, "a2", 80, Precondition.version(5)),
                  user(true, "u2", "Bea", Precondition.absent()),
                  new Delete("users", "u1", Precondition.NONE),
                  new Delete("users", "nobody", Precondition.NONE)));
      CommandResult r = e.apply(1, 6, key("t1"), transfer);
      assertThat(r.isOk()).as(String.valueOf(r.rejection())).isTrue();
      assertThat(r.commitIndex()).isEqualTo(6);
      assertThat(r.operations())
          .containsExactly(
              new CommandResult.Operation(true, 1),
              new CommandResult.Operation(true, 1),
              new CommandResult.Operation(false, 1),
              new CommandResult.Operation(true, 0),
              new CommandResult.Operation(false, 0));
      // nothing of it before its index, all of it at its index
      assertThat(json(e, "accounts", "a1", 5)).contains("100");
      assertThat(json(e, "users", "u2", 5)).isNull();
      assertThat(json(e, "users", "u1", 5)).contains("Ada");
      assertThat(read(e, "accounts", "a1", 6).get().index()).isEqualTo(6);
      assertThat(read(e, "accounts", "a2", 6).get().index()).isEqualTo(6);
      assertThat(read(e, "users", "u2", 6).get().index()).isEqualTo(6);
      assertThat(json(e, "users", "u1", 6)).isNull();

      // the retry of the same request_id returns the original results, though its guards now fail
      CommandResult retry = e.apply(1, 7, key("t1"), transfer);
      assertThat(retry.deduplicated()).isTrue();
      assertThat(retry.commitIndex()).isEqualTo(6);
      assertThat(retry.operations()).isEqualTo(r.operations());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aFailingOperationLeavesEveryOperationUnapplied(StoreKind kind) {
    try (Engine e = seeded(Engine.open(kind.open(dir)))) {
      byte[] before = e.applied().digest();
      List<Command> failing =
          List.of(
              // a failed guard at position 2
              account(false, "a2", 1, Precondition.version(4)),
              // a schema violation at position 1
              account(false, "a2", 1, Precondition.NONE),
              // a document written twice
              account(false, "a1", 2, Precondition.NONE));
      List<AtomicBatch> batches =
          List.of(
              new AtomicBatch(
                  List.of(
                      account(false, "a1", 1, Precondition.version(4)),
                      user(true, "u9", "Z", Precondition.NONE),
                      failing.get(0))),
              new AtomicBatch(
                  List.of(
                      user(true, "u9", "Z", Precondition.NONE),
                      new Insert("accounts", utf8("{\"_id\":\"a3\",\"balance\":\"x\"}")),
                      account(false, "a1", 1, Precondition.NONE))),
              new AtomicBatch(
                  List.of(
                      account(false, "a1", 1, Precondition.NONE),
                      user(true, "u9", "Z", Precondition.NONE),
                      failing.get(2))));
      List<ErrorCode> codes =
          List.of(
              ErrorCode.AERO_TXN_PRECONDITION_FAILED,
              ErrorCode.AERO_VALIDATION_TYPE_MISMATCH,
              ErrorCode.AERO_TXN_DOCUMENT_REPEATED);
      List<String> positions = List.of("2", "1", "2");
      long index = 6;
      for (int i = 0; i < batches.size(); i++, index++) {
        CommandResult r = e.apply(1, index, NONE, batches.get(i));
        assertThat(r.rejection()).as("batch " + i).isNotNull();
        assertThat(r.rejection().code()).isEqualTo(codes.get(i));
        assertThat(r.rejection().details())
            .containsEntry("operationIndex", positions.get(i))
            .containsKey("operationKind");
        assertThat(r.rejection().message()).startsWith("batch operation " + positions.get(i));
        assertThat(r.operations()).isEmpty();
        // no operation of the batch is visible at its index
        assertThat(read(e, "accounts", "a1", index).get().index()).isEqualTo(4);
        assertThat(read(e, "users", "u9", index)).isEmpty();
      }
      assertThat(e.applied().digest()).isNotEqualTo(before); // the index moved, nothing else
    }
  }

  @Test
  void limitsAreNamedAndThePreparedBatchIsRefusedAsApplyWouldRefuseIt() {
    try (Engine e = seeded(Engine.open(StoreKind.MEMORY.open(dir)))) {
      AeroException empty = catchAero(() -> e.prepare(NONE, new AtomicBatch(List.of())));
      assertThat(empty.code()).isEqualTo(ErrorCode.AERO_LIMIT_BATCH_OPERATIONS);
      assertThat(empty.error().details()).containsEntry("limit", "batchOperationsMax");

      List<Command> many = new ArrayList<>();
      for (int i = 0; i <= Limits.BATCH_OPERATIONS_MAX; i++) {
        many.add(new Delete("users", "d" + i));
      }
      assertThat(e.apply(1, 6, NONE, new AtomicBatch(many)).rejection().code())
          .isEqualTo(ErrorCode.AERO_LIMIT_BATCH_OPERATIONS);

      List<Command> big = new ArrayList<>();
      String name = "x".repeat(600_000);
      for (int i = 0; i < 4; i++) {
        big.add(user(true, "b" + i, name, Precondition.NONE));
      }
      AeroException tooBig = catchAero(() -> e.prepare(NONE, new AtomicBatch(big)));
      assertThat(tooBig.code()).isEqualTo(ErrorCode.AERO_LIMIT_BATCH_SIZE);
      assertThat(tooBig.error().details()).containsEntry("limit", "batchBytesMax");
      assertThat(e.apply(1, 7, NONE, new AtomicBatch(big)).rejection().code())
          .isEqualTo(ErrorCode.AERO_LIMIT_BATCH_SIZE);

      AeroException stale =
          catchAero(
              () ->
                  e.prepare(
                      NONE,
                      new AtomicBatch(
                          List.of(
                              user(true, "u5", "A", Precondition.NONE),
                              account(false, "a1", 1, Precondition.version(99))))));
      assertThat(stale.code()).isEqualTo(ErrorCode.AERO_TXN_PRECONDITION_FAILED);
      assertThat(stale.error().details()).containsEntry("operationIndex", "1");

      AeroException twice =
          catchAero(
              () ->
                  e.prepare(
                      NONE,
                      new AtomicBatch(
                          List.of(
                              new Delete("accounts", "a1"),
                              account(false, "a1", 1, Precondition.NONE)))));
      assertThat(twice.code()).isEqualTo(ErrorCode.AERO_TXN_DOCUMENT_REPEATED);

      // the prepared batch is canonical and carries the schema version it was validated against
      AtomicBatch prepared =
          (AtomicBatch)
              e.prepare(
                      NONE,
                      new AtomicBatch(
                          List.of(
                              new Insert("users", utf8("{ \"name\" : \"Q\", \"_id\" : \"q1\" }")))))
                  .command();
      Insert op = (Insert) prepared.operations().get(0);
      assertThat(new String(op.documentJson(), StandardCharsets.UTF_8))
          .isEqualTo("{\"_id\":\"q1\",\"name\":\"Q\"}");
      assertThat(op.schemaVersion()).isEqualTo(1);
    }
  }

  @Test
  void theRetryOfARecordedGuardedWriteIsNotRefusedAtPrepare() {
    try (Engine e = seeded(Engine.open(StoreKind.MEMORY.open(dir)))) {
      Command cas = user(false, "u1", "Bob", Precondition.version(3));
      assertThat(e.prepare(key("k"), cas).command()).isNotNull();
      assertThat(e.apply(1, 6, key("k"), cas).isOk()).isTrue();
      // the guard no longer holds, but the request_id is recorded: prepare lets apply answer
      assertThat(e.prepare(key("k"), cas).command()).isNotNull();
      CommandResult again = e.apply(1, 7, key("k"), cas);
      assertThat(again.deduplicated()).isTrue();
      assertThat(again.commitIndex()).isEqualTo(6);
      // the same key with another guard is another command
      Command other = user(false, "u1", "Bob", Precondition.version(6));
      assertThat(e.apply(1, 8, key("k"), other).rejection().code())
          .isEqualTo(ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED);
      // a write status answers from the same table
      Engine.WriteStatus s = e.writeStatus(key("k"), 8);
      assertThat(s.result().get().commitIndex()).isEqualTo(6);
      assertThat(e.writeStatus(key("never"), 8).result()).isEmpty();
      e.apply(1, 9, key("dup"), user(true, "u1", "Dup", Precondition.NONE));
      assertThat(e.writeStatus(key("dup"), 9).result().get().rejection().code())
          .isEqualTo(ErrorCode.AERO_DOCUMENT_EXISTS);
      assertThat(s.rememberedFrom()).isEqualTo(1);
    }
  }

  private static AeroException catchAero(Runnable r) {
    try {
      r.run();
    } catch (AeroException e) {
      return e;
    }
    throw new AssertionError("expected an AeroException");
  }

  @Test
  void aBatchCarriesOnlyDocumentWrites() {
    assertThatThrownBy(() -> new AtomicBatch(List.of(createUsers())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
