package io.aerodb.core.engine;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.PrepareContext;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.command.Rejections;
import io.aerodb.core.command.Write;
import io.aerodb.core.document.Document;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.limits.Names;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionReader;
import io.aerodb.core.query.Queries;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.core.query.QueryResult;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.ReplaceableStore;
import io.aerodb.core.util.Invariants;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The database engine: prepares commands on the leader, applies log entries to the MVCC store, and
 * serves reads at a view. The rules of each command live in its record ({@link Command}); this
 * class owns the published state and the order of things.
 *
 * <p>Contract (DESIGN.md, The write path):
 *
 * <ul>
 *   <li>{@link #prepare} runs on the leader before an entry is proposed and returns the canonical
 *       command with everything the log entry needs. It is advisory; the state may change before
 *       the entry applies.
 *   <li>{@link #apply} is authoritative and deterministic ({@link Applier}): the new versions, the
 *       idempotency records, the applied index and the state digest go into ONE atomic store batch.
 *       Bad input is a rejected result, never an exception; only a store failure throws (and must
 *       stop the node: the replica cannot continue without that write).
 *   <li>Document versions are keyed by the index of the entry that created them, so re-applying an
 *       entry rewrites the same keys with the same bytes [MVCC-2].
 *   <li>Reads take a view (an index at or below the applied index) and see the newest version at or
 *       below it; queries and explain read the schema versions and indexes as they were at the view
 *       (docs/ARCHITECTURE.md, Queries) [Q1-Q3, T1, T2].
 * </ul>
 *
 * <p>Threading: {@link #prepare} and the reads may run on any thread, concurrently with {@link
 * #apply}, which must be called by one thread at a time, in log order. Time and randomness never
 * enter.
 */
public final class Engine implements AutoCloseable {
  private final ReplaceableStore store;
  private final Applier applier;
  private volatile EngineState state;
  private final ViewPins pins = new ViewPins();
  private final GarbageCollector collector;

  /** The idempotency horizon of a store no SetIdempotencyHorizon entry raised. */
  private final long idempotencyHorizonEntries;

  /** The first index from which this store's change feed is complete (see {@link #changes}). */
  private volatile long feedStart;

  private final long headsDerivedAtOpen;

  private Engine(
      ReplaceableStore store,
      long idempotencyHorizonEntries,
      EngineState state,
      long headsDerivedAtOpen) {
    this.headsDerivedAtOpen = headsDerivedAtOpen;
    this.store = store;
    this.idempotencyHorizonEntries = idempotencyHorizonEntries;
    this.applier = new Applier(store);
    this.collector = new GarbageCollector(store);
    this.state = state;
  }

  /** Opens the engine on a store, recovering the applied state and catalog persisted in it. */
  public static Engine open(KvStore store) {
    return open(store, IdempotencyTable.HORIZON_ENTRIES);
  }

  /** For tests only: a shorter idempotency horizon (the real one is a format constant). */
  static Engine open(KvStore store, long idempotencyHorizonEntries) {
    ReplaceableStore replaceable = new ReplaceableStore(store);
    long heads = StoreLayout.upgrade(replaceable);
    Engine e =
        new Engine(
            replaceable,
            idempotencyHorizonEntries,
            load(replaceable, idempotencyHorizonEntries),
            heads);
    e.feedStart = feedStartOf(replaceable);
    return e;
  }

  /**
   * How many document heads opening the store derived from its versions (a store written by AeroDB
   * before heads: see StoreLayout), or -1 if it already kept them.
   */
  public long headsDerivedAtOpen() {
    return headsDerivedAtOpen;
  }

  /**
   * Where the store's change feed starts, recorded once: 1 for a store created with the feed, the
   * next index for a store written before it (its older changes were never recorded; a watch from
   * below fails loudly). Outside the state digest, like the feed.
   */
  private static long feedStartOf(KvStore store) {
    byte[] v = store.get(Keys.feedStart());
    if (v != null) {
      return io.aerodb.core.util.Bytes.getLong(v, 0);
    }
    long start = appliedIn(store).index() + 1;
    store.write(
        new io.aerodb.core.store.WriteBatch()
            .put(Keys.feedStart(), io.aerodb.core.util.Bytes.ofLong(start)));
    return start;
  }

  /**
   * @param defaultHorizon the idempotency horizon of a store no SetIdempotencyHorizon entry raised
   */
  private static EngineState load(KvStore store, long defaultHorizon) {
    byte[] floor = store.get(Keys.gcFloor());
    byte[] horizon = store.get(Keys.idempotencyHorizon());
    return new EngineState(
        appliedIn(store),
        Catalog.load(store),
        AuthorityHistory.load(store),
        floor == null ? 0 : io.aerodb.core.util.Bytes.getLong(floor, 0),
        horizon == null ? defaultHorizon : io.aerodb.core.util.Bytes.getLong(horizon, 0));
  }

  /** The applied state persisted in {@code store} (INITIAL for an empty store). */
  public static AppliedState appliedIn(KvStore store) {
    byte[] a = store.get(Keys.applied());
    return a == null ? AppliedState.INITIAL : AppliedState.decode(a);
  }

  /**
   * Replaces the whole store (a snapshot install): waits for running reads, closes the store, takes
   * the one {@code reopen} returns and publishes the state persisted in it, all under the store's
   * write lock. Called by the apply thread (no apply runs meanwhile). A read holds the read lock
   * for its whole length (state, floor check and every store call), so it runs entirely on the old
   * store and state or entirely on the new ones (the new store may have collected what the old one
   * still had: its floor can be higher).
   *
   * @return the applied state of the new store
   */
  public AppliedState replaceStore(Supplier<KvStore> reopen) {
    synchronized (collector) {
      EngineState[] loaded = new EngineState[1];
      store.replace(
          () -> {
            KvStore opened = reopen.get();
            StoreLayout.upgrade(opened); // a store from a node that did not keep heads yet
            loaded[0] = load(opened, idempotencyHorizonEntries);
            feedStart = feedStartOf(opened);
            state = loaded[0]; // published before any read can see the new store
            return opened;
          });
      collector.reset();
      return loaded[0].applied();
    }
  }

  /** Garbage collection's progress: the floor, how far collection got, and what it deleted. */
  public record GcProgress(
      long floor, long collected, long passFloor, long deletedKeys, boolean more) {}

  /**
   * One bounded step of garbage collection (docs/adr/0008): examines at most {@code maxKeys} keys
   * and deletes, in one store batch, what the GC floor made reclaimable — never above the oldest
   * read running on this node. Call it from one thread, off the apply thread, until {@code more} is
   * false; it is also how a node finishes a collection a crash interrupted.
   */
  public GcProgress collectGarbage(int maxKeys) {
    synchronized (collector) {
      EngineState s = state; // the floor is published before the pins are read (ViewPins)
      long target = Math.min(s.gcFloor(), pins.oldest());
      GarbageCollector.Step step;
      try {
        step = collector.step(target, s.catalog(), maxKeys);
      } catch (RuntimeException e) {
        collector.reset(); // a step that failed half way leaves no cursor state: the pass restarts
        throw e;
      }
      return new GcProgress(
          s.gcFloor(), step.collected(), step.passFloor(), step.deletedKeys(), step.more());
    }
  }

  /**
   * Told of every store failure (AERO_STORAGE_IO or AERO_STORAGE_CORRUPTION) any caller meets: the
   * node must stop serving (ReplaceableStore#onStorageFailure).
   */
  public void onStorageFailure(java.util.function.Consumer<io.aerodb.core.error.AeroError> l) {
    store.onStorageFailure(l);
  }

  /**
   * Runs {@code f} on the underlying store (for example a checkpoint), which stays open meanwhile.
   */
  public <T> T withStore(Function<KvStore, T> f) {
    return store.withCurrent(f);
  }

  /** The last applied entry and state digest (what the store reflects). */
  public AppliedState applied() {
    return state.applied();
  }

  public Catalog catalog() {
    return state.catalog();
  }

  /**
   * What the replicated authority history implies now (latest epoch, pending transfer, peer
   * directory).
   */
  public AuthorityState authority() {
    return state.authority();
  }

  /** Authority records after {@code afterIndex}, oldest first [P6-D2]. */
  public List<AuthorityRecord> authorityHistory(long afterIndex, int limit) {
    return AuthorityHistory.read(store, afterIndex, limit);
  }

  public KvStore store() {
    return store;
  }

  /**
   * What the replicated idempotency table says about {@code requestId} at {@code view} (the applied
   * index the read runs at, for the answer's receipt): the original write's index and result, or
   * unknown — never seen, or seen more than the horizon ago (every node answers the same at the
   * same applied index).
   */
  public WriteStatus writeStatus(byte[] requestId, long view) {
    if (requestId.length == 0) {
      throw AeroError.of(
              io.aerodb.core.error.ErrorCode.AERO_REQUEST_INVALID,
              "a write status needs the write's request_id (1 to "
                  + Limits.REQUEST_ID_BYTES_MAX
                  + " bytes)",
              "field",
              "request_id")
          .toException();
    }
    if (requestId.length > Limits.REQUEST_ID_BYTES_MAX) {
      throw Rejections.requestIdTooLong(requestId).toException();
    }
    Optional<IdempotencyTable.Record> r =
        store.withCurrent(s -> IdempotencyTable.find(s, requestId));
    return new WriteStatus(
        view, Math.max(1, view - state.idempotencyHorizon() + 1), r.map(x -> x.result()));
  }

  /**
   * @param view the applied index the answer describes
   * @param rememberedFrom the oldest entry whose request_ids are still remembered at the view
   * @param result the original write's result (its commit index; a rejection is a result), or empty
   *     when unknown
   */
  public record WriteStatus(long view, long rememberedFrom, Optional<CommandResult> result) {}

  // ---------------------------------------------------------------------------------- prepare

  /**
   * Leader-side check before proposing: the canonical command and its document key, or {@link
   * AeroException} with the rejection. A command whose request_id is already recorded skips the
   * state checks (its apply returns the stored result), but is still canonicalized so that its
   * fingerprint can be compared.
   */
  public Prepared prepare(byte[] requestId, Command raw) {
    if (requestId.length > Limits.REQUEST_ID_BYTES_MAX) {
      throw Rejections.requestIdTooLong(requestId).toException();
    }
    EngineState s = state;
    boolean knownRetry =
        requestId.length > 0 && IdempotencyTable.find(store, requestId).isPresent();
    try {
      return raw.prepare(
          new PrepareContext(s.catalog(), store, s.applied().index(), !knownRetry, s.gcFloor()));
    } catch (AeroException refused) {
      // The state checks read the newest applied state (document heads), which may hold the
      // original of this retry, applied after the lookup above: then its own record says what
      // happened, and apply must answer with it, never a fresh verdict [TX2]. The record is in
      // the same batch as the head the checks saw, so this second lookup finds it.
      if (knownRetry
          || requestId.length == 0
          || IdempotencyTable.find(store, requestId).isEmpty()) {
        throw refused;
      }
      return raw.prepare(
          new PrepareContext(s.catalog(), store, s.applied().index(), false, s.gcFloor()));
    }
  }

  // ------------------------------------------------------------------------------------ apply

  /**
   * Applies the log entry (term, index): one result per write, each with the entry's index as its
   * commit index [MVCC-2]. See the class contract.
   */
  public AppliedEntry apply(long term, long index, Entry entry) {
    Applier.Outcome outcome = applier.apply(state, term, index, entry);
    store.write(outcome.batch()); // throws AERO_STORAGE_IO or _CORRUPTION: this replica stops
    state = outcome.after();
    return outcome.entry();
  }

  /** Applies an entry of one command (term, index); see {@link #apply(long, long, Entry)}. */
  public CommandResult apply(long term, long index, byte[] requestId, Command command) {
    return apply(term, index, new Entry.Single(new Write(requestId, command))).results().get(0);
  }

  // ------------------------------------------------------------------------------------ reads

  /**
   * The document {@code id} as of {@code viewIndex} (which must be at or below the applied index).
   */
  public ReadResult get(String collection, String id, long viewIndex) {
    return readAt(
        viewIndex,
        tooOld -> new ReadResult(viewIndex, Optional.empty(), tooOld),
        () -> getPinned(collection, id, viewIndex));
  }

  /**
   * Runs a read at {@code view}: refused below the floor before anything else (a refused read pins
   * nothing), then with the view pinned and the store's read lock held for the whole read, so it
   * never spans a store replacement and collection never removes what it can see.
   */
  private <T> T readAt(
      long view, java.util.function.Function<AeroError, T> refused, Supplier<T> read) {
    Optional<AeroError> tooOld = belowFloor(state, view);
    if (tooOld.isPresent()) {
      return refused.apply(tooOld.get());
    }
    return store.withCurrent(
        s -> {
          pins.pin(view);
          try {
            return read.get();
          } finally {
            pins.unpin(view);
          }
        });
  }

  private ReadResult getPinned(String collection, String id, long viewIndex) {
    EngineState s = checkView(viewIndex);
    Optional<AeroError> tooOld = belowFloor(s, viewIndex);
    if (tooOld.isPresent()) {
      return new ReadResult(viewIndex, Optional.empty(), tooOld.get());
    }
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      return new ReadResult(viewIndex, Optional.empty(), bad.get());
    }
    Optional<CollectionInfo> info = s.catalog().collection(collection);
    if (info.isEmpty() || !info.get().existsAt(viewIndex)) {
      return new ReadResult(viewIndex, Optional.empty(), Rejections.collectionNotFound(collection));
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
    return readAt(
        viewIndex,
        tooOld -> QueryResult.rejected(viewIndex, null, tooOld),
        () -> {
          EngineState s = checkView(viewIndex);
          Optional<AeroError> tooOld = belowFloor(s, viewIndex);
          if (tooOld.isPresent()) {
            return QueryResult.rejected(viewIndex, null, tooOld.get());
          }
          return Queries.run(store, s.catalog(), request, viewIndex, limits);
        });
  }

  /**
   * The explain document (canonical JSON) of a query at {@code viewIndex}: the plan, or the
   * rejection with its code and invariant [Q3]. Reads no document.
   */
  public byte[] explain(QueryRequest request, long viewIndex, QueryLimits limits) {
    return Queries.explain(checkView(viewIndex).catalog(), request, viewIndex, limits);
  }

  /**
   * The indexes (the implicit _id one included) and schema versions of a collection at {@code
   * viewIndex}; or AERO_COLLECTION_NOT_FOUND.
   */
  public CatalogListing listIndexes(String collection, long viewIndex) {
    EngineState s = checkView(viewIndex);
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      return CatalogListing.rejected(viewIndex, bad.get());
    }
    Optional<CollectionInfo> info = s.catalog().collection(collection);
    if (info.isEmpty() || !info.get().existsAt(viewIndex)) {
      return CatalogListing.rejected(viewIndex, Rejections.collectionNotFound(collection));
    }
    return CatalogListing.of(info.get(), viewIndex);
  }

  /**
   * The changes of {@code collection} from {@code fromIndex} on (after document {@code afterId} of
   * that index; "" for all of it), up to {@code view} (at or below the applied index), at most
   * {@code max}, in commit order: the stream {@code Watch} sends [W1]. Gap-free or refused: a start
   * at or below the GC floor, or below the feed's start, is AERO_MVCC_SNAPSHOT_TOO_OLD naming the
   * numbers, and so is a read the floor overtook while it ran (never a silent skip).
   */
  public Changes changes(String collection, long fromIndex, String afterId, long view, int max) {
    Optional<AeroError> bad = Names.checkCollection(collection);
    if (bad.isPresent()) {
      return Changes.rejected(view, bad.get());
    }
    // pinned before the floor is checked: a collection pass that starts now stops below fromIndex
    pins.pin(fromIndex - 1);
    try {
      return changesPinned(collection, fromIndex, afterId, view, max);
    } finally {
      pins.unpin(fromIndex - 1);
    }
  }

  private Changes changesPinned(
      String collection, long fromIndex, String afterId, long view, int max) {
    Optional<AeroError> gone = changesGone(fromIndex);
    if (gone.isPresent()) {
      return Changes.rejected(view, gone.get());
    }
    EngineState s = checkView(view);
    Optional<CollectionInfo> info = s.catalog().collection(collection);
    if (info.isEmpty() || !info.get().existsAt(view)) {
      return Changes.rejected(view, Rejections.collectionNotFound(collection));
    }
    if (fromIndex > view) {
      return new Changes(List.of(), true, view, null);
    }
    String[] missing = new String[1];
    Changes read =
        store.withCurrent(
            kv -> {
              byte[] prefix = Keys.changes(collection);
              byte[] from =
                  afterId.isEmpty()
                      ? Keys.changesAt(collection, fromIndex)
                      : Keys.change(collection, fromIndex, afterId);
              List<Changes.Change> events = new java.util.ArrayList<>();
              try (io.aerodb.core.store.KvCursor c = kv.seek(from)) {
                for (;
                    c.valid() && io.aerodb.core.util.Bytes.startsWith(c.key(), prefix);
                    c.next()) {
                  byte[] key = c.key();
                  if (!afterId.isEmpty() && java.util.Arrays.equals(key, from)) {
                    continue; // strictly after the last change the reader had
                  }
                  long index = Keys.changeIndex(key, prefix.length);
                  if (index > view) {
                    return new Changes(events, true, view, null);
                  }
                  if (events.size() == max) {
                    return new Changes(events, false, view, null);
                  }
                  String id = Keys.changeId(key, prefix.length);
                  byte[] version =
                      kv.get(Keys.documentVersion(Keys.document(collection, id), index));
                  if (version == null) {
                    // a collection pass that began before the pin took the version: judged below
                    missing[0] = collection + "/" + id + " at " + index;
                    return new Changes(events, false, view, null);
                  }
                  events.add(
                      new Changes.Change(
                          index,
                          id,
                          io.aerodb.core.mvcc.ChangeFeed.Kind.of(c.value()),
                          io.aerodb.core.mvcc.VersionCodec.decode(index, version)));
                }
              }
              return new Changes(events, true, view, null);
            });
    // the floor may have passed the start while the feed was read: the keys read may have gaps
    Optional<AeroError> overtaken = changesGone(fromIndex);
    if (overtaken.isPresent()) {
      return Changes.rejected(view, overtaken.get());
    }
    Invariants.check(
        missing[0] == null,
        () -> "the change feed names " + missing[0] + " but no such version exists");
    return read;
  }

  /** The first index whose changes this node still has (above the floor and the feed's start). */
  public long changesKeptFrom() {
    return Math.max(state.gcFloor() + 1, feedStart);
  }

  private Optional<AeroError> changesGone(long fromIndex) {
    long floor = state.gcFloor();
    long start = feedStart;
    if (fromIndex > floor && fromIndex >= start) {
      return Optional.empty();
    }
    return Optional.of(
        AeroError.of(
            io.aerodb.core.error.ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD,
            "changes from index "
                + fromIndex
                + " are no longer kept: the garbage-collection floor is "
                + floor
                + " and this node's change feed starts at "
                + start
                + "; watch from index "
                + Math.max(floor + 1, start)
                + " or later (read the documents at that index first)",
            "fromIndex",
            Long.toString(fromIndex),
            "gcFloor",
            Long.toString(floor),
            "feedStart",
            Long.toString(start)));
  }

  /**
   * AERO_MVCC_SNAPSHOT_TOO_OLD naming both numbers when {@code view} is below the GC floor: its
   * history may be collected, so no answer at it can be trusted (never a wrong answer).
   */
  private static Optional<AeroError> belowFloor(EngineState s, long view) {
    if (view >= s.gcFloor()) {
      return Optional.empty();
    }
    return Optional.of(
        AeroError.of(
            io.aerodb.core.error.ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD,
            "index "
                + view
                + " is below the garbage-collection floor "
                + s.gcFloor()
                + ": its history may be collected; read at or above the floor",
            "index",
            Long.toString(view),
            "gcFloor",
            Long.toString(s.gcFloor())));
  }

  /**
   * The state digest after the log entry at {@code index}, which the caller knows this node applied
   * (Raft's applied index, which counts configuration entries too): the digest of the newest
   * state-machine entry at or below it, the same on every node that applied it. Empty when this
   * node keeps none: below the GC floor (collected), or applied before the digest history existed.
   */
  public Optional<byte[]> digestAt(long index) {
    EngineState s = state;
    if (index >= s.applied().index()) {
      return Optional.of(s.applied().digest()); // no state-machine entry after it changed state
    }
    return store.withCurrent(
        st -> {
          try (io.aerodb.core.store.KvCursor c = st.seekReverse(Keys.digestAt(index))) {
            if (c.valid() && c.key()[0] == Keys.DIGEST) {
              return Optional.of(c.value());
            }
          }
          return index == 0 ? Optional.of(AppliedState.INITIAL.digest()) : Optional.empty();
        });
  }

  /** Tests: the pins of running reads. */
  ViewPins pinsForTest() {
    return pins;
  }

  /** The idempotency horizon in force (log entries a request_id is remembered for). */
  public long idempotencyHorizon() {
    return state.idempotencyHorizon();
  }

  /** The garbage-collection floor of the applied state (reads below it are refused). */
  public long gcFloor() {
    return state.gcFloor();
  }

  /** The published state, once the view is checked to be at or below its applied index. */
  private EngineState checkView(long viewIndex) {
    EngineState s = state;
    Invariants.check(
        viewIndex <= s.applied().index(),
        () -> "read view " + viewIndex + " above applied index " + s.applied().index());
    return s;
  }

  /**
   * Makes everything applied so far durable in the store (the Raft log may then be purged up to
   * it).
   */
  public AppliedState syncDurable() {
    AppliedState a = state.applied();
    store.syncDurable();
    return a;
  }

  @Override
  public void close() {
    store.close();
  }
}
