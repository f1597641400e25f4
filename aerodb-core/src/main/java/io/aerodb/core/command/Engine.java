package io.aerodb.core.command;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.document.Document;
import io.aerodb.core.document.Limits;
import io.aerodb.core.document.Names;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.FieldPath;
import io.aerodb.core.index.IndexMaintenance;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import io.aerodb.core.mvcc.VersionReader;
import io.aerodb.core.query.Queries;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.core.query.QueryResult;
import io.aerodb.core.schema.FieldKind;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaParser;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The database engine: applies replicated commands to the MVCC store and serves reads at a view.
 *
 * <p>Contract (DESIGN.md, The write path):
 *
 * <ul>
 *   <li>{@link #prepare} runs on the leader before an entry is proposed: it canonicalizes the
 *       command and rejects what is already known to be invalid. It is advisory; the state may
 *       change before the entry applies.
 *   <li>{@link #apply} is authoritative and deterministic: it re-validates against the catalog at
 *       apply time [S4], and writes the new versions, the idempotency record, the applied index and
 *       the state digest in ONE atomic store batch. Bad input is a rejected result, never an
 *       exception; only a store failure throws (and must stop the node: the replica cannot continue
 *       without that write).
 *   <li>Document versions are keyed by the index of the entry that created them, so re-applying an
 *       entry rewrites the same keys with the same bytes [MVCC-2].
 *   <li>Reads take a view (an index at or below the applied index) and see the newest version at or
 *       below it. Queries and explain read the schema versions and indexes as they were at the view
 *       (docs/ARCHITECTURE.md, Queries) [Q1-Q3, T1, T2].
 *   <li>Schema publication and index creation/drop change the catalog in the entry's batch; an
 *       index is built for the existing documents in that same batch, and every insert/update
 *       writes the entries of the live indexes with its version [Q2].
 * </ul>
 *
 * <p>Threading: {@link #prepare} and the reads may run on any thread, concurrently with {@link
 * #apply}, which must be called by one thread at a time, in log order. Time and randomness never
 * enter.
 */
public final class Engine implements AutoCloseable {
  private static final byte[] NO_REQUEST_ID = new byte[0];

  private final KvStore store;
  private final long idempotencyHorizonEntries;
  private final MessageDigest sha256;
  private volatile AppliedState applied;
  private volatile Catalog catalog;
  private volatile AuthorityState authority;

  private Engine(
      KvStore store, long idempotencyHorizonEntries, AppliedState applied, Catalog catalog) {
    this.store = store;
    this.idempotencyHorizonEntries = idempotencyHorizonEntries;
    this.applied = applied;
    this.catalog = catalog;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /** Opens the engine on a store, recovering the applied state and catalog persisted in it. */
  public static Engine open(KvStore store) {
    return open(store, IdempotencyTable.HORIZON_ENTRIES);
  }

  /** For tests only: a shorter idempotency horizon (the real one is a format constant). */
  static Engine open(KvStore store, long idempotencyHorizonEntries) {
    byte[] a = store.get(Keys.applied());
    AppliedState applied = a == null ? AppliedState.INITIAL : AppliedState.decode(a);
    Engine e = new Engine(store, idempotencyHorizonEntries, applied, Catalog.load(store));
    e.authority = AuthorityHistory.load(store);
    return e;
  }

  /** The last applied entry and state digest (what the store reflects). */
  public AppliedState applied() {
    return applied;
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * What the replicated authority history implies now (latest epoch, pending transfer, peer
   * directory).
   */
  public AuthorityState authority() {
    return authority;
  }

  /** Authority records after {@code afterIndex}, oldest first [P6-D2]. */
  public List<AuthorityRecord> authorityHistory(long afterIndex, int limit) {
    return AuthorityHistory.read(store, afterIndex, limit);
  }

  public KvStore store() {
    return store;
  }

  // ------------------------------------------------------------------------------------------
  // prepare

  /**
   * Leader-side check before proposing: returns the canonical command, or throws {@link
   * AeroException} with the rejection. A command whose request_id is already recorded skips the
   * state checks (its apply returns the stored result), but is still canonicalized so its
   * fingerprint can be compared.
   */
  public Command prepare(byte[] requestId, Command raw) {
    checkRequestId(requestId);
    Catalog cat = catalog;
    Command canonical = canonicalize(raw, cat);
    boolean knownRetry =
        requestId.length > 0 && IdempotencyTable.find(store, requestId).isPresent();
    if (!knownRetry) {
      AeroError e = stateCheck(canonical, cat, applied.index());
      if (e != null) {
        throw e.toException();
      }
    }
    return canonical;
  }

  private static void checkRequestId(byte[] requestId) {
    if (requestId.length > Limits.REQUEST_ID_BYTES_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_REQUEST_INVALID,
              "request_id of "
                  + requestId.length
                  + " bytes exceeds the limit of "
                  + Limits.REQUEST_ID_BYTES_MAX,
              "limit",
              "requestIdBytesMax",
              "limitValue",
              Integer.toString(Limits.REQUEST_ID_BYTES_MAX))
          .toException();
    }
  }

  /** Canonical form of a command, or AeroException; needs the catalog for document schemas. */
  private static Command canonicalize(Command raw, Catalog cat) {
    if (raw instanceof Command.CreateCollection c) {
      Names.checkCollection(c.collection())
          .ifPresent(
              e -> {
                throw e.toException();
              });
      Schema schema = SchemaParser.parse(c.schemaJson());
      return new Command.CreateCollection(c.collection(), schema.canonicalJson());
    }
    if (raw instanceof Command.Insert c) {
      return new Command.Insert(c.collection(), admit(c.collection(), c.documentJson(), cat));
    }
    if (raw instanceof Command.Update c) {
      return new Command.Update(c.collection(), admit(c.collection(), c.documentJson(), cat));
    }
    if (raw instanceof Command.Delete c) {
      collectionOrThrow(c.collection(), cat);
      Document.checkId(c.id());
      return c;
    }
    if (raw instanceof Command.RecordAuthority c) {
      AeroError e = AuthorityHistory.check(c.kind(), c.fields());
      if (e != null) {
        throw e.toException();
      }
      return c;
    }
    if (raw instanceof Command.PublishSchema c) {
      checkName(c.collection());
      return new Command.PublishSchema(
          c.collection(), SchemaParser.parse(c.schemaJson()).canonicalJson());
    }
    if (raw instanceof Command.CreateIndex c) {
      checkName(c.collection());
      indexPath(c.field());
      return c;
    }
    if (raw instanceof Command.DropIndex c) {
      checkName(c.collection());
      indexPath(c.field());
      return c;
    }
    throw AeroError.of(ErrorCode.AERO_REQUEST_INVALID, "no command in the request").toException();
  }

  private static byte[] admit(String collection, byte[] json, Catalog cat) {
    SchemaVersion sv = collectionOrThrow(collection, cat).latest();
    return Document.admit(json, sv.schema(), collection, sv.version()).canonicalJson();
  }

  private static void checkName(String collection) {
    Names.checkCollection(collection)
        .ifPresent(
            e -> {
              throw e.toException();
            });
  }

  private static CollectionInfo collectionOrThrow(String collection, Catalog cat) {
    checkName(collection);
    return cat.collection(collection)
        .orElseThrow(() -> collectionNotFound(collection).toException());
  }

  /** The state-dependent checks (existence), on the latest applied state. Null if none fails. */
  private AeroError stateCheck(Command command, Catalog cat, long view) {
    if (command instanceof Command.CreateCollection c) {
      return cat.collection(c.collection()).isPresent() ? collectionExists(c.collection()) : null;
    }
    if (command instanceof Command.Insert c) {
      String id = Documents.idOf(c.documentJson());
      return VersionReader.live(store, c.collection(), id, view).isPresent()
          ? documentExists(c.collection(), id)
          : null;
    }
    if (command instanceof Command.Update c) {
      String id = Documents.idOf(c.documentJson());
      return VersionReader.live(store, c.collection(), id, view).isEmpty()
          ? documentNotFound(c.collection(), id)
          : null;
    }
    return catalogCheck(command, cat);
  }

  /**
   * The catalog rules of schema publication and index creation/drop: the same function on the
   * leader (prepare) and in apply, so both decide alike. Null if the command may take effect;
   * throws AeroException for a malformed schema or field path.
   */
  private static AeroError catalogCheck(Command command, Catalog cat) {
    if (command instanceof Command.PublishSchema c) {
      CollectionInfo info = collectionOrThrow(c.collection(), cat);
      Schema schema = SchemaParser.parse(c.schemaJson());
      SchemaVersion latest = info.latest();
      if (schema.equals(latest.schema())) {
        return AeroError.of(
            ErrorCode.AERO_SCHEMA_UNCHANGED,
            "the schema equals version "
                + latest.version()
                + " of '"
                + c.collection()
                + "'; a published version is immutable and a new one must differ",
            "collection",
            c.collection(),
            "schemaVersion",
            Integer.toString(latest.version()));
      }
      if (info.schemas().size() >= Limits.SCHEMA_VERSIONS_MAX) {
        return AeroError.of(
            ErrorCode.AERO_LIMIT_SCHEMA_VERSIONS,
            "'" + c.collection() + "' has " + info.schemas().size() + " schema versions",
            "limit",
            "schemaVersionsMax",
            "limitValue",
            Integer.toString(Limits.SCHEMA_VERSIONS_MAX));
      }
      return null;
    }
    if (command instanceof Command.CreateIndex c) {
      CollectionInfo info = collectionOrThrow(c.collection(), cat);
      FieldPath path = indexPath(c.field());
      if (path.isId() || info.liveIndex(c.field()).isPresent()) {
        return AeroError.of(
            ErrorCode.AERO_INDEX_EXISTS,
            path.isId()
                ? "_id is always indexed (by the document keys)"
                : "'"
                    + c.field()
                    + "' of '"
                    + c.collection()
                    + "' is already indexed (created at index "
                    + info.liveIndex(c.field()).get().createdIndex()
                    + ")",
            "collection",
            c.collection(),
            "field",
            c.field());
      }
      boolean scalarSomewhere = false;
      for (SchemaVersion v : info.schemas().values()) {
        Optional<FieldKind> k = path.kindIn(v.schema());
        scalarSomewhere |= k.isPresent() && k.get().isScalar();
      }
      if (!scalarSomewhere) {
        return AeroError.of(
            ErrorCode.AERO_INDEX_FIELD_INVALID,
            "no schema version of '"
                + c.collection()
                + "' declares '"
                + c.field()
                + "' as a scalar (string, int, float, bool)",
            "collection",
            c.collection(),
            "field",
            c.field(),
            "rule",
            "declared as a scalar in at least one schema version");
      }
      if (info.liveIndexes().size() >= Limits.INDEXES_MAX) {
        return AeroError.of(
            ErrorCode.AERO_LIMIT_INDEX_COUNT,
            "'" + c.collection() + "' already has " + info.liveIndexes().size() + " indexes",
            "limit",
            "indexesMax",
            "limitValue",
            Integer.toString(Limits.INDEXES_MAX));
      }
      return null;
    }
    if (command instanceof Command.DropIndex c) {
      CollectionInfo info = collectionOrThrow(c.collection(), cat);
      indexPath(c.field());
      if (info.liveIndex(c.field()).isEmpty()) {
        return AeroError.of(
            ErrorCode.AERO_INDEX_NOT_FOUND,
            "'" + c.collection() + "' has no index on '" + c.field() + "'",
            "collection",
            c.collection(),
            "field",
            c.field());
      }
      return null;
    }
    return null;
  }

  /** The field path of an index command, or AERO_INDEX_FIELD_INVALID. */
  private static FieldPath indexPath(String field) {
    FieldPath.Parsed p = FieldPath.parse(field);
    if (!p.isOk()) {
      throw AeroError.of(
              ErrorCode.AERO_INDEX_FIELD_INVALID,
              "'" + field + "' is not a field path: " + p.problem(),
              "field",
              String.valueOf(field),
              "rule",
              p.problem())
          .toException();
    }
    return p.path();
  }

  // --------------------------------------------------------------------------------------------
  // apply

  /**
   * Applies the command of the log entry (term, index). See the class contract. A {@link
   * Command.Batch} goes through {@link #applyBatch}.
   */
  public CommandResult apply(long term, long index, byte[] requestId, Command command) {
    if (command instanceof Command.Batch) {
      throw new IllegalArgumentException("a batch has one result per write: use applyBatch");
    }
    return applyAll(term, index, List.of(new Command.Batch.Write(requestId, command)), false)
        .get(0);
  }

  /**
   * Applies the writes of one batch entry (term, index) in order, in one store batch: one result
   * per write, each with the entry's index as its commit index [MVCC-2].
   */
  public List<CommandResult> applyBatch(long term, long index, Command.Batch batch) {
    return applyAll(term, index, batch.writes(), true);
  }

  private List<CommandResult> applyAll(
      long term, long index, List<Command.Batch.Write> writes, boolean batched) {
    AppliedState before = applied;
    Invariants.check(
        index > before.index(),
        () -> "apply of index " + index + " at or below applied index " + before.index());
    WriteBatch batch = new WriteBatch();
    Catalog[] nextCatalog = {catalog};
    AuthorityState[] nextAuthority = {authority};
    // documents and request ids this entry has written: a second write of either is refused
    TreeSet<String> touched = new TreeSet<>();
    TreeSet<String> requestIds = new TreeSet<>();
    List<CommandResult> results = new ArrayList<>(writes.size());
    for (int slot = 0; slot < writes.size(); slot++) {
      Command.Batch.Write w = writes.get(slot);
      byte[] key = w.requestId() == null ? NO_REQUEST_ID : w.requestId();
      Command command = w.command();
      CommandResult result = null;
      if (batched && !isDocumentWrite(command)) {
        result =
            CommandResult.rejected(index, badBatch(index, "a batch carries only document writes"));
      } else if (key.length > Limits.REQUEST_ID_BYTES_MAX) {
        result = CommandResult.rejected(index, requestIdTooLong(key));
      } else if (key.length > 0 && !requestIds.add(Bytes.hex(key))) {
        result =
            CommandResult.rejected(
                index, badBatch(index, "a request_id appears twice in one entry"));
      } else if (key.length > 0) {
        Optional<IdempotencyTable.Record> prior = IdempotencyTable.find(store, key);
        if (prior.isPresent()) {
          result =
              Arrays.equals(prior.get().fingerprint(), Command.fingerprint(command))
                  ? prior.get().result().asDeduplicated()
                  : CommandResult.rejected(index, keyReused(prior.get().index()));
          key = NO_REQUEST_ID; // nothing new to record
        }
      }
      if (result == null) {
        result =
            execute(
                index, term, command, nextCatalog[0], batch, nextCatalog, nextAuthority, touched);
        // a malformed entry is no verdict on the command: a retry of it must be judged afresh
        boolean malformed =
            result.rejection() != null
                && result.rejection().code() == ErrorCode.AERO_LOG_ENTRY_INVALID;
        if (key.length > 0 && !malformed) {
          IdempotencyTable.record(batch, key, index, slot, Command.fingerprint(command), result);
        }
      }
      results.add(result);
    }
    IdempotencyTable.expire(store, batch, index - idempotencyHorizonEntries);

    AppliedState after = new AppliedState(term, index, chain(before.digest(), index, batch));
    batch.put(Keys.applied(), after.encode());
    store.write(batch); // throws AERO_STORAGE_IO: the caller must stop this replica
    catalog = nextCatalog[0];
    authority = nextAuthority[0];
    applied = after;
    return results;
  }

  private static boolean isDocumentWrite(Command c) {
    return c instanceof Command.Insert
        || c instanceof Command.Update
        || c instanceof Command.Delete;
  }

  private static AeroError badBatch(long index, String why) {
    return AeroError.of(
        ErrorCode.AERO_LOG_ENTRY_INVALID,
        "log entry " + index + " is malformed: " + why,
        "index",
        Long.toString(index));
  }

  /**
   * Refuses a write of a document this entry already wrote (their versions would share a key);
   * {@link #wrote} marks one once its write is certain.
   */
  private static void checkUntouched(
      TreeSet<String> touched, long index, String collection, String id) {
    if (touched.contains(Command.documentKey(collection, id))) {
      throw badBatch(index, "document '" + id + "' of '" + collection + "' is written twice")
          .toException();
    }
  }

  private static void wrote(TreeSet<String> touched, String collection, String id) {
    touched.add(Command.documentKey(collection, id));
  }

  private CommandResult execute(
      long index,
      long term,
      Command command,
      Catalog cat,
      WriteBatch batch,
      Catalog[] nextCatalog,
      AuthorityState[] nextAuthority,
      TreeSet<String> touched) {
    try {
      if (command instanceof Command.CreateCollection c) {
        Names.checkCollection(c.collection())
            .ifPresent(
                e -> {
                  throw e.toException();
                });
        if (cat.collection(c.collection()).isPresent()) {
          return CommandResult.rejected(index, collectionExists(c.collection()));
        }
        Schema schema = SchemaParser.parse(c.schemaJson());
        TreeMap<Integer, SchemaVersion> versions = new TreeMap<>();
        versions.put(1, new SchemaVersion(1, index, schema));
        CollectionInfo info = new CollectionInfo(c.collection(), index, versions);
        Catalog.persistCollection(batch, info);
        nextCatalog[0] = cat.with(info);
        return CommandResult.ok(index, false, 1);
      }
      if (command instanceof Command.Insert c) {
        return put(index, c.collection(), c.documentJson(), cat, batch, true, touched);
      }
      if (command instanceof Command.Update c) {
        return put(index, c.collection(), c.documentJson(), cat, batch, false, touched);
      }
      if (command instanceof Command.Delete c) {
        collectionOrThrow(c.collection(), cat);
        Document.checkId(c.id());
        checkUntouched(touched, index, c.collection(), c.id());
        boolean existed =
            VersionReader.live(store, c.collection(), c.id(), applied.index()).isPresent();
        if (existed) {
          wrote(touched, c.collection(), c.id());
          batch.put(
              Keys.documentVersion(Keys.document(c.collection(), c.id()), index),
              VersionCodec.tombstone());
        }
        return CommandResult.ok(index, existed, 0);
      }
      if (command instanceof Command.RecordAuthority c) {
        AeroError e = AuthorityHistory.check(c.kind(), c.fields());
        if (e != null) {
          return CommandResult.rejected(index, e);
        }
        AuthorityRecord r = new AuthorityRecord(index, term, c.kind(), c.fields());
        AuthorityHistory.write(batch, r);
        nextAuthority[0] = authority.with(r);
        return CommandResult.ok(index, false, 0);
      }
      if (command instanceof Command.PublishSchema c) {
        AeroError e = catalogCheck(command, cat);
        if (e != null) {
          return CommandResult.rejected(index, e);
        }
        CollectionInfo info = cat.collection(c.collection()).orElseThrow();
        SchemaVersion sv =
            new SchemaVersion(
                info.latest().version() + 1, index, SchemaParser.parse(c.schemaJson()));
        Catalog.persistSchema(batch, c.collection(), sv);
        nextCatalog[0] = cat.with(info.withSchema(sv));
        return CommandResult.ok(index, true, sv.version());
      }
      if (command instanceof Command.CreateIndex c) {
        AeroError e = catalogCheck(command, cat);
        if (e != null) {
          return CommandResult.rejected(index, e);
        }
        CollectionInfo info = cat.collection(c.collection()).orElseThrow();
        IndexDefinition d = IndexDefinition.created(c.field(), index);
        Catalog.persistIndex(batch, c.collection(), d);
        IndexMaintenance.build(store, batch, c.collection(), d); // [Q2] never visible half-built
        nextCatalog[0] = cat.with(info.withIndex(d));
        return CommandResult.ok(index, false, 0);
      }
      if (command instanceof Command.DropIndex c) {
        AeroError e = catalogCheck(command, cat);
        if (e != null) {
          return CommandResult.rejected(index, e);
        }
        CollectionInfo info = cat.collection(c.collection()).orElseThrow();
        IndexDefinition d = info.liveIndex(c.field()).orElseThrow().droppedAt(index);
        Catalog.persistIndex(batch, c.collection(), d);
        nextCatalog[0] = cat.with(info.withIndex(d));
        return CommandResult.ok(index, true, 0);
      }
      if (command instanceof Command.Undecodable u) {
        return CommandResult.rejected(
            index,
            AeroError.of(
                ErrorCode.AERO_LOG_ENTRY_INVALID,
                "log entry " + index + " could not be decoded: " + u.reason(),
                "index",
                Long.toString(index)));
      }
      throw new IllegalStateException("unknown command " + command.getClass());
    } catch (AeroException e) {
      if (e.code() == ErrorCode.AERO_STORAGE_IO) {
        throw e;
      }
      return CommandResult.rejected(index, e.error());
    }
  }

  private CommandResult put(
      long index,
      String collection,
      byte[] json,
      Catalog cat,
      WriteBatch batch,
      boolean insert,
      TreeSet<String> touched) {
    CollectionInfo info = collectionOrThrow(collection, cat);
    SchemaVersion sv = info.latest();
    Document doc =
        Document.admit(json, sv.schema(), collection, sv.version()); // [S4] apply-time check
    checkUntouched(touched, index, collection, doc.id());
    boolean exists = VersionReader.live(store, collection, doc.id(), applied.index()).isPresent();
    if (insert && exists) {
      return CommandResult.rejected(index, documentExists(collection, doc.id()));
    }
    if (!insert && !exists) {
      return CommandResult.rejected(index, documentNotFound(collection, doc.id()));
    }
    wrote(touched, collection, doc.id());
    batch.put(
        Keys.documentVersion(Keys.document(collection, doc.id()), index),
        VersionCodec.document(sv.version(), doc.canonicalJson()));
    IndexMaintenance.addEntries(
        batch, collection, info.liveIndexes().values(), doc.id(), doc.value(), index);
    return CommandResult.ok(index, exists, sv.version());
  }

  private byte[] chain(byte[] previous, long index, WriteBatch batch) {
    MessageDigest md = sha256;
    md.reset();
    md.update(previous);
    md.update(Bytes.ofLong(index));
    for (WriteBatch.Op op : batch.ops()) {
      md.update(op.isDelete() ? (byte) 'D' : (byte) 'P');
      md.update(Bytes.ofLong(op.key().length));
      md.update(op.key());
      if (!op.isDelete()) {
        md.update(Bytes.ofLong(op.value().length));
        md.update(op.value());
      }
    }
    return md.digest();
  }

  // --------------------------------------------------------------------------------------------
  // reads

  /**
   * The document {@code id} as of {@code viewIndex} (which must be at or below the applied index).
   */
  public ReadResult get(String collection, String id, long viewIndex) {
    Invariants.check(
        viewIndex <= applied.index(),
        () -> "read view " + viewIndex + " above applied index " + applied.index());
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      return new ReadResult(viewIndex, Optional.empty(), bad.get());
    }
    Optional<CollectionInfo> info = catalog.collection(collection);
    if (info.isEmpty() || !info.get().existsAt(viewIndex)) {
      return new ReadResult(viewIndex, Optional.empty(), collectionNotFound(collection));
    }
    try {
      Document.checkId(id);
    } catch (AeroException e) {
      return new ReadResult(viewIndex, Optional.empty(), e.error());
    }
    Optional<DocumentVersion> v = VersionReader.live(store, collection, id, viewIndex);
    return new ReadResult(viewIndex, v, null);
  }

  /**
   * Runs a query at {@code viewIndex} (at or below the applied index) [Q1-Q3, T1, T2]. A refused
   * query is a result with its rejection; only a store failure throws.
   */
  public QueryResult query(QueryRequest request, long viewIndex, QueryLimits limits) {
    checkView(viewIndex);
    return Queries.run(store, catalog, request, viewIndex, limits);
  }

  /**
   * The explain document (canonical JSON) of a query at {@code viewIndex}: the plan, or the
   * rejection with its code and invariant [Q3]. Reads no document.
   */
  public byte[] explain(QueryRequest request, long viewIndex, QueryLimits limits) {
    checkView(viewIndex);
    return Queries.explain(catalog, request, viewIndex, limits);
  }

  /**
   * The indexes (the implicit _id one included) and schema versions of a collection at {@code
   * viewIndex}, as canonical JSON; or AERO_COLLECTION_NOT_FOUND.
   */
  public CatalogListing listIndexes(String collection, long viewIndex) {
    checkView(viewIndex);
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      return new CatalogListing(viewIndex, null, bad.get());
    }
    Optional<CollectionInfo> info = catalog.collection(collection);
    if (info.isEmpty() || !info.get().existsAt(viewIndex)) {
      return new CatalogListing(viewIndex, null, collectionNotFound(collection));
    }
    return new CatalogListing(viewIndex, CatalogListing.json(info.get(), viewIndex), null);
  }

  private void checkView(long viewIndex) {
    Invariants.check(
        viewIndex <= applied.index(),
        () -> "read view " + viewIndex + " above applied index " + applied.index());
  }

  /**
   * Makes everything applied so far durable in the store (the Raft log may then be purged up to
   * it).
   */
  public AppliedState syncDurable() {
    AppliedState a = applied;
    store.syncDurable();
    return a;
  }

  @Override
  public void close() {
    store.close();
  }

  // -------------------------------------------------------------------------------------------
  // errors

  private static AeroError collectionNotFound(String collection) {
    return AeroError.of(
        ErrorCode.AERO_COLLECTION_NOT_FOUND,
        "collection '" + collection + "' does not exist",
        "collection",
        collection);
  }

  private static AeroError collectionExists(String collection) {
    return AeroError.of(
        ErrorCode.AERO_COLLECTION_EXISTS,
        "collection '" + collection + "' already exists",
        "collection",
        collection);
  }

  private static AeroError documentExists(String collection, String id) {
    return AeroError.of(
        ErrorCode.AERO_DOCUMENT_EXISTS,
        "document '" + id + "' already exists in '" + collection + "' (insert never upserts)",
        "collection",
        collection,
        "id",
        id);
  }

  private static AeroError documentNotFound(String collection, String id) {
    return AeroError.of(
        ErrorCode.AERO_DOCUMENT_NOT_FOUND,
        "document '" + id + "' does not exist in '" + collection + "'",
        "collection",
        collection,
        "id",
        id);
  }

  private static AeroError keyReused(long originalIndex) {
    return AeroError.of(
        ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED,
        "request_id was used at index " + originalIndex + " for a different command",
        "originalIndex",
        Long.toString(originalIndex));
  }

  private static AeroError requestIdTooLong(byte[] key) {
    return AeroError.of(
        ErrorCode.AERO_REQUEST_INVALID,
        "request_id of "
            + key.length
            + " bytes exceeds the limit of "
            + Limits.REQUEST_ID_BYTES_MAX,
        "limit",
        "requestIdBytesMax",
        "limitValue",
        Integer.toString(Limits.REQUEST_ID_BYTES_MAX));
  }
}
