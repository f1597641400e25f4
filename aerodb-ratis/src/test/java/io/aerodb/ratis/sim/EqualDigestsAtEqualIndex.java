package io.aerodb.ratis.sim;

import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.util.Bytes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Any two replicas that applied index i have the same state digest at i (the digest chains every
 * entry's store batch, so equal digests mean equal write sets) [MVCC-2] — also a replica applying i
 * again after a crash. A restarted replica's recovered state must be one that existed: its digest
 * at the recovered index is the one recorded for that index.
 */
final class EqualDigestsAtEqualIndex implements Invariant {
  private final Map<Long, byte[]> digests = new HashMap<>();
  private final Map<Long, String> firstBy = new HashMap<>();

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a && a.digest() != null) {
        compare(a.entry().index(), a.digest(), a.replica() + (a.replay() ? " (replay)" : ""));
      } else if (e instanceof StepEvents.Restarted r && r.recovered() > 0) {
        AppliedState s = r.replica().engineApplied();
        compare(s.index(), s.digest(), r.replica() + " (recovered store)");
      }
    }
  }

  private void compare(long index, byte[] digest, String who) {
    byte[] first = digests.putIfAbsent(index, digest);
    if (first == null) {
      firstBy.put(index, who);
    } else if (!Arrays.equals(first, digest)) {
      throw violation(
          "at index "
              + index
              + " "
              + who
              + " has digest "
              + Bytes.hex(digest)
              + " but "
              + firstBy.get(index)
              + " had "
              + Bytes.hex(first));
    }
  }
}
