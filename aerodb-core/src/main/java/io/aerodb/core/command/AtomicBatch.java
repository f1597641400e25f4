package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Inserts, updates and deletes across collections, each optionally guarded [TX2], applied
 * atomically as one log entry [TX1]: every operation takes effect at the entry's index, or — if any
 * guard, validation or rule fails — none does, and the rejection names the failing operation (its
 * position from 0, its kind, collection and document) with that operation's own code. Every
 * operation sees the state before the entry; a batch writes each document at most once.
 *
 * <p>Limits [TX1]: 1..{@link Limits#BATCH_OPERATIONS_MAX} operations and at most {@link
 * Limits#BATCH_BYTES_MAX} bytes of documents and ids (canonical, as the log holds them).
 *
 * @param operations {@link Insert}, {@link Update} and {@link Delete} commands, in order
 */
public record AtomicBatch(List<Command> operations) implements Command {

  public AtomicBatch {
    operations = List.copyOf(operations);
    for (Command c : operations) {
      if (!c.isDocumentWrite()) {
        throw new IllegalArgumentException("a batch carries only inserts, updates and deletes");
      }
    }
  }

  /** A batch addresses several collections: its collection is "". */
  @Override
  public String collection() {
    return "";
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    checkCount();
    List<Command> canonical = new ArrayList<>(operations.size());
    TreeMap<DocumentKey, Integer> written = new TreeMap<>();
    for (int i = 0; i < operations.size(); i++) {
      Command op = operations.get(i);
      Prepared p;
      try {
        p = op.prepare(context);
      } catch (AeroException e) {
        throw failed(i, op, e).toException();
      }
      if (context.checksState() && p.documentKey().isPresent()) {
        DocumentKey key = p.documentKey().get();
        if (written.putIfAbsent(key, i) != null) {
          throw named(i, op, repeated(key)).toException();
        }
      }
      canonical.add(p.command());
    }
    AtomicBatch prepared = new AtomicBatch(canonical);
    if (context.checksState()) {
      prepared.checkBytes();
    }
    return Prepared.of(prepared);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    checkCount();
    checkBytes();
    ApplyContext scratch = context.forBatchOperations();
    List<CommandResult.Operation> results = new ArrayList<>(operations.size());
    for (int i = 0; i < operations.size(); i++) {
      Command op = operations.get(i);
      CommandResult r;
      try {
        r = op.apply(scratch);
      } catch (AeroException e) {
        throw failed(i, op, e).toException();
      }
      results.add(new CommandResult.Operation(r.existed(), r.schemaVersion()));
    }
    context.absorb(scratch); // every operation succeeded: all of them take effect [TX1]
    return CommandResult.batch(context.index(), results);
  }

  private void checkCount() {
    if (operations.isEmpty() || operations.size() > Limits.BATCH_OPERATIONS_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_BATCH_OPERATIONS,
              "a batch carries 1 to "
                  + Limits.BATCH_OPERATIONS_MAX
                  + " operations, this one "
                  + operations.size(),
              "limit",
              "batchOperationsMax",
              "limitValue",
              Integer.toString(Limits.BATCH_OPERATIONS_MAX),
              "operations",
              Integer.toString(operations.size()))
          .toException();
    }
  }

  private void checkBytes() {
    long bytes = 0;
    for (Command op : operations) {
      bytes += payloadBytes(op);
    }
    if (bytes > Limits.BATCH_BYTES_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_BATCH_SIZE,
              "the batch's documents and ids take "
                  + bytes
                  + " bytes, above the limit of "
                  + Limits.BATCH_BYTES_MAX,
              "limit",
              "batchBytesMax",
              "limitValue",
              Integer.toString(Limits.BATCH_BYTES_MAX),
              "bytes",
              Long.toString(bytes))
          .toException();
    }
  }

  private static long payloadBytes(Command op) {
    if (op instanceof Insert i) {
      return i.documentJson().length;
    }
    if (op instanceof Update u) {
      return u.documentJson().length;
    }
    return ((Delete) op).id().getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * A store failure passes unchanged (the replica stops); any other failure names the operation.
   */
  private static AeroError failed(int position, Command op, AeroException e) {
    if (e.code() == ErrorCode.AERO_STORAGE_IO || e.code() == ErrorCode.AERO_STORAGE_CORRUPTION) {
      throw e;
    }
    return named(position, op, e.error());
  }

  /** The operation's own error, its message prefixed with the operation, its details with it. */
  static AeroError named(int position, Command op, AeroError error) {
    TreeMap<String, String> details = new TreeMap<>(error.details());
    details.put("operationIndex", Integer.toString(position));
    details.put("operationKind", op.commandName());
    details.put("operationCollection", op.collection());
    return new AeroError(
        error.code(),
        "batch operation "
            + position
            + " ("
            + op.commandName()
            + " in '"
            + op.collection()
            + "') failed, nothing was applied: "
            + error.message(),
        details);
  }

  static AeroError repeated(DocumentKey key) {
    return AeroError.of(
        ErrorCode.AERO_TXN_DOCUMENT_REPEATED,
        "document '"
            + key.id()
            + "' of '"
            + key.collection()
            + "' is written by an earlier operation of the batch; a batch writes each document at"
            + " most once",
        "collection",
        key.collection(),
        "id",
        key.id());
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "batch";
  }

  /** Each operation's own fingerprint (32 bytes), in order. */
  @Override
  public byte[] fingerprintBody() {
    byte[] body = new byte[32 * operations.size()];
    for (int i = 0; i < operations.size(); i++) {
      System.arraycopy(operations.get(i).fingerprint(), 0, body, 32 * i, 32);
    }
    return body;
  }
}
