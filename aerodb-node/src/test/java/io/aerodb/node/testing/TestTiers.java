package io.aerodb.node.testing;

/**
 * JUnit tags of the test tiers (docs/TESTING.md). The default run (scripts/check, CI) leaves out
 * the tests tagged {@link #LONG}; {@code scripts/check -Plong} runs them too, and so does a run
 * that names its tests ({@code -Dit.test=...} turns the profile on).
 */
public final class TestTiers {
  /**
   * A test of the long profile: a variant of a case the default run covers (another disk, another
   * topology, a longer run), runnable by name and with scripts/check -Plong, left out of the
   * default run to keep it within its time budget (~20 minutes on 2 cores).
   */
  public static final String LONG = "long";

  private TestTiers() {}
}
