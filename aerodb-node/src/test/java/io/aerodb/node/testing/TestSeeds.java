package io.aerodb.node.testing;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.TestInfo;
import org.opentest4j.TestAbortedException;

/**
 * The seeds of aerodb-node's seeded tests (issue 15, docs/TESTING.md, Seeds).
 *
 * <ul>
 *   <li>By default a test runs its fixed seeds, as it always did.
 *   <li>{@code -Daerodb.seed=S} runs seed S only, in every seeded test that runs: a replay.
 *   <li>{@code -Daerodb.seeds=N} runs the fixed seeds and N more, different on every run (drawn
 *       from a base printed once per JVM): a sweep.
 * </ul>
 *
 * A seed's failure says the seed and the command that replays it (failsafe's for an *IT). A copy of
 * aerodb-core's {@code io.aerodb.core.TestSeeds}: test trees are not shared across modules. The
 * fault scenarios take one seed ({@link #seed}); their sweep is the long profile,
 * scripts/fault-suite.sh.
 */
public final class TestSeeds {
  /** Replays one seed. */
  public static final String SEED = "aerodb.seed";

  /** Runs this many seeds beyond the fixed ones. */
  public static final String SWEEP = "aerodb.seeds";

  private static final String MODULE = "aerodb-node";

  /** The base of this JVM's sweep seeds, printed once so that a sweep can be told apart. */
  private static final long SWEEP_BASE = new SecureRandom().nextLong();

  static {
    if (replaying()) {
      System.out.println(
          SEED + "=" + System.getProperty(SEED) + ": every seeded test runs that seed");
    } else if (sweep() > 0) {
      System.out.println(
          SWEEP
              + "="
              + sweep()
              + ": every seeded test runs its fixed seeds and "
              + sweep()
              + " more (sweep base "
              + SWEEP_BASE
              + ")");
    }
  }

  private TestSeeds() {}

  /** A test body for one seed. */
  @FunctionalInterface
  public interface SeededBody {
    void run(long seed) throws Exception;
  }

  /** Whether one seed is being replayed ({@code -Daerodb.seed}). */
  public static boolean replaying() {
    String s = System.getProperty(SEED);
    return s != null && !s.isBlank();
  }

  /** The seeds to run: S alone when replaying, the fixed ones (and N more in a sweep) otherwise. */
  public static long[] seeds(long... fixed) {
    if (replaying()) {
      return new long[] {Long.parseLong(System.getProperty(SEED).trim())};
    }
    int more = sweep();
    long[] all = Arrays.copyOf(fixed, fixed.length + more);
    SplittableRandom r = new SplittableRandom(SWEEP_BASE);
    for (int i = 0; i < more; i++) {
      all[fixed.length + i] = r.nextLong() & Long.MAX_VALUE;
    }
    return all;
  }

  /**
   * The one seed of a test that runs one: S when replaying, else {@code fixed} (also in a sweep).
   */
  public static long seed(long fixed) {
    return replaying() ? Long.parseLong(System.getProperty(SEED).trim()) : fixed;
  }

  /** Runs {@code body} for every seed of {@link #seeds}; a failure names the seed (see below). */
  public static void forEach(TestInfo test, long[] fixed, SeededBody body) {
    for (long seed : seeds(fixed)) {
      check(test, seed, body);
    }
  }

  /**
   * Runs {@code body} with {@code seed}. A failure is rethrown as an AssertionError whose message
   * starts with the seed and the command that replays it, with the original failure as its cause.
   */
  public static void check(TestInfo test, long seed, SeededBody body) {
    try {
      body.run(seed);
    } catch (TestAbortedException | VirtualMachineError e) {
      throw e;
    } catch (Throwable t) { // an assertion, or anything the code under test threw
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError(
          "seed " + seed + " failed; replay: " + replayCommand(test, seed) + "\n" + t, t);
    }
  }

  /** The Maven command that runs this test with this seed only (failsafe's for an *IT). */
  public static String replayCommand(TestInfo test, long seed) {
    String cls = test.getTestClass().map(Class::getSimpleName).orElse("?");
    String selector = cls + test.getTestMethod().map(m -> "#" + m.getName()).orElse("");
    String tests =
        cls.endsWith("IT")
            ? " -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="
                + selector
                + " -Dfailsafe.failIfNoSpecifiedTests=false"
            : " -am test -Dtest=" + selector + " -Dsurefire.failIfNoSpecifiedTests=false";
    return "mvn -B -pl " + MODULE + tests + " -D" + SEED + "=" + seed;
  }

  private static int sweep() {
    String n = System.getProperty(SWEEP);
    int more = n == null || n.isBlank() ? 0 : Integer.parseInt(n.trim());
    if (more < 0) {
      throw new IllegalArgumentException(SWEEP + " must be at least 0, not " + more);
    }
    return more;
  }
}
