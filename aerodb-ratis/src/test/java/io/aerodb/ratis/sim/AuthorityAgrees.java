package io.aerodb.ratis.sim;

import io.aerodb.core.authority.AuthorityRecord;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The replicated authority history [P6-D2]: a replica's latest leadership epoch (what its engine
 * publishes, and what it recovers from its store after a restart) is the model's latest epoch
 * record at the replica's applied index — same index, term, leader and cause.
 */
final class AuthorityAgrees implements Invariant {
  private final ReferenceModel model;

  AuthorityAgrees(ReferenceModel model) {
    this.model = model;
  }

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    TreeSet<Integer> touched = new TreeSet<>();
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a) {
        touched.add(a.replica().number);
      } else if (e instanceof StepEvents.Restarted r) {
        touched.add(r.replica().number);
      }
    }
    for (int n : touched) {
      SimulatedReplica r = cluster.replicas.get(n - 1);
      if (!r.up) {
        continue;
      }
      long applied = r.engineApplied().index();
      Optional<AuthorityRecord> mine = r.engine().authority().lastEpoch();
      Optional<AuthorityRecord> expected = model.lastEpochAt(applied);
      if (!mine.equals(expected)) {
        throw violation(
            r
                + " at applied index "
                + applied
                + " has last epoch "
                + mine
                + ", the model "
                + expected);
      }
    }
  }
}
