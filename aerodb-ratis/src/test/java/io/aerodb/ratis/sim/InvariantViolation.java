package io.aerodb.ratis.sim;

/**
 * A broken invariant found by the simulation; {@link ClusterSimulation} adds the seed, the step,
 * the replay command and the last steps. Never caught elsewhere.
 */
final class InvariantViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final String invariant;

  InvariantViolation(String invariant, String detail) {
    super(invariant + ": " + detail);
    this.invariant = invariant;
  }

  InvariantViolation(String invariant, String detail, Throwable cause) {
    super(invariant + ": " + detail, cause);
    this.invariant = invariant;
  }
}
