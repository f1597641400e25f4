package io.aerodb.ratis.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Which seeds the cluster simulation runs, and for how many steps (docs/TESTING.md, Cluster
 * simulation):
 *
 * <ul>
 *   <li>by default the fixed seeds {@link #FIXED} with {@link #STEPS_DEFAULT} steps each (CI);
 *   <li>{@code -Daerodb.seed=S} runs seed S alone: a replay (a failure prints this command);
 *   <li>{@code -Daerodb.seeds=N} runs seeds 1..N, or S..S+N-1 with {@code -Daerodb.seeds.from=S}: a
 *       sweep (scripts/sim-sweep.sh);
 *   <li>{@code -Daerodb.sim.steps=N} sets the steps per seed, for any of the above;
 *   <li>{@code -Daerodb.sim.trace=true} prints every step (for a replay; a failure shows the last
 *       steps anyway);
 * </ul>
 *
 * The property names are the ones aerodb-core's and aerodb-node's seeded tests read
 * (io.aerodb.core.TestSeeds); test trees are not shared across modules, hence this small copy. Its
 * sweep differs on purpose: consecutive seeds from a start, so that a sweep's range can be stated
 * and rerun.
 */
final class SimulationSeeds {
  static final String SEED = "aerodb.seed";
  static final String SWEEP = "aerodb.seeds";
  static final String SWEEP_FROM = "aerodb.seeds.from";
  static final String STEPS = "aerodb.sim.steps";
  static final String TRACE = "aerodb.sim.trace";

  static final long[] FIXED = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 42, 1234, 98765, 20261206
  };
  static final long STEPS_DEFAULT = 5_000;

  /** A sweep runs at most this many seeds per JVM (the script runs longer sweeps in chunks). */
  static final long SWEEP_MAX = 1_000_000;

  private SimulationSeeds() {}

  static boolean replaying() {
    return property(SEED) != null;
  }

  static boolean sweeping() {
    return !replaying() && property(SWEEP) != null;
  }

  static List<Long> seeds() {
    List<Long> out = new ArrayList<>();
    if (replaying()) {
      out.add(Long.parseLong(property(SEED)));
    } else if (sweeping()) {
      long n = Long.parseLong(property(SWEEP));
      long from = property(SWEEP_FROM) == null ? 1 : Long.parseLong(property(SWEEP_FROM));
      if (n < 1 || n > SWEEP_MAX) {
        throw new IllegalArgumentException(SWEEP + " must be in [1, " + SWEEP_MAX + "], not " + n);
      }
      for (long s = from; s < from + n; s++) {
        out.add(s);
      }
    } else {
      for (long s : FIXED) {
        out.add(s);
      }
    }
    return out;
  }

  static boolean printTrace() {
    return Boolean.parseBoolean(property(TRACE));
  }

  static long steps() {
    String s = property(STEPS);
    long steps = s == null ? STEPS_DEFAULT : Long.parseLong(s);
    if (steps < 1) {
      throw new IllegalArgumentException(STEPS + " must be at least 1, not " + steps);
    }
    return steps;
  }

  /** The Maven command that runs exactly this seed with these steps. */
  static String replayCommand(long seed, long steps) {
    return "mvn -B -pl aerodb-ratis -am test -Dtest=ClusterSimulationTest"
        + " -Dsurefire.failIfNoSpecifiedTests=false -D"
        + SEED
        + "="
        + seed
        + (steps == STEPS_DEFAULT ? "" : " -D" + STEPS + "=" + steps);
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
