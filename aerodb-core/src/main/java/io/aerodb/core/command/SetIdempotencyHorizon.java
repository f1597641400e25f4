package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;

/**
 * Raises the idempotency horizon, a replicated decision: from this entry on, a request_id is
 * remembered for {@code entries} log entries (docs/FORMATS.md, Idempotency records), identically on
 * every node. Rules, on prepare and again on apply: between {@link #MIN} and {@link #MAX}, and
 * never lower than the horizon in force (each applied entry forgets the records of exactly one
 * earlier entry, so a lower horizon would leave the records between the two horizons behind for
 * ever).
 */
public record SetIdempotencyHorizon(long entries) implements Command {
  /** The least horizon: the one every cluster starts with. */
  public static final long MIN = 1_000_000L;

  /** The greatest horizon: its records are what the store keeps for retries. */
  public static final long MAX = 1_000_000_000L;

  @Override
  public String collection() {
    return "";
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    check(entries, MIN);
    return Prepared.of(this);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    check(entries, context.idempotencyHorizon());
    context.changeIdempotencyHorizon(entries);
    return CommandResult.ok(context.index(), false, 0);
  }

  private static void check(long entries, long current) {
    if (entries < Math.max(MIN, current) || entries > MAX) {
      throw AeroError.of(
              ErrorCode.AERO_IDEMPOTENCY_HORIZON_INVALID,
              "the idempotency horizon of "
                  + entries
                  + " entries is outside "
                  + Math.max(MIN, current)
                  + ".."
                  + MAX
                  + " (it is only ever raised: the horizon in force is "
                  + current
                  + ")",
              "entries",
              Long.toString(entries),
              "current",
              Long.toString(current),
              "max",
              Long.toString(MAX))
          .toException();
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "idempotency-horizon";
  }

  @Override
  public byte[] fingerprintBody() {
    return Bytes.ofLong(entries);
  }
}
