package io.aerodb.core.util;

import java.util.function.Supplier;

/**
 * Always-on assertions for programmer errors (a broken invariant). They throw {@link
 * IllegalStateException}, which nobody catches: continuing with a broken invariant risks divergent
 * replicas, which is worse than stopping. Client mistakes are never checked with this class; they
 * are results with an error code.
 */
public final class Invariants {
  private Invariants() {}

  public static void check(boolean condition, Supplier<String> message) {
    if (!condition) {
      throw new IllegalStateException("invariant broken: " + message.get());
    }
  }
}
