package io.aerodb.ratis.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.aerodb.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The seeded multi-replica simulation (issue 15; docs/TESTING.md, Cluster simulation): 3 or 5
 * replicas, each the real AeroStateMachine over the real Engine over an in-memory store that loses
 * unsynced batches in a power loss, under a simulated Raft log with elections between prepare and
 * apply, truncated uncommitted tails, group-commit entries (some breaking the group rules on
 * purpose), authority records, malformed bytes, retries with one request_id across leader changes,
 * crashes with and without power loss, snapshots and partitions. After every step it checks the
 * invariants ({@link Invariant}: equal digests at equal index, results that agree and match a
 * reference model, no lost acknowledged write, a commit index that only grows, retries that return
 * the original index, durable snapshots, the authority history); at the end, that the replicas
 * converge.
 *
 * <p>By default it runs the fixed seeds ({@link SimulationSeeds}); {@code -Daerodb.seed=S} replays
 * one, {@code -Daerodb.seeds=N} sweeps (scripts/sim-sweep.sh). A failure names the seed, the step,
 * the invariant and the command that replays it, and shows the last steps.
 */
class ClusterSimulationTest {
  private static final int FAILURES_SHOWN_MAX = 20;

  /**
   * Loggers that speak on every simulated restart (Ratis' lifecycle at DEBUG, the state machine's
   * RECOVERY line): thousands of lines a seed, so quiet while this class runs.
   */
  private static final List<String> CHATTY =
      List.of("org.apache.ratis.util.LifeCycle", "io.aerodb.ratis.AeroStateMachine");

  private static final Map<String, Level> levelsBefore = new TreeMap<>();

  @BeforeAll
  static void quietRestarts() {
    for (String name : CHATTY) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levelsBefore.put(name, logger.getLevel());
      logger.setLevel(Level.WARN);
    }
  }

  @AfterAll
  static void restoreLoggers() {
    for (String name : CHATTY) {
      ((Logger) LoggerFactory.getLogger(name)).setLevel(levelsBefore.get(name));
    }
  }

  @Test
  void everyInvariantHoldsAfterEveryStep() {
    List<Long> seeds = SimulationSeeds.seeds();
    long steps = SimulationSeeds.steps();
    List<SimulationFailure> failures = new ArrayList<>();
    long passed = 0;
    long stepsRun = 0;
    long committed = 0;
    long acknowledged = 0;
    long crashes = 0;
    long elections = 0;
    long truncated = 0;
    long deduplicated = 0;
    long installs = 0;
    long historyReads = 0;
    long batches = 0;
    TreeMap<ErrorCode, Long> rejections = new TreeMap<>();
    long started = System.nanoTime(); // the test measures itself; the simulation has no clock
    for (long seed : seeds) {
      try {
        ClusterSimulation.Result r = new ClusterSimulation(seed, steps).run();
        passed++;
        stepsRun += r.steps();
        committed += r.committedEntries();
        acknowledged += r.acknowledgedWrites();
        crashes += r.crashes();
        elections += r.elections();
        truncated += r.truncatedEntries();
        deduplicated += r.deduplicated();
        installs += r.installs();
        historyReads += r.historyReads();
        batches += r.batchesApplied();
        r.rejections().forEach((code, n) -> rejections.merge(code, n, Long::sum));
        if (SimulationSeeds.replaying()) {
          System.out.println(r);
        }
      } catch (SimulationFailure f) {
        stepsRun += f.step;
        if (SimulationSeeds.replaying() || !SimulationSeeds.sweeping()) {
          throw f; // one seed, or the fixed set: its whole story
        }
        failures.add(f);
        System.out.println("FAILED " + f.getMessage());
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String mode =
        SimulationSeeds.replaying() ? "replay" : SimulationSeeds.sweeping() ? "sweep" : "fixed";
    System.out.printf(
        "ClusterSimulation: mode=%s seeds=%d passed=%d failed=%d steps/seed=%d steps=%d"
            + " committed_entries=%d acknowledged_writes=%d deduplicated=%d crashes=%d"
            + " elections=%d truncated_entries=%d installs=%d history_reads=%d"
            + " batches_applied=%d seconds=%.1f"
            + " seeds_per_s=%.2f steps_per_s=%.0f%n",
        mode,
        seeds.size(),
        passed,
        failures.size(),
        steps,
        stepsRun,
        committed,
        acknowledged,
        deduplicated,
        crashes,
        elections,
        truncated,
        installs,
        historyReads,
        batches,
        seconds,
        seeds.size() / seconds,
        stepsRun / seconds);
    System.out.println("ClusterSimulation: apply-time rejections " + rejections);
    if (!failures.isEmpty()) {
      StringBuilder sb =
          new StringBuilder(failures.size() + " of " + seeds.size() + " seeds failed:\n");
      for (SimulationFailure f :
          failures.subList(0, Math.min(failures.size(), FAILURES_SHOWN_MAX))) {
        sb.append("  seed ")
            .append(f.seed)
            .append(" at step ")
            .append(f.step)
            .append(": ")
            .append(f.headline)
            .append('\n');
      }
      sb.append("replay one: ").append(SimulationSeeds.replayCommand(failures.get(0).seed, steps));
      AssertionError e = new AssertionError(sb.toString(), failures.get(0));
      throw e;
    }
  }
}
