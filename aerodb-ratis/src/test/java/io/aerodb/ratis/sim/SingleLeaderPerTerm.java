package io.aerodb.ratis.sim;

import java.util.List;
import java.util.TreeMap;

/**
 * At most one replica ever leads a given term (Raft's election safety; a check of the simulated
 * Raft, so that a finding elsewhere is never an artifact of two leaders in one term).
 */
final class SingleLeaderPerTerm implements Invariant {
  private final TreeMap<Long, String> leaderOfTerm = new TreeMap<>();

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (SimulatedReplica r : cluster.replicas) {
      if (r.isLeader()) {
        String first = leaderOfTerm.putIfAbsent(r.leadership.term, r.name);
        if (first != null && !first.equals(r.name)) {
          throw violation(r + " leads term " + r.leadership.term + ", which " + first + " led");
        }
      }
    }
  }
}
