package io.aerodb.core.engine;

import io.aerodb.core.command.ApplyContext;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Rejections;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns one log entry into one store batch: for each write, in order, the entry's rules (a group
 * carries only document writes, no request_id twice), the idempotency table, then the command's own
 * rule ({@link Command#apply}); then the expiry of old idempotency records, the applied (term,
 * index) and the state digest. Builds; never writes: {@link Engine} writes the batch and publishes
 * the state. Deterministic: the same entry on the same state gives the same bytes on every node.
 *
 * <p>Not thread-safe: the apply thread owns it.
 */
final class Applier {
  private final KvStore store;
  private final StateDigest digest = new StateDigest();

  Applier(KvStore store) {
    this.store = store;
  }

  /** An applied entry before its batch is written: the batch, the state after it, the results. */
  record Outcome(WriteBatch batch, EngineState after, AppliedEntry entry) {}

  Outcome apply(EngineState before, long term, long index, Entry entry) {
    long previous = before.applied().index();
    Invariants.check(
        index > previous,
        () -> "apply of index " + index + " at or below applied index " + previous);
    WriteBatch batch = new WriteBatch();
    ApplyContext context =
        new ApplyContext(
            term,
            index,
            store,
            previous,
            batch,
            before.catalog(),
            before.authority(),
            before.gcFloor(),
            before.idempotencyHorizon());
    TreeSet<String> requestIds = new TreeSet<>(); // a request_id may appear once per entry
    List<Write> writes = entry.writes();
    List<CommandResult> results = new ArrayList<>(writes.size());
    for (int slot = 0; slot < writes.size(); slot++) {
      Write w = writes.get(slot);
      byte[] key = w.requestId();
      Command command = w.command();
      CommandResult result = null;
      if (entry.isGroup() && !command.isDocumentWrite()) {
        result =
            CommandResult.rejected(
                index, Rejections.malformedEntry(index, "a batch carries only document writes"));
      } else if (key.length > Limits.REQUEST_ID_BYTES_MAX) {
        result = CommandResult.rejected(index, Rejections.requestIdTooLong(key));
      } else if (key.length > 0 && !requestIds.add(Bytes.hex(key))) {
        result =
            CommandResult.rejected(
                index, Rejections.malformedEntry(index, "a request_id appears twice in one entry"));
      } else if (key.length > 0) {
        Optional<IdempotencyTable.Record> prior = IdempotencyTable.find(store, key);
        if (prior.isPresent()) {
          result =
              Arrays.equals(prior.get().fingerprint(), command.fingerprint())
                  ? prior.get().result().asDeduplicated()
                  : CommandResult.rejected(index, Rejections.keyReused(prior.get().index()));
          key = Write.NO_REQUEST_ID; // nothing new to record
        }
      }
      if (result == null) {
        result = execute(command, context);
        // a malformed entry is no verdict on the command: a retry of it must be judged afresh
        boolean malformed =
            result.rejection() != null
                && result.rejection().code() == ErrorCode.AERO_LOG_ENTRY_INVALID;
        if (key.length > 0 && !malformed) {
          IdempotencyTable.record(batch, key, index, slot, command.fingerprint(), result);
        }
      }
      results.add(result);
    }
    // the horizon in force after this entry (a SetIdempotencyHorizon in it applies at once)
    IdempotencyTable.expire(store, batch, index - context.idempotencyHorizon());

    AppliedState after =
        new AppliedState(term, index, digest.chain(before.applied().digest(), index, batch));
    batch.put(Keys.applied(), after.encode());
    batch.put(Keys.digestAt(index), after.digest()); // the digest history (cluster verify)
    return new Outcome(
        batch,
        new EngineState(
            after,
            context.catalog(),
            context.authority(),
            context.gcFloor(),
            context.idempotencyHorizon()),
        new AppliedEntry(results, context.authorityRecords()));
  }

  /** The command's rule; a rejection (any AeroException but a store failure) is a result. */
  private static CommandResult execute(Command command, ApplyContext context) {
    try {
      return command.apply(context);
    } catch (AeroException e) {
      if (e.code() == ErrorCode.AERO_STORAGE_IO || e.code() == ErrorCode.AERO_STORAGE_CORRUPTION) {
        throw e; // a store failure is no result: this replica stops, the others go on
      }
      return CommandResult.rejected(context.index(), e.error());
    }
  }
}
