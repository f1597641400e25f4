package io.aerodb.ratis;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Futures completed when the applied index reaches a value (for reads "at least as new as index
 * N"). Ratis' own waiter in BaseStateMachine.queryStale misses updates (notes §0.8), so we keep our
 * own. Thread-safe. Every waiter has a timeout and is removed when it completes either way, so
 * nothing parks forever.
 *
 * <p>A waiter that had to wait is completed on {@code readers}, never on the thread that advanced
 * the index (the StateMachineUpdater): what runs after it — the read itself, which may be a bounded
 * but long query — must not hold up the next apply. A waiter already satisfied completes at once on
 * the caller's thread.
 */
final class AppliedIndexWaiters {
  private record Key(long index, long seq) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Long.compare(index, o.index);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final ConcurrentSkipListMap<Key, CompletableFuture<Long>> waiting =
      new ConcurrentSkipListMap<>();
  private final AtomicLong seq = new AtomicLong();
  private volatile long applied;
  private final Executor readers;

  AppliedIndexWaiters(Executor readers) {
    this.readers = readers;
  }

  /**
   * Completes with the applied index once it is at least {@code index}, or exceptionally with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeoutMs}.
   */
  CompletableFuture<Long> whenApplied(long index, long timeoutMs) {
    long now = applied;
    if (now >= index) {
      return CompletableFuture.completedFuture(now);
    }
    Key key = new Key(index, seq.incrementAndGet());
    CompletableFuture<Long> f = new CompletableFuture<>();
    waiting.put(key, f);
    f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, t) -> waiting.remove(key));
    advance(applied); // closes the race with an advance that happened before the put
    return f;
  }

  long applied() {
    return applied;
  }

  void advance(long index) {
    if (index > applied) {
      applied = index;
    }
    long now = applied;
    for (Map.Entry<Key, CompletableFuture<Long>> e = waiting.firstEntry();
        e != null && e.getKey().index() <= now;
        e = waiting.firstEntry()) {
      waiting.remove(e.getKey());
      CompletableFuture<Long> f = e.getValue();
      try {
        readers.execute(() -> f.complete(now));
      } catch (RejectedExecutionException stopping) {
        f.complete(now); // the node is stopping: complete here rather than never
      }
    }
  }
}
