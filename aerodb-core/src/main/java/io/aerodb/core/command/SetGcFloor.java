package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;

/**
 * Raises the MVCC garbage-collection floor, a replicated decision (docs/adr/0008): afterwards every
 * node may collect each version that a newer version of the same document at or below the floor
 * shadows, and each tombstone at or below the floor (with everything it shadows), together with
 * their index entries; a read below the floor is refused (AERO_MVCC_SNAPSHOT_TOO_OLD).
 *
 * <p>Rules, on prepare and again on apply: the floor never goes down, and it stays below the
 * entry's own index (a floor at or above the applied index on the leader is refused at once).
 */
public record SetGcFloor(long floor) implements Command {
  @Override
  public String collection() {
    return "";
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    check(floor, context.gcFloor(), context.view() + 1);
    return Prepared.of(this);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    check(floor, context.gcFloor(), context.index());
    context.changeGcFloor(floor);
    return CommandResult.ok(context.index(), false, 0);
  }

  /**
   * @param above the floor must stay below this index (the entry's own index on apply)
   */
  private static void check(long floor, long current, long above) {
    if (floor < current) {
      throw AeroError.of(
              ErrorCode.AERO_GC_FLOOR_INVALID,
              "the GC floor "
                  + floor
                  + " is below the current floor "
                  + current
                  + " (history below it is already collected)",
              "floor",
              Long.toString(floor),
              "currentFloor",
              Long.toString(current))
          .toException();
    }
    if (floor >= above) {
      throw AeroError.of(
              ErrorCode.AERO_GC_FLOOR_INVALID,
              "the GC floor "
                  + floor
                  + " is not below the applied index "
                  + (above - 1)
                  + " (a floor covers only committed history)",
              "floor",
              Long.toString(floor),
              "appliedIndex",
              Long.toString(above - 1))
          .toException();
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "gc-floor";
  }

  @Override
  public byte[] fingerprintBody() {
    return Bytes.ofLong(floor);
  }
}
