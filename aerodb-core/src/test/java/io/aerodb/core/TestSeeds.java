package io.aerodb.core;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.TestInfo;
import org.opentest4j.TestAbortedException;

/**
 * The seeds of every seeded test in every module (issue 15, docs/TESTING.md, Seeds); aerodb-ratis
 * and aerodb-node use it through aerodb-core's test jar.
 *
 * <ul>
 *   <li>By default a test runs its fixed seeds, as it always did.
 *   <li>{@code -Daerodb.seed=S} runs seed S only, in every seeded test that runs: a replay.
 *   <li>{@code -Daerodb.seeds=N} runs the fixed seeds and N more (a sweep): S..S+N-1 with {@code
 *       -Daerodb.seeds.from=S}, so that a sweep's range can be stated and rerun; otherwise N seeds
 *       drawn from a base printed once per JVM, different on every run.
 * </ul>
 *
 * A seed's failure says the seed and the command that replays it (failsafe's for an *IT).
 */
public final class TestSeeds {
  /** Replays one seed. */
  public static final String SEED = "aerodb.seed";

  /** Runs this many seeds beyond the fixed ones. */
  public static final String SWEEP = "aerodb.seeds";

  /** The first of the sweep's seeds (consecutive); without it they are drawn at random. */
  public static final String SWEEP_FROM = "aerodb.seeds.from";

  /** The base of this JVM's random sweep seeds, printed once so that a sweep can be told apart. */
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
              + " more ("
              + (property(SWEEP_FROM) == null
                  ? "drawn from the base " + SWEEP_BASE
                  : "from " + property(SWEEP_FROM))
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
    return property(SEED) != null;
  }

  /** Whether a sweep runs ({@code -Daerodb.seeds=N}, N > 0, and no replay). */
  public static boolean sweeping() {
    return !replaying() && sweep() > 0;
  }

  /** The seeds to run: S alone when replaying, the fixed ones (and N more in a sweep) otherwise. */
  public static long[] seeds(long... fixed) {
    if (replaying()) {
      return new long[] {Long.parseLong(property(SEED))};
    }
    long[] more = sweepSeeds();
    long[] all = Arrays.copyOf(fixed, fixed.length + more.length);
    System.arraycopy(more, 0, all, fixed.length, more.length);
    return all;
  }

  /** The sweep's seeds only (empty without {@code -Daerodb.seeds}). */
  public static long[] sweepSeeds() {
    int n = sweep();
    long[] out = new long[n];
    String from = property(SWEEP_FROM);
    SplittableRandom r = new SplittableRandom(SWEEP_BASE);
    for (int i = 0; i < n; i++) {
      out[i] = from == null ? r.nextLong() & Long.MAX_VALUE : Long.parseLong(from) + i;
    }
    return out;
  }

  /**
   * The one seed of a test that runs one: S when replaying, else {@code fixed} (also in a sweep).
   */
  public static long seed(long fixed) {
    return replaying() ? Long.parseLong(property(SEED)) : fixed;
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

  /**
   * The Maven command that runs this test with this seed only (failsafe's for an *IT, with the long
   * profile so that a test tagged "long" runs too).
   */
  public static String replayCommand(TestInfo test, long seed) {
    Class<?> c = test.getTestClass().orElse(TestSeeds.class);
    String selector =
        c.getSimpleName() + test.getTestMethod().map(m -> "#" + m.getName()).orElse("");
    return replayCommand(c, selector, seed);
  }

  /**
   * The Maven command that runs {@code selector} (a class, or class#method) of {@code testClass}'s
   * module with this seed only.
   */
  public static String replayCommand(Class<?> testClass, String selector, long seed) {
    String tests =
        testClass.getSimpleName().endsWith("IT")
            ? " -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="
                + selector
                + " -Dfailsafe.failIfNoSpecifiedTests=false -Plong"
            : " -am test -Dtest=" + selector + " -Dsurefire.failIfNoSpecifiedTests=false";
    return "mvn -B -pl " + moduleOf(testClass) + tests + " -D" + SEED + "=" + seed;
  }

  /** The Maven module whose target/test-classes hold {@code testClass}. */
  static String moduleOf(Class<?> testClass) {
    try {
      Path classes = Path.of(testClass.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path module = classes.getParent() == null ? null : classes.getParent().getParent();
      return module == null || module.getFileName() == null ? "?" : module.getFileName().toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "?";
    }
  }

  private static int sweep() {
    String n = property(SWEEP);
    int more = n == null ? 0 : Integer.parseInt(n);
    if (more < 0) {
      throw new IllegalArgumentException(SWEEP + " must be at least 0, not " + more);
    }
    return more;
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
