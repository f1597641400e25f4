package io.aerodb.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.error.ErrorCode;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replicated authority history [P6-D2]: records are applied like any entry, the derived state
 * (latest epoch, a transfer that never ended [P6-O1], the peer directory) follows the records in
 * log order, survives a reopen, and a malformed record is a deterministic rejection.
 */
class AuthorityHistoryTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  private static Command record(String kind, String... kv) {
    TreeMap<String, String> f = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      f.put(kv[i], kv[i + 1]);
    }
    return new RecordAuthority(kind, f);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theHistoryDerivesEpochsPendingTransfersAndTheDirectory(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, record("epoch", "leaderId", "n1", "cause", "election"));
      e.apply(1, 2, NONE, record("transfer-intent", "requestId", "t1", "from", "n1", "to", "n2"));
      assertThat(e.authority().pendingTransfer().map(r -> r.field("requestId"))).contains("t1");
      e.apply(
          2, 4, NONE, record("epoch", "leaderId", "n2", "cause", "transfer", "requestId", "t1"));
      assertThat(e.authority().pendingTransfer()).isEmpty();
      assertThat(e.authority().lastEpoch().map(AuthorityRecord::term)).contains(2L);

      e.apply(2, 5, NONE, record("transfer-intent", "requestId", "t2", "from", "n2", "to", "n3"));
      e.apply(2, 6, NONE, record("transfer-outcome", "requestId", "t2", "outcome", "FAILED"));
      assertThat(e.authority().pendingTransfer()).isEmpty();

      e.apply(
          2,
          7,
          NONE,
          record(
              "membership",
              "requestId",
              "m1",
              "action",
              "add-learner",
              "nodeId",
              "n4",
              "apiAddress",
              "h:4",
              "raftAddress",
              "h:3"));
      assertThat(e.authority().directory().get("n4").voter()).isFalse();
      e.apply(
          2, 8, NONE, record("membership", "requestId", "m2", "action", "promote", "nodeId", "n4"));
      assertThat(e.authority().directory().get("n4").voter()).isTrue();
      assertThat(e.authority().directory().get("n4").apiAddress()).isEqualTo("h:4");

      CommandResult bad = e.apply(2, 9, NONE, record("epoch", "leaderId", "n2"));
      assertThat(bad.rejection().code()).isEqualTo(ErrorCode.AERO_REQUEST_INVALID);
      assertThat(bad.rejection().details()).containsEntry("field", "cause");

      assertThat(e.authorityHistory(0, 100))
          .extracting(AuthorityRecord::index)
          .containsExactly(1L, 2L, 4L, 5L, 6L, 7L, 8L);
      assertThat(e.authorityHistory(5, 2))
          .extracting(AuthorityRecord::index)
          .containsExactly(6L, 7L);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aTransferThatNeverEndedStaysPendingAcrossAReopen(StoreKind kind) {
    String digest;
    var store = kind.open(dir);
    try (Engine e = Engine.open(store)) {
      e.apply(3, 10, NONE, record("transfer-intent", "requestId", "t9", "from", "n1", "to", "n2"));
      digest = e.applied().digestHex();
      if (kind == StoreKind.MEMORY) {
        // an in-memory store cannot be reopened; check the derivation from its records instead
        AuthorityState s = AuthorityHistory.load(store);
        assertThat(s.pendingTransfer().map(r -> r.field("to"))).contains("n2");
        return;
      }
    }
    try (Engine e = Engine.open(kind.open(dir))) {
      assertThat(e.applied().digestHex()).isEqualTo(digest);
      assertThat(e.authority().pendingTransfer().map(r -> r.field("requestId"))).contains("t9");
    }
  }
}
