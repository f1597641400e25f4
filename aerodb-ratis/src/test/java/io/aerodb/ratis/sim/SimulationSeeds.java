package io.aerodb.ratis.sim;

import io.aerodb.core.TestSeeds;
import java.util.ArrayList;
import java.util.List;

/**
 * Which seeds the cluster simulation runs, and for how many steps (docs/TESTING.md, Cluster
 * simulation). The seed switches are every seeded test's ({@link TestSeeds}):
 *
 * <ul>
 *   <li>by default the fixed seeds {@link #FIXED} with {@link #STEPS_DEFAULT} steps each (CI);
 *   <li>{@code -Daerodb.seed=S} runs seed S alone: a replay (a failure prints this command);
 *   <li>{@code -Daerodb.seeds=N} runs N seeds instead of the fixed ones: S..S+N-1 with {@code
 *       -Daerodb.seeds.from=S} (scripts/sim-sweep.sh), else N drawn at random (the base is
 *       printed);
 *   <li>{@code -Daerodb.sim.steps=N} sets the steps per seed, for any of the above;
 *   <li>{@code -Daerodb.sim.trace=true} prints every step (for a replay; a failure shows the last
 *       steps anyway).
 * </ul>
 */
final class SimulationSeeds {
  static final String STEPS = "aerodb.sim.steps";
  static final String TRACE = "aerodb.sim.trace";

  static final long[] FIXED = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 42, 1234, 98765, 20261206
  };
  static final long STEPS_DEFAULT = 5_000;

  private SimulationSeeds() {}

  static boolean replaying() {
    return TestSeeds.replaying();
  }

  static boolean sweeping() {
    return TestSeeds.sweeping();
  }

  static List<Long> seeds() {
    long[] chosen =
        replaying() ? TestSeeds.seeds() : sweeping() ? TestSeeds.sweepSeeds() : FIXED.clone();
    List<Long> out = new ArrayList<>(chosen.length);
    for (long s : chosen) {
      out.add(s);
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
    return TestSeeds.replayCommand(ClusterSimulationTest.class, "ClusterSimulationTest", seed)
        + (steps == STEPS_DEFAULT ? "" : " -D" + STEPS + "=" + steps);
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
