package io.aerodb.core.command;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Everything the writes of one log entry (term, index) read and change while it is applied: the
 * state before the entry, the entry's one store batch, and the catalog and authority state as the
 * entry's earlier writes left them. One per entry, on the apply thread only.
 *
 * <p>Invariant: a write's rule makes every check before its first change to this context, so a
 * rejected write leaves nothing behind.
 */
public final class ApplyContext {
  private final long term;
  private final long index;
  private final KvStore store;
  private final long view;
  private final WriteBatch batch;
  private Catalog catalog;
  private AuthorityState authority;
  private long gcFloor;
  private long idempotencyHorizon;
  private final TreeSet<DocumentKey> written = new TreeSet<>();
  private final boolean batchOperations;
  private final List<AuthorityRecord> authorityRecords = new ArrayList<>();

  /**
   * @param view the applied index before this entry: existence checks read the store at it
   * @param idempotencyHorizon the horizon in force before this entry
   */
  public ApplyContext(
      long term,
      long index,
      KvStore store,
      long view,
      WriteBatch batch,
      Catalog catalog,
      AuthorityState authority,
      long gcFloor,
      long idempotencyHorizon) {
    this(term, index, store, view, batch, catalog, authority, gcFloor, idempotencyHorizon, false);
  }

  private ApplyContext(
      long term,
      long index,
      KvStore store,
      long view,
      WriteBatch batch,
      Catalog catalog,
      AuthorityState authority,
      long gcFloor,
      long idempotencyHorizon,
      boolean batchOperations) {
    this.batchOperations = batchOperations;
    this.gcFloor = gcFloor;
    this.idempotencyHorizon = idempotencyHorizon;
    this.term = term;
    this.index = index;
    this.store = store;
    this.view = view;
    this.batch = batch;
    this.catalog = catalog;
    this.authority = authority;
  }

  public long term() {
    return term;
  }

  /** The entry's log index: the commit index of every write in it [MVCC-2]. */
  public long index() {
    return index;
  }

  public KvStore store() {
    return store;
  }

  /** The applied index before this entry. */
  public long view() {
    return view;
  }

  public WriteBatch batch() {
    return batch;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** The catalog after this write (persist the change into {@link #batch} too). */
  public void changeCatalog(Catalog next) {
    catalog = next;
  }

  /** The garbage-collection floor as the entry's earlier writes left it. */
  public long gcFloor() {
    return gcFloor;
  }

  /** Raises the floor (persisted into {@link #batch} here). */
  public void changeGcFloor(long floor) {
    gcFloor = floor;
    batch.put(io.aerodb.core.mvcc.Keys.gcFloor(), io.aerodb.core.util.Bytes.ofLong(floor));
  }

  /** The idempotency horizon (entries) as the entry's earlier writes left it. */
  public long idempotencyHorizon() {
    return idempotencyHorizon;
  }

  /** Raises the idempotency horizon (persisted into {@link #batch} here). */
  public void changeIdempotencyHorizon(long entries) {
    idempotencyHorizon = entries;
    batch.put(
        io.aerodb.core.mvcc.Keys.idempotencyHorizon(), io.aerodb.core.util.Bytes.ofLong(entries));
  }

  public AuthorityState authority() {
    return authority;
  }

  /** Writes an authority record into the batch and the state that follows from it. */
  public void recordAuthority(AuthorityRecord r) {
    AuthorityHistory.write(batch, r);
    authority = authority.with(r);
    authorityRecords.add(r);
  }

  /** The authority records this entry wrote, in order. */
  public List<AuthorityRecord> authorityRecords() {
    return List.copyOf(authorityRecords);
  }

  /**
   * The index of the document's live version before this entry, if any: its head, one point read
   * [MVCC-2]. Exact at the view: while the engine runs, the apply thread is the only writer of new
   * versions and of heads (garbage collection deletes only versions no head names), so the heads
   * are those of the view.
   */
  public OptionalLong live(String collection, String id) {
    return DocumentHeads.liveIndex(store, collection, id);
  }

  /**
   * A scratch context for the operations of one {@link AtomicBatch} [TX1]: the same entry, view and
   * catalog, its own store batch, which {@link #absorb} adds to this one only once every operation
   * succeeded; a rejected operation leaves this context untouched.
   */
  ApplyContext forBatchOperations() {
    return new ApplyContext(
        term,
        index,
        store,
        view,
        new WriteBatch(),
        catalog,
        authority,
        gcFloor,
        idempotencyHorizon,
        true);
  }

  /** Takes over the writes of a scratch context whose operations all succeeded. */
  void absorb(ApplyContext scratch) {
    batch.addAll(scratch.batch);
    written.addAll(scratch.written);
  }

  /**
   * Refuses a second write of a document in this entry (their versions would share a key):
   * AERO_LOG_ENTRY_INVALID, as an AeroException; within a batch, AERO_TXN_DOCUMENT_REPEATED.
   */
  public void checkNotWritten(DocumentKey key) {
    if (written.contains(key) && batchOperations) {
      throw AtomicBatch.repeated(key).toException();
    }
    if (written.contains(key)) {
      throw Rejections.malformedEntry(
              index, "document '" + key.id() + "' of '" + key.collection() + "' is written twice")
          .toException();
    }
  }

  /**
   * Marks a document a write addressed without writing it (a delete of an absent document): within
   * a batch no other operation may write it [TX1]; a group's writes are unaffected (their rule was
   * fixed before batches existed and stays as it is, entries in logs depend on it).
   */
  public void markAddressed(DocumentKey key) {
    if (batchOperations) {
      written.add(key);
    }
  }

  /** Marks the document written by this entry, once its write is certain. */
  public void markWritten(DocumentKey key) {
    written.add(key);
  }
}
