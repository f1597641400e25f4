package io.aerodb.ratis.sim;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What a client sees of idempotency: a request_id takes effect at most once, whatever the retries
 * and leader changes; an answer marked deduplicated carries the commit index of the entry that
 * first applied it — the one an earlier answer gave, if there was one.
 */
final class RetryReturnsOriginalIndex implements Invariant {
  private final ReferenceModel model;

  /**
   * request_id (hex) → the commit index of its first answer that was not a refusal of the entry.
   */
  private final TreeMap<String, Long> firstAnswer = new TreeMap<>();

  RetryReturnsOriginalIndex(ReferenceModel model) {
    this.model = model;
  }

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (!(e instanceof StepEvents.Acknowledged ack)) {
        continue;
      }
      for (StepEvents.Answer answer : ack.answers()) {
        ClientRequest request = answer.request();
        if (!request.hasRequestId()) {
          continue;
        }
        CommandResult r = answer.result();
        String id = Bytes.hex(request.requestId);
        if (r.deduplicated()) {
          OptionalLong recorded = model.recordedIndex(request.requestId);
          Long first = firstAnswer.get(id);
          if (recorded.isEmpty() || recorded.getAsLong() != r.commitIndex()) {
            throw violation(
                request
                    + " was answered as a duplicate of index "
                    + r.commitIndex()
                    + " but its request_id was first applied at "
                    + recorded);
          }
          if (first != null && first != r.commitIndex()) {
            throw violation(
                request
                    + " was first answered with commit index "
                    + first
                    + ", a retry with "
                    + r.commitIndex());
          }
        } else if (takesTheRequestId(r)) {
          Long earlier = firstAnswer.putIfAbsent(id, r.commitIndex());
          if (earlier != null) {
            throw violation(
                "request_id "
                    + id
                    + " took effect twice: at index "
                    + earlier
                    + " and, for "
                    + request
                    + ", at "
                    + r.commitIndex());
          }
        }
      }
    }
  }

  /** Whether this answer is the request_id's recorded one (not a refusal of the entry or key). */
  private static boolean takesTheRequestId(CommandResult r) {
    if (r.rejection() == null) {
      return true;
    }
    ErrorCode c = r.rejection().code();
    return c != ErrorCode.AERO_LOG_ENTRY_INVALID
        && c != ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED
        && c != ErrorCode.AERO_REQUEST_INVALID;
  }
}
