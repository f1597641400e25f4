package io.aerodb.core.store;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link KvStore} whose underlying store can be replaced while readers run: a snapshot install
 * swaps the whole store directory under a running node. Every operation holds a read lock for its
 * duration, and a cursor holds one until it is closed, so {@link #replace} (the write lock) waits
 * for every reader and never closes a store a reader still uses (RocksDB crashes the JVM on a
 * closed handle).
 *
 * <p>Contract: a cursor is closed by the thread that opened it (the lock is per thread), and the
 * thread that calls {@link #replace} holds no cursor.
 */
public final class ReplaceableStore implements KvStore {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private KvStore current; // guarded by lock
  private volatile Consumer<AeroError> onStorageFailure = e -> {};

  public ReplaceableStore(KvStore initial) {
    this.current = initial;
  }

  /**
   * Closes the current store once no reader uses it, then installs the one {@code reopen} returns
   * (for example after renaming directories). If reopen throws, the store stays closed and every
   * later operation fails: the caller must stop the node.
   */
  public void replace(Supplier<KvStore> reopen) {
    lock.writeLock().lock();
    try {
      KvStore old = current;
      current = Closed.INSTANCE;
      old.close();
      current = reopen.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Told of every store failure (AERO_STORAGE_IO or AERO_STORAGE_CORRUPTION) any operation meets,
   * whoever called it (apply, a read, garbage collection, a digest): the node stops serving [SPEC
   * §5]. The exception still reaches the caller.
   */
  public void onStorageFailure(Consumer<AeroError> listener) {
    this.onStorageFailure = listener;
  }

  private RuntimeException failed(RuntimeException e) {
    if (e instanceof AeroException a
        && (a.code() == ErrorCode.AERO_STORAGE_IO
            || a.code() == ErrorCode.AERO_STORAGE_CORRUPTION)) {
      onStorageFailure.accept(a.error());
    }
    return e;
  }

  /** Runs {@code f} on the current underlying store, which stays open until f returns. */
  public <T> T withCurrent(Function<KvStore, T> f) {
    lock.readLock().lock();
    try {
      return f.apply(current);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public byte[] get(byte[] key) {
    lock.readLock().lock();
    try {
      return current.get(key);
    } catch (RuntimeException e) {
      throw failed(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public KvCursor seek(byte[] from) {
    lock.readLock().lock();
    try {
      return held(current.seek(from));
    } catch (RuntimeException e) {
      lock.readLock().unlock();
      throw failed(e);
    }
  }

  @Override
  public KvCursor seekReverse(byte[] from) {
    lock.readLock().lock();
    try {
      return held(current.seekReverse(from));
    } catch (RuntimeException e) {
      lock.readLock().unlock();
      throw failed(e);
    }
  }

  /** A cursor that releases the read lock taken for it when closed (once). */
  private KvCursor held(KvCursor c) {
    return new KvCursor() {
      private boolean closed;

      @Override
      public boolean valid() {
        try {
          return c.valid();
        } catch (RuntimeException e) {
          throw failed(e);
        }
      }

      @Override
      public byte[] key() {
        try {
          return c.key();
        } catch (RuntimeException e) {
          throw failed(e);
        }
      }

      @Override
      public byte[] value() {
        try {
          return c.value();
        } catch (RuntimeException e) {
          throw failed(e);
        }
      }

      @Override
      public void next() {
        try {
          c.next();
        } catch (RuntimeException e) {
          throw failed(e);
        }
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          try {
            c.close();
          } finally {
            lock.readLock().unlock();
          }
        }
      }
    };
  }

  @Override
  public void write(WriteBatch batch) {
    lock.readLock().lock();
    try {
      current.write(batch);
    } catch (RuntimeException e) {
      throw failed(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void syncDurable() {
    lock.readLock().lock();
    try {
      current.syncDurable();
    } catch (RuntimeException e) {
      throw failed(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void verifyChecksums() {
    lock.readLock().lock();
    try {
      current.verifyChecksums();
    } catch (RuntimeException e) {
      throw failed(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      current.close();
      current = Closed.INSTANCE;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The store between a close and its replacement: every operation fails, naming why. */
  private static final class Closed implements KvStore {
    static final Closed INSTANCE = new Closed();

    private static IllegalStateException closed() {
      return new IllegalStateException("the store is closed (stopping, or a failed replacement)");
    }

    @Override
    public byte[] get(byte[] key) {
      throw closed();
    }

    @Override
    public KvCursor seek(byte[] from) {
      throw closed();
    }

    @Override
    public KvCursor seekReverse(byte[] from) {
      throw closed();
    }

    @Override
    public void write(WriteBatch batch) {
      throw closed();
    }

    @Override
    public void syncDurable() {
      throw closed();
    }

    @Override
    public void verifyChecksums() {
      throw closed();
    }

    @Override
    public void close() {}
  }
}
