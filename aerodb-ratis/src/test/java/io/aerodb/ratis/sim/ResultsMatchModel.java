package io.aerodb.ratis.sim;

import java.util.List;

/**
 * The first replica to apply a committed entry got the results the reference model predicts for it:
 * the group rules, the idempotency table (a retry returns the stored result with the ORIGINAL
 * commit index; a request_id reused for another command is refused), and each command's checks
 * against the catalog and documents as they are at apply time [S4], whatever the leader saw when it
 * prepared. (ResultsAgree then holds every other replica to the same results.)
 */
final class ResultsMatchModel implements Invariant {
  private final ReferenceModel model;

  ResultsMatchModel(ReferenceModel model) {
    this.model = model;
  }

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a
          && a.decoded() != null
          && a.entry().index() > model.foldedIndex()) {
        model.fold(a.entry().term(), a.entry().index(), a.decoded(), a.results());
      }
    }
  }
}
