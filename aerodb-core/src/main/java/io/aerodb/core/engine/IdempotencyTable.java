package io.aerodb.core.engine;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Results of commands that carried a client request_id, kept so that a retry returns the original
 * result instead of applying twice (SPEC §4). Lives in the state machine, not in Ratis' retry
 * cache, and is replicated like everything else: every node holds the same records.
 *
 * <p>Horizon H ({@link #HORIZON_ENTRIES} until a SetIdempotencyHorizon entry raises it, on every
 * node from that entry on): a record written at index i is removed when entry {@code i + H} is
 * applied, so the horizon is measured in log entries, identically on every node (never in
 * wall-clock time, which would make apply non-deterministic). Applying an entry removes the records
 * of one earlier entry: at most one per write of a batch, a bounded amount of work. Each record is
 * found by its own key (entry index and the write's position in it), so every write of a batch
 * entry expires, not only its last one.
 *
 * <p>Value layout: {@code index u64 | fingerprint (32 bytes) | result as canonical JSON} (an atomic
 * batch's result adds {@code operations}: each operation's {@code existed} and {@code
 * schemaVersion}).
 */
public final class IdempotencyTable {
  /**
   * Log entries a request_id stays known for until the horizon is raised: far longer than Ratis'
   * retry cache (60 s).
   */
  public static final long HORIZON_ENTRIES = 1_000_000L;

  /** A stored record. */
  public record Record(long index, byte[] fingerprint, CommandResult result) {}

  private IdempotencyTable() {}

  public static Optional<Record> find(KvStore store, byte[] requestId) {
    byte[] v = store.get(Keys.idempotency(requestId));
    if (v == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Record(
            Bytes.getLong(v, 0),
            Arrays.copyOfRange(v, 8, 40),
            decodeResult(Arrays.copyOfRange(v, 40, v.length))));
  }

  /**
   * Adds the writes recording {@code result} for {@code requestId}, written by the {@code slot}-th
   * write of the entry at {@code index} (0 for an entry that is not a batch).
   */
  public static void record(
      WriteBatch batch,
      byte[] requestId,
      long index,
      int slot,
      byte[] fingerprint,
      CommandResult result) {
    byte[] json = encodeResult(result);
    byte[] v = new byte[40 + json.length];
    Bytes.putLong(v, 0, index);
    System.arraycopy(fingerprint, 0, v, 8, 32);
    System.arraycopy(json, 0, v, 40, json.length);
    batch.put(Keys.idempotency(requestId), v);
    batch.put(Keys.idempotencyByIndex(index, slot), requestId);
  }

  /**
   * Adds the writes that forget every record written by the entry at index {@code expiring} (a
   * store written before records carried their slot holds the bare index key: it matches too).
   */
  public static void expire(KvStore store, WriteBatch batch, long expiring) {
    if (expiring <= 0) {
      return;
    }
    byte[] prefix = Keys.idempotencyByIndexPrefix(expiring);
    try (KvCursor c = store.seek(prefix)) {
      for (; c.valid() && Bytes.startsWith(c.key(), prefix); c.next()) {
        batch.delete(c.key());
        batch.delete(Keys.idempotency(c.value()));
      }
    }
  }

  static byte[] encodeResult(CommandResult r) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("commitIndex", new JsonValue.Int(r.commitIndex()));
    m.put("existed", new JsonValue.Bool(r.existed()));
    m.put("schemaVersion", new JsonValue.Int(r.schemaVersion()));
    if (r.rejection() != null) {
      TreeMap<String, JsonValue> rej = new TreeMap<>(JsonValue.KEY_ORDER);
      rej.put("code", new JsonValue.Str(r.rejection().code().name()));
      rej.put("message", new JsonValue.Str(r.rejection().message()));
      TreeMap<String, JsonValue> details = new TreeMap<>(JsonValue.KEY_ORDER);
      r.rejection().details().forEach((k, v) -> details.put(k, new JsonValue.Str(v)));
      rej.put("details", new JsonValue.Obj(details));
      m.put("rejection", new JsonValue.Obj(rej));
    }
    if (!r.operations().isEmpty()) { // an atomic batch's per-operation results
      java.util.List<JsonValue> ops = new java.util.ArrayList<>(r.operations().size());
      for (CommandResult.Operation op : r.operations()) {
        TreeMap<String, JsonValue> o = new TreeMap<>(JsonValue.KEY_ORDER);
        o.put("existed", new JsonValue.Bool(op.existed()));
        o.put("schemaVersion", new JsonValue.Int(op.schemaVersion()));
        ops.add(new JsonValue.Obj(o));
      }
      m.put("operations", new JsonValue.Arr(ops));
    }
    return CanonicalJson.toBytes(new JsonValue.Obj(m));
  }

  static CommandResult decodeResult(byte[] json) {
    JsonValue.Obj m =
        (JsonValue.Obj) JsonReader.parse(json, io.aerodb.core.limits.Limits.DOCUMENT_JSON);
    AeroError rejection = null;
    if (m.get("rejection") instanceof JsonValue.Obj rej) {
      TreeMap<String, String> details = new TreeMap<>();
      for (Map.Entry<String, JsonValue> e :
          ((JsonValue.Obj) rej.get("details")).fields().entrySet()) {
        details.put(e.getKey(), ((JsonValue.Str) e.getValue()).value());
      }
      rejection =
          new AeroError(
              ErrorCode.valueOf(((JsonValue.Str) rej.get("code")).value()),
              ((JsonValue.Str) rej.get("message")).value(),
              details);
    }
    java.util.List<CommandResult.Operation> operations = new java.util.ArrayList<>();
    if (m.get("operations") instanceof JsonValue.Arr ops) {
      for (JsonValue v : ops.elements()) {
        JsonValue.Obj o = (JsonValue.Obj) v;
        operations.add(
            new CommandResult.Operation(
                ((JsonValue.Bool) o.get("existed")).value(),
                (int) ((JsonValue.Int) o.get("schemaVersion")).value()));
      }
    }
    return new CommandResult(
        ((JsonValue.Int) m.get("commitIndex")).value(),
        rejection,
        ((JsonValue.Bool) m.get("existed")).value(),
        false,
        (int) ((JsonValue.Int) m.get("schemaVersion")).value(),
        operations);
  }
}
