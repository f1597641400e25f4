package io.aerodb.ratis.sim;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's commit index never goes back, and acknowledgements follow it [MVCC-2]:
 *
 * <ul>
 *   <li>an entry is acknowledged only once committed, and no replica applies beyond the commit
 *       index it knows;
 *   <li>one leader (one replica in one term) acknowledges its entries in strictly increasing index
 *       order;
 *   <li>a leader of a higher term acknowledges only entries above every index acknowledged before
 *       under a lower term (its entries follow everything committed before it).
 * </ul>
 *
 * Acknowledgements of different terms may still arrive out of index order: a deposed leader cut off
 * from the others answers for an entry it committed in its term once it applies it, possibly after
 * its successor answered for later entries (seed 578 of the first sweep) — late, not wrong.
 */
final class CommitIndexOnlyGrows implements Invariant {
  private long commitIndex;

  /** Per term, the highest index acknowledged by its leader. */
  private final TreeMap<Long, Long> acknowledgedByTerm = new TreeMap<>();

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    if (cluster.commitIndex() < commitIndex) {
      throw violation("the commit index went from " + commitIndex + " to " + cluster.commitIndex());
    }
    commitIndex = cluster.commitIndex();
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Acknowledged ack) {
        check(ack, cluster);
      }
    }
    for (SimulatedReplica r : cluster.replicas) {
      if (r.up && r.appliedPosition() > Math.min(r.commitIndex, cluster.commitIndex())) {
        throw violation(
            r
                + " applied up to "
                + r.appliedPosition()
                + " but knows commit index "
                + r.commitIndex
                + " (cluster: "
                + cluster.commitIndex()
                + ")");
      }
    }
  }

  private void check(StepEvents.Acknowledged ack, SimulatedCluster cluster) {
    String who = ack.leader() + " (leader of term " + ack.term() + ")";
    if (ack.index() > cluster.commitIndex()) {
      throw violation(
          who
              + " acknowledged entry "
              + ack.index()
              + " above the commit index "
              + cluster.commitIndex());
    }
    Long mine = acknowledgedByTerm.get(ack.term());
    if (mine != null && ack.index() <= mine) {
      throw violation(who + " acknowledged entry " + ack.index() + " after entry " + mine);
    }
    for (Map.Entry<Long, Long> lower : acknowledgedByTerm.headMap(ack.term()).entrySet()) {
      if (ack.index() <= lower.getValue()) {
        throw violation(
            who
                + " acknowledged entry "
                + ack.index()
                + " though the leader of term "
                + lower.getKey()
                + " had acknowledged entry "
                + lower.getValue());
      }
    }
    acknowledgedByTerm.put(ack.term(), ack.index());
  }
}
