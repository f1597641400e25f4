package io.aerodb.core.engine;

import java.util.TreeMap;

/**
 * The read views in use on this node: a read pins its view for its duration, and garbage collection
 * never collects above the oldest pinned view, so a running read never loses a version it still
 * sees (docs/adr/0008). A read pins first and then checks its view against the floor; the collector
 * publishes a floor first and then reads the oldest pin: one of the two always sees the other.
 */
final class ViewPins {
  private final TreeMap<Long, Integer> pinned = new TreeMap<>(); // view -> count; guarded by this

  synchronized void pin(long view) {
    pinned.merge(view, 1, Integer::sum);
  }

  synchronized void unpin(long view) {
    pinned.computeIfPresent(view, (v, n) -> n == 1 ? null : n - 1);
  }

  /** The oldest pinned view, or {@link Long#MAX_VALUE} when no read runs. */
  synchronized long oldest() {
    return pinned.isEmpty() ? Long.MAX_VALUE : pinned.firstKey();
  }
}
