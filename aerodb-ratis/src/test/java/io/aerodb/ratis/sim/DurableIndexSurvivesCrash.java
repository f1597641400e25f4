package io.aerodb.ratis.sim;

import java.util.List;

/**
 * What the state machine reports as durable is durable: takeSnapshot reports the engine's applied
 * index (after which Ratis may purge the log up to it), and after any crash the store recovers at
 * least the highest index reported so; after a crash without power loss it recovers everything it
 * had applied.
 */
final class DurableIndexSurvivesCrash implements Invariant {
  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.SnapshotTaken s) {
        long expected = s.engineApplied() > 0 ? s.engineApplied() : -1;
        if (s.reported() != expected) {
          throw violation(
              s.replica()
                  + " reported snapshot index "
                  + s.reported()
                  + " with applied index "
                  + s.engineApplied());
        }
      } else if (e instanceof StepEvents.Restarted r) {
        if (r.recovered() < r.durableBefore()) {
          throw violation(
              r.replica()
                  + " had reported index "
                  + r.durableBefore()
                  + " durable, but after a "
                  + (r.powerLoss() ? "power loss" : "crash")
                  + " its store recovered only index "
                  + r.recovered()
                  + " ("
                  + r.batchesLost()
                  + " unsynced batches lost): Ratis may have purged the entries it now needs");
        }
        if (!r.powerLoss() && r.recovered() != r.appliedBefore()) {
          throw violation(
              r.replica()
                  + " applied "
                  + r.appliedBefore()
                  + " before a crash without power loss, but recovered "
                  + r.recovered());
        }
        if (r.replica().stateMachine().snapshotIndex() != r.recovered()) {
          throw violation(
              r.replica()
                  + " recovered index "
                  + r.recovered()
                  + " but reports snapshot index "
                  + r.replica().stateMachine().snapshotIndex());
        }
      }
    }
  }
}
