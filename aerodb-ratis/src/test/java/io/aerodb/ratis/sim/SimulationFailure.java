package io.aerodb.ratis.sim;

/**
 * A seed that failed: the invariant and what broke it, the step, the command that replays the seed
 * and the last steps before it (the trace). The first line alone identifies the failure.
 */
final class SimulationFailure extends AssertionError {
  private static final long serialVersionUID = 1L;

  final long seed;
  final long step;
  final String headline;

  SimulationFailure(
      long seed, long step, String headline, String replay, String trace, Throwable cause) {
    super(
        "seed "
            + seed
            + " failed at step "
            + step
            + ": "
            + headline
            + "\n  replay: "
            + replay
            + "\n  last steps:\n"
            + trace,
        cause);
    this.seed = seed;
    this.step = step;
    this.headline = headline;
  }
}
