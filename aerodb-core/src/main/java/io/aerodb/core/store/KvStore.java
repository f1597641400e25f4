package io.aerodb.core.store;

/**
 * The ordered key-value store under the MVCC layer (DESIGN.md, The store). Keys and values are byte
 * arrays, ordered by unsigned lexicographic comparison. Implementations: {@link RocksKvStore}
 * (production) and {@link MemoryKvStore} (tests and simulation).
 *
 * <p>Durability contract: {@link #write} is atomic but need not be durable; the Raft log is the
 * durable record. {@link #syncDurable} makes every write so far survive a power loss. After a crash
 * the store holds a prefix of the batches written (never a partial batch, never a gap). I/O
 * failures are {@link io.aerodb.core.error.AeroException}s with code AERO_STORAGE_IO (or
 * AERO_STORAGE_CORRUPTION when the data is damaged) and the path.
 *
 * <p>Thread-safety: one writer thread, any number of concurrent readers.
 */
public interface KvStore extends AutoCloseable {
  /** The value of {@code key}, or null. */
  byte[] get(byte[] key);

  /** A cursor positioned at the first key {@code >= from}. */
  KvCursor seek(byte[] from);

  /**
   * A reverse cursor positioned at the last key {@code <= from}; its {@link KvCursor#next} moves to
   * the previous key (descending order). Used by queries sorted in descending order.
   */
  KvCursor seekReverse(byte[] from);

  /** Applies the batch atomically. */
  void write(WriteBatch batch);

  /** Makes every batch written so far durable (fsync). */
  void syncDurable();

  /**
   * Reads every byte of the store's files once and checks their checksums; a mismatch is
   * AERO_STORAGE_CORRUPTION naming the file (a store without files or checksums has nothing to
   * check). Takes time proportional to the store's size.
   */
  default void verifyChecksums() {}

  @Override
  void close();
}
