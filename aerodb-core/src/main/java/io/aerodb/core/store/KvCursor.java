package io.aerodb.core.store;

/**
 * A cursor over keys in unsigned lexicographic order: ascending from {@link KvStore#seek},
 * descending from {@link KvStore#seekReverse} ({@link #next} moves in the cursor's direction). Not
 * thread-safe; close it. Whether it observes writes made after it was opened is unspecified:
 * callers rely only on keys that never change once written (MVCC versions are keyed by the log
 * index that created them) or read under their own read view.
 */
public interface KvCursor extends AutoCloseable {
  boolean valid();

  byte[] key();

  byte[] value();

  void next();

  @Override
  void close();
}
