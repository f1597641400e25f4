package io.aerodb.core.engine;

import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;

/**
 * Brings a store to the layout this code keeps ({@link AppliedState#STORE_LAYOUT}) before the
 * engine reads or applies anything on it: a store whose applied record says layout 1 (written,
 * last, by AeroDB before document heads: an existing node's store, an old backup, a store installed
 * from a node not yet upgraded) gets its heads derived from its versions, then its applied record
 * rewritten with the layout; the state digest and everything else stay as they are. A crash in
 * between leaves the record at layout 1, so the next open does it again from the start.
 */
final class StoreLayout {
  /** Operations per store batch while deriving heads. */
  static final int REBUILD_BATCH_OPS = 4096;

  private StoreLayout() {}

  /**
   * @return the number of heads derived, or -1 if the store already had the current layout (or is
   *     empty: its first applied entry writes the layout)
   */
  static long upgrade(KvStore store) {
    return upgrade(store, REBUILD_BATCH_OPS);
  }

  /** {@link #upgrade(KvStore)} deriving the heads in batches of {@code batchOps} operations. */
  static long upgrade(KvStore store, int batchOps) {
    byte[] record = store.get(Keys.applied());
    if (record == null || AppliedState.layoutOf(record) >= AppliedState.STORE_LAYOUT) {
      return -1;
    }
    long heads = DocumentHeads.rebuild(store, batchOps);
    store.write(new WriteBatch().put(Keys.applied(), AppliedState.decode(record).encode()));
    return heads;
  }
}
