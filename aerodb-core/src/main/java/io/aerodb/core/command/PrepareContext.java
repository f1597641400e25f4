package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.store.KvStore;
import java.util.OptionalLong;

/**
 * What {@link Command#prepare} may consult on the leader: the catalog and the documents of the
 * latest applied state. Read-only; may be used on any thread, concurrently with apply.
 */
public final class PrepareContext {
  private final Catalog catalog;
  private final KvStore store;
  private final long view;
  private final boolean checksState;
  private final long gcFloor;

  /**
   * @param view the applied index when prepare began: the catalog's and the GC floor's state (the
   *     documents are read in the newest applied state, at this index or later: see {@link #live})
   * @param checksState false for a request_id that is already recorded: its apply returns the
   *     stored result, so only the canonical form (for the fingerprint) is needed
   */
  public PrepareContext(Catalog catalog, KvStore store, long view, boolean checksState) {
    this(catalog, store, view, checksState, 0);
  }

  /**
   * @param gcFloor the garbage-collection floor of the applied state
   */
  public PrepareContext(
      Catalog catalog, KvStore store, long view, boolean checksState, long gcFloor) {
    this.gcFloor = gcFloor;
    this.catalog = catalog;
    this.store = store;
    this.view = view;
    this.checksState = checksState;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** The applied index when prepare began (the catalog's and the GC floor's). */
  public long view() {
    return view;
  }

  /** The garbage-collection floor of the applied state. */
  public long gcFloor() {
    return gcFloor;
  }

  /** Whether the state-dependent checks (existence, catalog rules) run. */
  public boolean checksState() {
    return checksState;
  }

  /**
   * The index of the document's live version in the newest applied state the store holds (its head,
   * one point read [MVCC-2]), if any: at the view or a later applied index, since apply goes on
   * meanwhile. Either is a committed state, and apply checks again at its own view and is
   * authoritative. (The operations of one atomic batch may so be checked against successive states;
   * a refusal names an operation that fails in the state it read.) A retry whose original applied
   * after the request_id was looked up may meet the original's own effect here: Engine#prepare then
   * finds the original's record and lets apply answer with it.
   */
  public OptionalLong live(String collection, String id) {
    return DocumentHeads.liveIndex(store, collection, id);
  }
}
