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
   * @param view the applied index the state checks read at
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

  /** The applied index the checks read at. */
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

  /** Whether a live version of the document exists in the applied state. */
  public boolean isLive(String collection, String id) {
    return live(collection, id).isPresent();
  }

  /**
   * The index of the document's live version in the newest applied state the store holds (its head,
   * one point read [MVCC-2]), if any: at the view or a later applied index, since apply goes on
   * meanwhile. Either is a committed state, and prepare's checks only spare the log a write that
   * apply would refuse: apply checks again at its own view and is authoritative.
   */
  public OptionalLong live(String collection, String id) {
    return DocumentHeads.liveIndex(store, collection, id);
  }
}
