package io.aerodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Checks the client's back-off: full jitter under min(cap, base * 2^attempt), cut to what is left
 * of the deadline, the same pauses for the same seed, and pauses that actually vary. Draws many
 * pauses from seeded sources (and from a source that always draws the top of the range); sleeps
 * only in the interrupt check.
 */
class BackoffTest {

  /** Always draws the top of the range it is asked for. */
  private static final RandomGenerator HIGHEST =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
          return bound - 1;
        }
      };

  @Test
  void ceilingsDoubleFromTheBaseUpToTheCap() {
    Backoff b = Backoff.standard(new SplittableRandom(1));
    List<Long> ceilings = new ArrayList<>();
    for (int attempt = 0; attempt < 8; attempt++) {
      ceilings.add(b.ceilingMillis(attempt));
    }
    assertThat(ceilings).containsExactly(20L, 40L, 80L, 160L, 200L, 200L, 200L, 200L);
    assertThat(b.ceilingMillis(Integer.MAX_VALUE)).isEqualTo(200L);
  }

  @Test
  void everyPauseLiesBetweenZeroAndItsCeiling() {
    Backoff b = Backoff.standard(new SplittableRandom(7));
    for (int attempt = 0; attempt < 40; attempt++) {
      for (int i = 0; i < 500; i++) {
        assertThat(b.delayMillis(attempt, Long.MAX_VALUE))
            .isBetween(0L, Math.min(200L, 20L << Math.min(attempt, 4)));
      }
    }
  }

  @Test
  void theTopOfTheRangeIsReachableAndNeverExceeded() {
    Backoff b = Backoff.standard(HIGHEST);
    assertThat(b.delayMillis(0, Long.MAX_VALUE)).isEqualTo(20);
    assertThat(b.delayMillis(3, Long.MAX_VALUE)).isEqualTo(160);
    assertThat(b.delayMillis(30, Long.MAX_VALUE)).isEqualTo(200);
  }

  @Test
  void noPauseRunsPastTheDeadline() {
    Backoff b = Backoff.standard(HIGHEST);
    assertThat(b.delayMillis(4, 5)).isEqualTo(5);
    assertThat(b.delayMillis(4, 0)).isZero();
    assertThat(b.delayMillis(4, -30)).isZero();
    Backoff random = Backoff.standard(new SplittableRandom(3));
    for (int i = 0; i < 1_000; i++) {
      assertThat(random.delayMillis(i % 10, 7)).isBetween(0L, 7L);
    }
  }

  @Test
  void aPauseWhoseDeadlineHasPassedReturnsAtOnce() {
    Backoff b = Backoff.standard(HIGHEST);
    long start = System.nanoTime();
    b.pause(10, start - 1);
    assertThat(System.nanoTime() - start).isLessThan(150_000_000L); // well under the 200 ms pause
  }

  @Test
  void theSameSeedGivesTheSamePauses() {
    Backoff a = Backoff.standard(new SplittableRandom(42));
    Backoff b = Backoff.standard(new SplittableRandom(42));
    for (int attempt = 0; attempt < 200; attempt++) {
      assertThat(a.delayMillis(attempt, Long.MAX_VALUE))
          .isEqualTo(b.delayMillis(attempt, Long.MAX_VALUE));
    }
  }

  @Test
  void pausesAreJitteredNotConstant() {
    Backoff b = Backoff.standard(new SplittableRandom(11));
    Set<Long> seen = new HashSet<>();
    long below = 0;
    long above = 0;
    for (int i = 0; i < 1_000; i++) {
      long d = b.delayMillis(6, Long.MAX_VALUE); // ceiling 200 ms
      seen.add(d);
      if (d < 100) {
        below++;
      } else {
        above++;
      }
    }
    assertThat(seen).hasSizeGreaterThan(100); // of the 201 possible values
    assertThat(below).isBetween(400L, 600L); // about uniform over [0, 200]
    assertThat(above).isBetween(400L, 600L);
  }

  @Test
  void anInterruptedPauseFailsWithAeroInternalAndKeepsTheInterrupt() {
    Backoff b = Backoff.standard(HIGHEST);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> b.pause(0, System.nanoTime() + 1_000_000_000L))
          .isInstanceOfSatisfying(
              AeroClientException.class, e -> assertThat(e.code()).isEqualTo("AERO_INTERNAL"));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void refusesAnEmptyOrInvertedRange() {
    RandomGenerator r = new SplittableRandom(1);
    assertThatThrownBy(() -> new Backoff(0, 200, r)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(50, 20, r)).isInstanceOf(IllegalArgumentException.class);
  }
}
