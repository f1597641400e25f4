package io.aerodb.client;

import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter: the pause after failed attempt n (n = 0 for the first) is
 * uniformly random in [0, min(cap, base * 2^n)] ms, and never longer than what is left of the
 * call's deadline. The standard pauses are short on purpose (ceilings 20, 40, 80, 160, then 200
 * ms): an election takes about one election timeout, and a long sleep would only add to the write
 * pause the application sees. Thread-safe if the jitter source is.
 */
final class Backoff {
  static final long BASE_MILLIS = 20;
  static final long CAP_MILLIS = 200;

  private final long baseMillis;
  private final long capMillis;
  private final RandomGenerator jitter;

  /** Requires 0 < baseMillis <= capMillis <= 2^62. */
  Backoff(long baseMillis, long capMillis, RandomGenerator jitter) {
    if (baseMillis <= 0 || capMillis < baseMillis || capMillis > (1L << 62)) {
      throw new IllegalArgumentException("back-off base " + baseMillis + ", cap " + capMillis);
    }
    this.baseMillis = baseMillis;
    this.capMillis = capMillis;
    this.jitter = jitter;
  }

  /** The client's back-off (base 20 ms, cap 200 ms) drawing its jitter from {@code jitter}. */
  static Backoff standard(RandomGenerator jitter) {
    return new Backoff(BASE_MILLIS, CAP_MILLIS, jitter);
  }

  /** The longest pause after failed attempt {@code attempt}: min(cap, base * 2^attempt). */
  long ceilingMillis(int attempt) {
    long ceiling = baseMillis;
    for (int i = 0; i < attempt && ceiling < capMillis; i++) {
      ceiling *= 2;
    }
    return Math.min(ceiling, capMillis);
  }

  /**
   * The pause after failed attempt {@code attempt}: random in [0, ceilingMillis(attempt)], cut to
   * {@code remainingMillis} (0 when nothing remains).
   */
  long delayMillis(int attempt, long remainingMillis) {
    long drawn = jitter.nextLong(ceilingMillis(attempt) + 1);
    return Math.max(0, Math.min(drawn, remainingMillis));
  }

  /**
   * Sleeps {@link #delayMillis} with what is left until {@code deadlineNanos} ({@link
   * System#nanoTime()}).
   *
   * @throws AeroClientException AERO_INTERNAL if the thread is interrupted (its interrupt flag is
   *     set again)
   */
  void pause(int attempt, long deadlineNanos) {
    long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
    try {
      Thread.sleep(delayMillis(attempt, remainingMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ClientErrors.of(ClientErrors.INTERNAL, "interrupted");
    }
  }
}
