package io.aerodb.core.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * In-memory {@link KvStore} for tests and deterministic simulation. It fails like the real store
 * does:
 *
 * <p>Fault model: batches written since the last {@link #syncDurable} are not durable. {@link
 * #crash(int)} returns the store a restarted process would find after a power loss: the durable
 * state plus the first {@code survivingBatches} of the unsynced batches, in order (RocksDB's WAL
 * recovers a prefix; it never drops a middle batch and never applies part of one). Batches are
 * atomic for {@link #get} callers.
 */
public final class MemoryKvStore implements KvStore {
  private static final java.util.Comparator<byte[]> ORDER = Arrays::compareUnsigned;

  private final ConcurrentSkipListMap<byte[], byte[]> live = new ConcurrentSkipListMap<>(ORDER);
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<WriteBatch> unsynced = new ArrayList<>();
  private ConcurrentSkipListMap<byte[], byte[]> durable = new ConcurrentSkipListMap<>(ORDER);
  private boolean closed;

  @Override
  public byte[] get(byte[] key) {
    lock.readLock().lock();
    try {
      checkOpen();
      byte[] v = live.get(key);
      return v == null ? null : v.clone();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public KvCursor seek(byte[] from) {
    checkOpen();
    return cursor(live.tailMap(from, true).entrySet().iterator());
  }

  @Override
  public KvCursor seekReverse(byte[] from) {
    checkOpen();
    return cursor(live.headMap(from, true).descendingMap().entrySet().iterator());
  }

  private static KvCursor cursor(Iterator<Map.Entry<byte[], byte[]>> it) {
    return new KvCursor() {
      private Map.Entry<byte[], byte[]> current = it.hasNext() ? it.next() : null;

      @Override
      public boolean valid() {
        return current != null;
      }

      @Override
      public byte[] key() {
        return current.getKey().clone();
      }

      @Override
      public byte[] value() {
        return current.getValue().clone();
      }

      @Override
      public void next() {
        current = it.hasNext() ? it.next() : null;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void write(WriteBatch batch) {
    lock.writeLock().lock();
    try {
      checkOpen();
      applyTo(live, batch);
      unsynced.add(batch);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void syncDurable() {
    lock.writeLock().lock();
    try {
      checkOpen();
      durable = new ConcurrentSkipListMap<>(live);
      unsynced.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Number of batches written since the last sync (what a power loss may drop). */
  public int unsyncedBatches() {
    lock.readLock().lock();
    try {
      return unsynced.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Simulates a power loss and a restart: closes this store and returns the store the next process
   * opens, holding the durable state plus the first {@code survivingBatches} unsynced batches.
   */
  public MemoryKvStore crash(int survivingBatches) {
    lock.writeLock().lock();
    try {
      checkOpen();
      if (survivingBatches < 0 || survivingBatches > unsynced.size()) {
        throw new IllegalArgumentException(
            "survivingBatches " + survivingBatches + " not in [0, " + unsynced.size() + "]");
      }
      MemoryKvStore next = new MemoryKvStore();
      next.live.putAll(durable);
      for (int i = 0; i < survivingBatches; i++) {
        applyTo(next.live, unsynced.get(i));
      }
      next.durable = new ConcurrentSkipListMap<>(next.live);
      closed = true;
      return next;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A process crash (kill -9) loses nothing the OS already has: every written batch survives. */
  /**
   * A durable copy of everything written so far (as a RocksDB checkpoint is): a store install's
   * source in the simulation. This store stays open and unchanged.
   */
  public MemoryKvStore checkpoint() {
    lock.readLock().lock();
    try {
      checkOpen();
      MemoryKvStore copy = new MemoryKvStore();
      copy.live.putAll(live);
      copy.durable.putAll(live);
      return copy;
    } finally {
      lock.readLock().unlock();
    }
  }

  public MemoryKvStore processCrash() {
    return crash(unsyncedBatches());
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void applyTo(ConcurrentSkipListMap<byte[], byte[]> map, WriteBatch batch) {
    for (WriteBatch.Op op : batch.ops()) {
      if (op.isDelete()) {
        map.remove(op.key());
      } else {
        map.put(op.key(), op.value());
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }
}
