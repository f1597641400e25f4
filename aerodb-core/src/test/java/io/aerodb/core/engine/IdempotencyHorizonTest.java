package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.SetIdempotencyHorizon;
import io.aerodb.core.error.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotency horizon is a replicated setting: a SetIdempotencyHorizon entry raises it on every
 * node from its own index on, records written before it are kept the longer time, it is never
 * lowered nor raised past the maximum, and it survives a restart.
 */
class IdempotencyHorizonTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  @Test
  void raisingTheHorizonKeepsRequestIdsLongerOnEveryNodeAndAcrossARestart() {
    try (Engine e = Engine.open(StoreKind.ROCKSDB.open(dir), 3)) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, key("a"), insert("u1", "Ada")); // with a horizon of 3: forgotten at 5
      CommandResult raised = e.apply(1, 3, NONE, new SetIdempotencyHorizon(2_000_000));
      assertThat(raised.isOk()).as(String.valueOf(raised.rejection())).isTrue();
      assertThat(e.idempotencyHorizon()).isEqualTo(2_000_000);
      for (long i = 4; i <= 10; i++) {
        e.apply(1, i, NONE, insert("x" + i, "X"));
      }
      CommandResult retry = e.apply(1, 11, key("a"), insert("u1", "Ada"));
      assertThat(retry.deduplicated()).isTrue();
      assertThat(retry.commitIndex()).isEqualTo(2);
      assertThat(e.writeStatus(key("a"), 11).rememberedFrom()).isEqualTo(1);

      // never lowered, never past the maximum
      assertThat(e.apply(1, 12, NONE, new SetIdempotencyHorizon(1_500_000)).rejection().code())
          .isEqualTo(ErrorCode.AERO_IDEMPOTENCY_HORIZON_INVALID);
      assertThat(
              e.apply(1, 13, NONE, new SetIdempotencyHorizon(SetIdempotencyHorizon.MAX + 1))
                  .rejection()
                  .details())
          .containsEntry("current", "2000000")
          .containsEntry("max", Long.toString(SetIdempotencyHorizon.MAX));
    }
    try (Engine e = Engine.open(StoreKind.ROCKSDB.open(dir), 3)) {
      assertThat(e.idempotencyHorizon()).isEqualTo(2_000_000); // persisted, not the default
    }
  }

  @Test
  void withoutARaiseARecordIsForgottenAfterTheHorizon() {
    try (Engine e = Engine.open(StoreKind.MEMORY.open(dir), 3)) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, key("a"), insert("u1", "Ada"));
      for (long i = 3; i <= 5; i++) {
        e.apply(1, i, NONE, insert("x" + i, "X"));
      }
      assertThat(e.writeStatus(key("a"), 5).result()).isEmpty();
      assertThat(e.writeStatus(key("a"), 5).rememberedFrom()).isEqualTo(3);
    }
  }
}
