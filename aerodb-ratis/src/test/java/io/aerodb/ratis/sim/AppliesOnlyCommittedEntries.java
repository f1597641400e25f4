package io.aerodb.ratis.sim;

import java.util.List;

/**
 * A replica hands the state machine only committed entries, each exactly the committed one at its
 * index, in order; the engine's applied index follows (a Raft-internal entry leaves it where it
 * was). A check of the simulated Raft as much as of the replica.
 */
final class AppliesOnlyCommittedEntries implements Invariant {
  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a) {
        long index = a.entry().index();
        if (index > cluster.commitIndex() || cluster.committedEntry(index) != a.entry()) {
          throw violation(
              a.replica()
                  + " applied "
                  + a.entry()
                  + " but the commit index is "
                  + cluster.commitIndex()
                  + (index <= cluster.commitIndex()
                      ? " and the committed entry there is " + cluster.committedEntry(index)
                      : ""));
        }
        if (a.entry().isStateMachineEntry() && a.engineIndexAfter() != index) {
          throw violation(
              a.replica()
                  + " applied "
                  + a.entry()
                  + " but its engine's applied index is "
                  + a.engineIndexAfter());
        }
      }
    }
  }
}
