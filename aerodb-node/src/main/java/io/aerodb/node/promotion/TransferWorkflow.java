package io.aerodb.node.promotion;

/**
 * The single in-flight transfer of this leader: its state, request id and target. Every state
 * change goes through {@link #moveTo}, which enforces {@link TransferState}'s table; an illegal
 * transition is a programmer error (IllegalStateException, never caught). One transfer at a time
 * [P6-A2]: a request finds the workflow STEADY or is refused without touching it. Thread-safe.
 */
public final class TransferWorkflow {
  /** A snapshot of the workflow. */
  public record Snapshot(TransferState state, String requestId, String target) {}

  private TransferState state = TransferState.STEADY;
  private String requestId = "";
  private String target = "";

  public synchronized Snapshot snapshot() {
    return new Snapshot(state, requestId, target);
  }

  /**
   * STEADY → REQUESTED for a new request; false if a transfer is in flight (the caller refuses).
   */
  public synchronized boolean begin(String newRequestId, String newTarget) {
    if (state != TransferState.STEADY) {
      return false;
    }
    moveTo(TransferState.REQUESTED);
    requestId = newRequestId;
    target = newTarget;
    return true;
  }

  /** Moves to {@code next}; returns the previous state. Throws if the table has no such edge. */
  public synchronized TransferState moveTo(TransferState next) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException(
          "illegal transfer transition " + state + " -> " + next + " (request " + requestId + ")");
    }
    TransferState previous = state;
    state = next;
    if (next == TransferState.STEADY) {
      requestId = "";
      target = "";
    }
    return previous;
  }
}
