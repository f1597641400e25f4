package io.aerodb.ratis;

import io.aerodb.core.error.AeroError;

/**
 * startTransaction refused a request before it was appended (today: one that did not come from this
 * node's own gateway). Handed to Ratis with {@code TransactionContext.setException}, never thrown
 * (a thrown exception leaves a retry-cache entry that never completes, notes/ratis-3.2.md §0.2).
 * The RPC layer unwraps it from the reply's StateMachineException.
 */
public final class CommandRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient AeroError error;

  public CommandRejectedException(AeroError error) {
    super(error.toString(), null, false, false);
    this.error = error;
  }

  public AeroError error() {
    return error;
  }
}
