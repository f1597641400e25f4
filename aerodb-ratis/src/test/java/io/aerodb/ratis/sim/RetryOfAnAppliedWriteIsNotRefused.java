package io.aerodb.ratis.sim;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A retry is never told "rejected" for a write that took effect: once a committed entry applied a
 * request_id's command successfully, a retry of that same command (same request_id, same canonical
 * fingerprint) must get the stored result, not a refusal from the leader's prepare. A REJECT from
 * prepare means "definitely not written" to the client (docs/ARCHITECTURE.md, outcome rules), and
 * AeroClient's Retrier ends the call with it even after an attempt whose outcome was unknown.
 *
 * <p>The simulation's first finding (seed 11; docs/TESTING.md, Cluster simulation): prepare skipped
 * the state checks for a recorded request_id but still admitted the document under the LATEST
 * schema version, so after a schema change a retry of an applied insert or update was refused with
 * AERO_VALIDATION_*. Fixed in DocumentPut.prepare (a retry is canonicalized, not validated);
 * EngineTest.aRetryAfterASchemaChangeIsNotRefused pins it.
 */
final class RetryOfAnAppliedWriteIsNotRefused implements Invariant {
  private final ReferenceModel model;

  RetryOfAnAppliedWriteIsNotRefused(ReferenceModel model) {
    this.model = model;
  }

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (!(e instanceof StepEvents.Refused refused)) {
        continue;
      }
      ClientRequest request = refused.request();
      if (!request.hasRequestId() || request.preparedFingerprint == null) {
        continue;
      }
      Optional<ReferenceModel.Recorded> recorded = model.recorded(request.requestId);
      if (recorded.isPresent()
          && recorded.get().result().isOk()
          && Arrays.equals(recorded.get().fingerprint(), request.preparedFingerprint)) {
        String detail =
            request
                + " took effect at index "
                + recorded.get().index()
                + " ("
                + recorded.get().result()
                + "), but its retry (attempt "
                + request.attempts
                + ") was refused by "
                + refused.leader()
                + "'s prepare with "
                + refused.rejection()
                + ": the client is told the write failed";
        throw violation(detail);
      }
    }
  }
}
