package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import java.util.List;
import java.util.Optional;

/**
 * The deterministic result of applying one log entry, identical on every node. A rejection is a
 * result, not an exception: the entry still consumed its index.
 *
 * @param commitIndex the log index of the entry that produced this result (for a deduplicated
 *     retry: of the original entry)
 * @param rejection the rejection, or null if the command took effect
 * @param existed for Delete: whether a live document existed; true for the other commands that
 *     succeed
 * @param deduplicated whether this is the stored result of an earlier entry with the same
 *     request_id
 * @param schemaVersion the schema version used (Insert/Update) or created (CreateCollection); 0
 *     otherwise
 * @param operations for an {@link AtomicBatch} that took effect: each operation's result, in order
 *     (all share {@code commitIndex}); empty otherwise
 */
public record CommandResult(
    long commitIndex,
    AeroError rejection,
    boolean existed,
    boolean deduplicated,
    int schemaVersion,
    List<Operation> operations) {

  /** The result of one operation of a batch: as for the single write of its kind. */
  public record Operation(boolean existed, int schemaVersion) {}

  public CommandResult {
    operations = List.copyOf(operations);
  }

  public CommandResult(
      long commitIndex,
      AeroError rejection,
      boolean existed,
      boolean deduplicated,
      int schemaVersion) {
    this(commitIndex, rejection, existed, deduplicated, schemaVersion, List.of());
  }

  /** A batch that took effect at {@code commitIndex}. */
  public static CommandResult batch(long commitIndex, List<Operation> operations) {
    return new CommandResult(commitIndex, null, true, false, 0, operations);
  }

  public static CommandResult ok(long commitIndex, boolean existed, int schemaVersion) {
    return new CommandResult(commitIndex, null, existed, false, schemaVersion);
  }

  public static CommandResult rejected(long commitIndex, AeroError rejection) {
    return new CommandResult(commitIndex, rejection, false, false, 0);
  }

  public boolean isOk() {
    return rejection == null;
  }

  public Optional<AeroError> rejectionIfAny() {
    return Optional.ofNullable(rejection);
  }

  public CommandResult asDeduplicated() {
    return new CommandResult(commitIndex, rejection, existed, true, schemaVersion, operations);
  }
}
