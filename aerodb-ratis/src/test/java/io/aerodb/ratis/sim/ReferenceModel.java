package io.aerodb.ratis.sim;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Rejections;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.Undecodable;
import io.aerodb.core.command.Update;
import io.aerodb.core.command.Write;
import io.aerodb.core.document.Document;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.FieldPath;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.limits.Names;
import io.aerodb.core.schema.FieldKind;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaParser;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the committed log must have done, worked out apart from the engine: the rules of apply
 * written once more, plainly (entry rules, idempotency table, each command's checks in the order
 * the command makes them), over plain maps. The engine's own parsers and validators are the oracle
 * for "is this schema / document / name / path valid" (they are tested on their own); everything
 * else — existence, versions, the schema in force at apply [S4], deduplication, group rules — is
 * the model's.
 *
 * <p>Folded once per committed entry, in index order, when the first replica applies it; {@link
 * #fold} fails if that replica's results differ from what the model expects.
 */
final class ReferenceModel {
  /** A document version the model expects; {@code json == null}: deleted (a tombstone). */
  record Version(long index, byte[] json, int schemaVersion) {
    @Override
    public String toString() {
      return json == null
          ? "deleted at " + index
          : new String(json, StandardCharsets.UTF_8)
              + " (index "
              + index
              + ", v"
              + schemaVersion
              + ")";
    }
  }

  private static final class CollectionModel {
    final long createdIndex;
    final TreeMap<Integer, Schema> versions = new TreeMap<>();
    final TreeSet<String> liveIndexes = new TreeSet<>();

    CollectionModel(long createdIndex) {
      this.createdIndex = createdIndex;
    }
  }

  /** An idempotency record: the first entry that applied a request_id, and its result. */
  record Recorded(long index, byte[] fingerprint, CommandResult result) {}

  /** What one write should produce. {@code rejection == null && dedupOf == null}: it succeeds. */
  private record Expected(
      ErrorCode rejection,
      boolean existed,
      int schemaVersion,
      Recorded dedupOf,
      Runnable effect,
      List<CommandResult.Operation> operations) {
    static Expected rejected(ErrorCode code) {
      return new Expected(code, false, 0, null, null, List.of());
    }

    static Expected ok(boolean existed, int schemaVersion, Runnable effect) {
      return new Expected(null, existed, schemaVersion, null, effect, List.of());
    }

    static Expected dedup(Recorded original) {
      return new Expected(null, false, 0, original, null, List.of());
    }

    @Override
    public String toString() {
      if (dedupOf != null) {
        return "the stored result of index " + dedupOf.index + " (deduplicated): " + dedupOf.result;
      }
      return rejection != null
          ? "rejection " + rejection
          : "success (existed="
              + existed
              + ", schemaVersion="
              + schemaVersion
              + (operations.isEmpty() ? "" : ", operations=" + operations)
              + ")";
    }
  }

  private final TreeMap<String, CollectionModel> collections = new TreeMap<>();
  private final TreeMap<DocumentKey, TreeMap<Long, Version>> documents = new TreeMap<>();
  private final TreeMap<String, Recorded> idempotency = new TreeMap<>();
  private final TreeMap<Long, AuthorityRecord> epochs = new TreeMap<>();

  /** Per entry, the document each write addresses (null where none or unknown). */
  private final Map<Long, DocumentKey[]> keysByIndex = new HashMap<>();

  private long foldedIndex;

  /** The GC floor the committed log set (SetGcFloor). */
  private long gcFloor;

  /** How often apply refused a write, by code (what the seed exercised). */
  final TreeMap<ErrorCode, Long> rejections = new TreeMap<>();

  long deduplicated;
  long batchesApplied;
  long rejected;
  long succeeded;

  long foldedIndex() {
    return foldedIndex;
  }

  /**
   * Checks the results the first replica computed for the committed entry (term, index) against the
   * model, then folds the entry into it.
   */
  void fold(long term, long index, Entry entry, List<CommandResult> results) {
    if (index <= foldedIndex) {
      throw new IllegalStateException("fold of " + index + " after " + foldedIndex);
    }
    foldedIndex = index;
    List<Write> writes = entry.writes();
    if (results.size() != writes.size()) {
      throw fail(
          index, "an entry of " + writes.size() + " writes got " + results.size() + " results");
    }
    TreeSet<String> requestIds = new TreeSet<>();
    TreeSet<DocumentKey> written = new TreeSet<>();
    DocumentKey[] keys = new DocumentKey[writes.size()];
    for (int slot = 0; slot < writes.size(); slot++) {
      Write w = writes.get(slot);
      keys[slot] = addressedDocument(w.command());
      CommandResult actual = results.get(slot);
      Expected expected = expect(entry.isGroup(), w, term, index, requestIds, written);
      if (!matches(expected, actual, index)) {
        throw fail(
            index,
            "write "
                + slot
                + " of "
                + writes.size()
                + " ("
                + describe(w)
                + "): the model expects "
                + expected
                + ", apply returned "
                + actual);
      }
      if (expected.dedupOf != null) {
        deduplicated++;
        continue;
      }
      boolean malformed =
          actual.rejection() != null
              && actual.rejection().code() == ErrorCode.AERO_LOG_ENTRY_INVALID;
      String id = Bytes.hex(w.requestId());
      boolean recordable =
          w.requestId().length > 0
              && w.requestId().length <= Limits.REQUEST_ID_BYTES_MAX
              && !idempotency.containsKey(id)
              && !malformed;
      if (recordable) {
        idempotency.put(id, new Recorded(index, w.command().fingerprint(), actual));
      }
      if (expected.rejection == null) {
        succeeded++;
        expected.effect.run();
      } else {
        rejected++;
        rejections.merge(expected.rejection, 1L, Long::sum);
      }
    }
    keysByIndex.put(index, keys);
  }

  private static InvariantViolation fail(long index, String detail) {
    return new InvariantViolation("ResultsMatchModel", "entry " + index + ": " + detail);
  }

  private static boolean matches(Expected e, CommandResult actual, long index) {
    if (e.dedupOf != null) {
      CommandResult original = e.dedupOf.result;
      return actual.deduplicated()
          && actual.commitIndex() == e.dedupOf.index
          && actual.existed() == original.existed()
          && actual.schemaVersion() == original.schemaVersion()
          && actual.operations().equals(original.operations())
          && Objects.equals(actual.rejection(), original.rejection());
    }
    if (actual.deduplicated() || actual.commitIndex() != index) {
      return false;
    }
    if (e.rejection != null) {
      return actual.rejection() != null && actual.rejection().code() == e.rejection;
    }
    return actual.isOk()
        && actual.existed() == e.existed
        && actual.schemaVersion() == e.schemaVersion
        && actual.operations().equals(e.operations);
  }

  /** The entry rules and the idempotency table (Applier's order), then the command's rule. */
  private Expected expect(
      boolean group,
      Write w,
      long term,
      long index,
      Set<String> requestIds,
      Set<DocumentKey> written) {
    Command c = w.command();
    byte[] key = w.requestId();
    if (group && !c.isDocumentWrite()) {
      return Expected.rejected(ErrorCode.AERO_LOG_ENTRY_INVALID);
    }
    if (key.length > Limits.REQUEST_ID_BYTES_MAX) {
      return Expected.rejected(ErrorCode.AERO_REQUEST_INVALID);
    }
    if (key.length > 0 && !requestIds.add(Bytes.hex(key))) {
      return Expected.rejected(ErrorCode.AERO_LOG_ENTRY_INVALID);
    }
    if (key.length > 0) {
      Recorded prior = idempotency.get(Bytes.hex(key));
      if (prior != null) {
        return Arrays.equals(prior.fingerprint, c.fingerprint())
            ? Expected.dedup(prior)
            : Expected.rejected(ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED);
      }
    }
    try {
      return rule(c, term, index, written, false);
    } catch (AeroException e) {
      return Expected.rejected(e.code());
    }
  }

  /**
   * An atomic batch [TX1]: its limits, then every operation's rule against the state before the
   * entry (each document at most once, a delete of an absent one included); the first rejection is
   * the batch's, and only if there is none does every operation's effect happen.
   */
  private Expected batch(AtomicBatch b, long term, long index) {
    int n = b.operations().size();
    if (n == 0 || n > Limits.BATCH_OPERATIONS_MAX) {
      return Expected.rejected(ErrorCode.AERO_LIMIT_BATCH_OPERATIONS);
    }
    long bytes = 0;
    for (Command op : b.operations()) {
      bytes +=
          op instanceof Delete d
              ? d.id().getBytes(StandardCharsets.UTF_8).length
              : op instanceof Insert in
                  ? in.documentJson().length
                  : ((Update) op).documentJson().length;
    }
    if (bytes > Limits.BATCH_BYTES_MAX) {
      return Expected.rejected(ErrorCode.AERO_LIMIT_BATCH_SIZE);
    }
    TreeSet<DocumentKey> written = new TreeSet<>();
    List<Expected> each = new java.util.ArrayList<>();
    for (Command op : b.operations()) {
      Expected e;
      try {
        e = rule(op, term, index, written, true);
      } catch (AeroException ex) {
        return Expected.rejected(ex.code());
      }
      if (e.rejection != null) {
        return e;
      }
      each.add(e);
    }
    List<CommandResult.Operation> ops = new java.util.ArrayList<>();
    for (Expected e : each) {
      ops.add(new CommandResult.Operation(e.existed, e.schemaVersion));
    }
    return new Expected(
        null,
        true,
        0,
        null,
        () -> {
          batchesApplied++;
          each.forEach(e -> e.effect.run());
        },
        List.copyOf(ops));
  }

  /** A guard against the document's live version before the entry [TX2]. */
  private void checkGuard(Precondition p, DocumentKey k) {
    if (p.isNone()) {
      return;
    }
    TreeMap<Long, Version> versions = documents.get(k);
    boolean live = isLive(k);
    boolean holds =
        p.equals(Precondition.absent()) ? !live : live && versions.lastKey() == p.version();
    if (!holds) {
      throw AeroError.of(ErrorCode.AERO_TXN_PRECONDITION_FAILED, "guard").toException();
    }
  }

  /** Each command's checks, in the order the command makes them; AeroException for a rejection. */
  private Expected rule(
      Command c, long term, long index, Set<DocumentKey> written, boolean inBatch) {
    if (c instanceof AtomicBatch b) {
      return batch(b, term, index);
    }
    if (c instanceof Undecodable) {
      return Expected.rejected(ErrorCode.AERO_LOG_ENTRY_INVALID);
    }
    if (c instanceof CreateCollection cc) {
      checkName(cc.collection());
      if (collections.containsKey(cc.collection())) {
        return Expected.rejected(ErrorCode.AERO_COLLECTION_EXISTS);
      }
      Schema schema = SchemaParser.parse(cc.schemaJson());
      return Expected.ok(
          false,
          1,
          () -> {
            CollectionModel m = new CollectionModel(index);
            m.versions.put(1, schema);
            collections.put(cc.collection(), m);
          });
    }
    if (c instanceof PublishSchema ps) {
      CollectionModel m = existing(ps.collection());
      Schema schema = SchemaParser.parse(ps.schemaJson());
      if (schema.equals(m.versions.lastEntry().getValue())) {
        return Expected.rejected(ErrorCode.AERO_SCHEMA_UNCHANGED);
      }
      if (m.versions.size() >= Limits.SCHEMA_VERSIONS_MAX) {
        return Expected.rejected(ErrorCode.AERO_LIMIT_SCHEMA_VERSIONS);
      }
      int version = m.versions.lastKey() + 1;
      return Expected.ok(true, version, () -> m.versions.put(version, schema));
    }
    if (c instanceof CreateIndex ci) {
      CollectionModel m = existing(ci.collection());
      FieldPath path = indexPath(ci.field());
      if (path.isId() || m.liveIndexes.contains(ci.field())) {
        return Expected.rejected(ErrorCode.AERO_INDEX_EXISTS);
      }
      boolean scalarSomewhere = false;
      for (Schema s : m.versions.values()) {
        Optional<FieldKind> k = path.kindIn(s);
        scalarSomewhere |= k.isPresent() && k.get().isScalar();
      }
      if (!scalarSomewhere) {
        return Expected.rejected(ErrorCode.AERO_INDEX_FIELD_INVALID);
      }
      if (m.liveIndexes.size() >= Limits.INDEXES_MAX) {
        return Expected.rejected(ErrorCode.AERO_LIMIT_INDEX_COUNT);
      }
      return Expected.ok(false, 0, () -> m.liveIndexes.add(ci.field()));
    }
    if (c instanceof DropIndex di) {
      CollectionModel m = existing(di.collection());
      indexPath(di.field());
      if (!m.liveIndexes.contains(di.field())) {
        return Expected.rejected(ErrorCode.AERO_INDEX_NOT_FOUND);
      }
      return Expected.ok(true, 0, () -> m.liveIndexes.remove(di.field()));
    }
    if (c instanceof Insert in) {
      return put(in.collection(), in.documentJson(), true, index, written, in.expected(), inBatch);
    }
    if (c instanceof Update up) {
      return put(up.collection(), up.documentJson(), false, index, written, up.expected(), inBatch);
    }
    if (c instanceof Delete d) {
      existing(d.collection());
      Document.checkId(d.id());
      DocumentKey k = new DocumentKey(d.collection(), d.id());
      if (written.contains(k)) {
        return Expected.rejected(
            inBatch ? ErrorCode.AERO_TXN_DOCUMENT_REPEATED : ErrorCode.AERO_LOG_ENTRY_INVALID);
      }
      checkGuard(d.expected(), k);
      boolean live = isLive(k);
      if (!live) {
        if (inBatch) {
          written.add(k);
        }
        return Expected.ok(false, 0, () -> {});
      }
      written.add(k);
      return Expected.ok(true, 0, () -> addVersion(k, new Version(index, null, 0)));
    }
    if (c instanceof RecordAuthority ra) {
      AeroError e = AuthorityHistory.check(ra.kind(), ra.fields());
      if (e != null) {
        return Expected.rejected(e.code());
      }
      return Expected.ok(
          false,
          0,
          () -> {
            if (ra.kind().equals(AuthorityHistory.EPOCH)) {
              epochs.put(index, new AuthorityRecord(index, term, ra.kind(), ra.fields()));
            }
          });
    }
    if (c instanceof SetGcFloor f) {
      if (f.floor() < gcFloor || f.floor() >= index) {
        return Expected.rejected(ErrorCode.AERO_GC_FLOOR_INVALID);
      }
      return Expected.ok(false, 0, () -> gcFloor = f.floor());
    }
    throw new IllegalStateException("a command the model does not know: " + c);
  }

  /**
   * Insert and update: the collection, the document admitted under the LATEST schema version at
   * this index (not the one the leader prepared it under) [S4], one write per document per entry,
   * then existence.
   */
  private Expected put(
      String collection,
      byte[] json,
      boolean insert,
      long index,
      Set<DocumentKey> written,
      Precondition guard,
      boolean inBatch) {
    CollectionModel m = existing(collection);
    int version = m.versions.lastKey();
    Document doc = Document.admit(json, m.versions.get(version), collection, version);
    DocumentKey k = new DocumentKey(collection, doc.id());
    if (written.contains(k)) {
      return Expected.rejected(
          inBatch ? ErrorCode.AERO_TXN_DOCUMENT_REPEATED : ErrorCode.AERO_LOG_ENTRY_INVALID);
    }
    checkGuard(guard, k);
    boolean exists = isLive(k);
    if (insert && exists) {
      return Expected.rejected(ErrorCode.AERO_DOCUMENT_EXISTS);
    }
    if (!insert && !exists) {
      return Expected.rejected(ErrorCode.AERO_DOCUMENT_NOT_FOUND);
    }
    written.add(k);
    byte[] canonical = doc.canonicalJson();
    return Expected.ok(
        exists, version, () -> addVersion(k, new Version(index, canonical, version)));
  }

  private static void checkName(String collection) {
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      throw bad.get().toException();
    }
  }

  private CollectionModel existing(String collection) {
    checkName(collection);
    CollectionModel m = collections.get(collection);
    if (m == null) {
      throw Rejections.collectionNotFound(collection).toException();
    }
    return m;
  }

  private static FieldPath indexPath(String field) {
    FieldPath.Parsed p = FieldPath.parse(field);
    if (!p.isOk()) {
      throw AeroError.of(ErrorCode.AERO_INDEX_FIELD_INVALID, p.problem()).toException();
    }
    return p.path();
  }

  private boolean isLive(DocumentKey k) {
    TreeMap<Long, Version> versions = documents.get(k);
    return versions != null && versions.lastEntry().getValue().json() != null;
  }

  private void addVersion(DocumentKey k, Version v) {
    documents.computeIfAbsent(k, x -> new TreeMap<>()).put(v.index(), v);
  }

  /** The document a write addresses, if it names one that a read can ask for. */
  private static DocumentKey addressedDocument(Command c) {
    String collection;
    String id;
    if (c instanceof Delete d) {
      collection = d.collection();
      id = d.id();
    } else if (c instanceof Insert || c instanceof Update) {
      collection = c.collection();
      byte[] json = c instanceof Insert in ? in.documentJson() : ((Update) c).documentJson();
      try {
        JsonValue v = JsonReader.parse(json, Limits.DOCUMENT_JSON);
        if (!(v instanceof JsonValue.Obj o) || !(o.get("_id") instanceof JsonValue.Str s)) {
          return null;
        }
        id = s.value();
      } catch (AeroException unparsable) {
        return null;
      }
    } else {
      return null;
    }
    try {
      Document.checkId(id);
    } catch (AeroException badId) {
      return null;
    }
    return Names.checkCollection(collection).isPresent() ? null : new DocumentKey(collection, id);
  }

  // ------------------------------------------------------------------ what invariants ask

  /** The documents the writes of the committed entry at {@code index} address (per write). */
  DocumentKey[] documentsOf(long index) {
    DocumentKey[] keys = keysByIndex.get(index);
    return keys == null ? new DocumentKey[0] : keys;
  }

  /** Every document any committed write addressed. */
  Set<DocumentKey> addressedDocuments() {
    TreeSet<DocumentKey> all = new TreeSet<>(documents.keySet());
    for (DocumentKey[] keys : keysByIndex.values()) {
      for (DocumentKey k : keys) {
        if (k != null) {
          all.add(k);
        }
      }
    }
    return all;
  }

  /** The GC floor as the committed log set it so far. */
  long gcFloor() {
    return gcFloor;
  }

  boolean collectionExistsAt(String collection, long view) {
    CollectionModel m = collections.get(collection);
    return m != null && m.createdIndex <= view;
  }

  /** The newest version at or below {@code view} (a deleted one included); empty if none. */
  Optional<Version> versionAt(DocumentKey k, long view) {
    TreeMap<Long, Version> versions = documents.get(k);
    if (versions == null) {
      return Optional.empty();
    }
    Map.Entry<Long, Version> e = versions.floorEntry(view);
    return e == null ? Optional.empty() : Optional.of(e.getValue());
  }

  /** The idempotency record of {@code requestId}, if a committed entry recorded it. */
  Optional<Recorded> recorded(byte[] requestId) {
    return Optional.ofNullable(idempotency.get(Bytes.hex(requestId)));
  }

  /** The index that first applied {@code requestId} (what a deduplicated retry must return). */
  OptionalLong recordedIndex(byte[] requestId) {
    Recorded r = idempotency.get(Bytes.hex(requestId));
    return r == null ? OptionalLong.empty() : OptionalLong.of(r.index);
  }

  /** The last leadership epoch recorded at or below {@code view}. */
  Optional<AuthorityRecord> lastEpochAt(long view) {
    Map.Entry<Long, AuthorityRecord> e = epochs.floorEntry(view);
    return e == null ? Optional.empty() : Optional.of(e.getValue());
  }

  long epochs() {
    return epochs.size();
  }

  static String describe(Write w) {
    Command c = w.command();
    String body = new String(c.fingerprintBody(), StandardCharsets.UTF_8);
    if (body.length() > 120) {
      body = body.substring(0, 120) + "...";
    }
    return c.commandName()
        + (c.collection().isEmpty() ? "" : " " + c.collection())
        + (body.isEmpty() ? "" : " " + body.replace('\n', ' '))
        + (w.hasRequestId() ? " request_id=" + Bytes.hex(w.requestId()) : "");
  }
}
