package io.aerodb.core.authority;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated authority history [P6-D2] (docs/FORMATS.md, Authority history): records of kind
 *
 * <ul>
 *   <li>{@code epoch} — a new leader's first entry: leaderId, cause ({@code election} or {@code
 *       transfer}), requestId (the transfer's, if that caused it), abandonedRequestId (a transfer
 *       that was started under an earlier leader and never ended: a crash in the middle of a
 *       transfer [P6-O1]);
 *   <li>{@code transfer-intent} — an approved transfer about to run: requestId, from, to;
 *   <li>{@code transfer-outcome} — a transfer that ended without a new epoch: requestId, outcome,
 *       detail;
 *   <li>{@code membership} — requestId, action (add-learner, promote, remove), nodeId, apiAddress,
 *       raftAddress;
 *   <li>{@code unsafe-recovery} — the audit record of an offline unsafe recovery.
 * </ul>
 *
 * Stored under key {@code 0x05 index u64} as canonical JSON. Validation is deterministic: a
 * malformed record is rejected identically on every node.
 */
public final class AuthorityHistory {
  public static final String EPOCH = "epoch";
  public static final String TRANSFER_INTENT = "transfer-intent";
  public static final String TRANSFER_OUTCOME = "transfer-outcome";
  public static final String MEMBERSHIP = "membership";
  public static final String UNSAFE_RECOVERY = "unsafe-recovery";

  private static final Map<String, Set<String>> REQUIRED =
      Map.of(
          EPOCH, Set.of("leaderId", "cause"),
          TRANSFER_INTENT, Set.of("requestId", "from", "to"),
          TRANSFER_OUTCOME, Set.of("requestId", "outcome"),
          MEMBERSHIP, Set.of("requestId", "action", "nodeId"),
          UNSAFE_RECOVERY, Set.of("chosen", "overrides"));

  public static final Set<String> KINDS = REQUIRED.keySet();

  private static final int FIELD_CHARS_MAX = 4096;
  private static final int FIELDS_MAX = 32;

  private AuthorityHistory() {}

  /** Why a record is malformed, or null. */
  public static AeroError check(String kind, SortedMap<String, String> fields) {
    Set<String> required = REQUIRED.get(kind);
    if (required == null) {
      return AeroError.of(
          ErrorCode.AERO_REQUEST_INVALID,
          "unknown authority record kind '" + kind + "'",
          "kind",
          kind);
    }
    for (String r : new java.util.TreeSet<>(required)) {
      if (fields.getOrDefault(r, "").isEmpty()) {
        return AeroError.of(
            ErrorCode.AERO_REQUEST_INVALID,
            "authority record '" + kind + "' needs field '" + r + "'",
            "kind",
            kind,
            "field",
            r);
      }
    }
    if (fields.size() > FIELDS_MAX
        || fields.entrySet().stream()
            .anyMatch(e -> e.getKey().length() > 64 || e.getValue().length() > FIELD_CHARS_MAX)) {
      return AeroError.of(
          ErrorCode.AERO_REQUEST_INVALID,
          "authority record '"
              + kind
              + "' exceeds "
              + FIELDS_MAX
              + " fields or "
              + FIELD_CHARS_MAX
              + " characters per value",
          "kind",
          kind);
    }
    return null;
  }

  public static void write(WriteBatch batch, AuthorityRecord r) {
    batch.put(key(r.index()), r.canonicalJson());
  }

  static byte[] key(long index) {
    byte[] k = new byte[9];
    k[0] = Keys.AUTHORITY;
    Bytes.putLong(k, 1, index);
    return k;
  }

  /** Records with index greater than {@code afterIndex}, oldest first, at most {@code limit}. */
  public static List<AuthorityRecord> read(KvStore store, long afterIndex, int limit) {
    List<AuthorityRecord> out = new ArrayList<>();
    try (KvCursor c = store.seek(key(afterIndex + 1))) {
      for (; c.valid() && c.key()[0] == Keys.AUTHORITY && out.size() < limit; c.next()) {
        out.add(decode(c.value()));
      }
    }
    return out;
  }

  /** Folds every stored record, in index order, into the current state. */
  public static AuthorityState load(KvStore store) {
    AuthorityState s = AuthorityState.EMPTY;
    long after = 0;
    while (true) {
      List<AuthorityRecord> page = read(store, after, 1024);
      for (AuthorityRecord r : page) {
        s = s.with(r);
        after = r.index();
      }
      if (page.size() < 1024) {
        return s;
      }
    }
  }

  static AuthorityRecord decode(byte[] json) {
    JsonValue.Obj m = (JsonValue.Obj) JsonReader.parse(json, Limits.DOCUMENT_JSON);
    TreeMap<String, String> fields = new TreeMap<>();
    ((JsonValue.Obj) m.get("fields"))
        .fields()
        .forEach((k, v) -> fields.put(k, ((JsonValue.Str) v).value()));
    return new AuthorityRecord(
        ((JsonValue.Int) m.get("index")).value(),
        ((JsonValue.Int) m.get("term")).value(),
        ((JsonValue.Str) m.get("kind")).value(),
        fields);
  }
}
