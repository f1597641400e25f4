package io.aerodb.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.node.testing.RegisterChecker.Kind;
import io.aerodb.node.testing.RegisterChecker.Op;
import io.aerodb.node.testing.RegisterChecker.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The register checker on hand-written histories, valid and invalid, with unknown outcomes — and
 * against a brute force over every order on small random histories, so that a checker that stops
 * checking (or flags valid histories) fails here before it is trusted with a cluster's history.
 * Times are small integers; {@code w(p, v, a, b)} is process p writing v between a and b.
 */
class RegisterCheckerTest {

  static Op w(int p, String v, long a, long b) {
    return new Op(p, "k", true, v, a, b, Kind.OK);
  }

  static Op wInfo(int p, String v, long a) {
    return new Op(p, "k", true, v, a, Long.MAX_VALUE, Kind.INFO);
  }

  static Op wFail(int p, String v, long a, long b) {
    return new Op(p, "k", true, v, a, b, Kind.FAIL);
  }

  static Op r(int p, String v, long a, long b) {
    return new Op(p, "k", false, v, a, b, Kind.OK);
  }

  static boolean ok(Op... ops) {
    return RegisterChecker.firstViolation(List.of(ops)).isEmpty();
  }

  @Test
  void sequentialHistoriesFollowTheRegister() {
    assertThat(
            ok(
                r(1, null, 0, 1),
                w(1, "a", 2, 3),
                r(1, "a", 4, 5),
                w(1, "b", 6, 7),
                r(2, "b", 8, 9)))
        .isTrue();
    assertThat(ok(w(1, "a", 0, 1), r(2, null, 2, 3)))
        .as("read of the initial state after a write")
        .isFalse();
    assertThat(ok(w(1, "a", 0, 1), w(1, "b", 2, 3), r(2, "a", 4, 5))).as("stale read").isFalse();
  }

  @Test
  void concurrentOperationsMayTakeEffectInEitherOrder() {
    // The write overlaps both reads: absent then a is fine, a then absent is not.
    assertThat(ok(w(1, "a", 0, 10), r(2, null, 1, 2), r(2, "a", 3, 4))).isTrue();
    assertThat(ok(w(1, "a", 0, 10), r(2, "a", 1, 2), r(2, null, 3, 4))).isFalse();
    // Two overlapping writes, two readers that disagree on the order: not linearizable.
    assertThat(
            ok(
                w(1, "a", 0, 10),
                w(2, "b", 0, 10),
                r(3, "a", 11, 12),
                r(3, "b", 13, 14),
                r(4, "a", 15, 16)))
        .isFalse();
    assertThat(ok(w(1, "a", 0, 10), w(2, "b", 0, 10), r(3, "a", 1, 2), r(4, "b", 3, 4))).isTrue();
  }

  @Test
  void realTimeOrderBindsEvenWhenEveryValueExists() {
    // The read begins after the write of b completed: reading a is a violation.
    assertThat(ok(w(1, "a", 0, 1), w(2, "b", 2, 3), r(3, "a", 4, 5))).isFalse();
    // A read that returned before the write began cannot see it.
    assertThat(ok(r(1, "a", 0, 1), w(2, "a", 2, 3))).isFalse();
  }

  @Test
  void unknownWritesMayHappenAnyTimeAfterTheirInvokeOrNever() {
    assertThat(ok(wInfo(1, "a", 0), r(2, null, 5, 6))).as("never happened").isTrue();
    assertThat(ok(wInfo(1, "a", 0), r(2, "a", 100, 101))).as("happened late").isTrue();
    assertThat(ok(wInfo(1, "a", 0), r(2, "a", 5, 6), r(2, null, 7, 8)))
        .as("once seen it stays")
        .isFalse();
    assertThat(ok(r(2, "a", 0, 1), wInfo(1, "a", 5))).as("not before its invoke").isFalse();
  }

  @Test
  void failedWritesNeverHappened() {
    assertThat(ok(wFail(1, "a", 0, 1), r(2, null, 2, 3))).isTrue();
    assertThat(ok(wFail(1, "a", 0, 1), r(2, "a", 2, 3))).isFalse();
  }

  @Test
  void keysAreCheckedSeparatelyAndAViolationComesWithASmallWitness() {
    List<Op> h = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      h.add(new Op(1, "good", true, "v" + i, 10 * i, 10 * i + 5, Kind.OK));
      h.add(new Op(2, "good", false, "v" + i, 10 * i + 6, 10 * i + 8, Kind.OK));
      h.add(new Op(1, "bad", true, "v" + i, 10 * i, 10 * i + 5, Kind.OK));
    }
    h.add(new Op(3, "bad", false, "v3", 1_000, 1_001, Kind.OK)); // stale: v19 was written at 195
    List<Verdict> verdicts = RegisterChecker.check(h);
    assertThat(verdicts).extracting(Verdict::key).containsExactly("bad", "good");
    assertThat(verdicts.get(1).linearizable()).isTrue();
    Verdict bad = verdicts.get(0);
    assertThat(bad.linearizable()).isFalse();
    assertThat(bad.decided()).isTrue();
    // The witness: the stale read, the write it read, and one later completed write.
    assertThat(bad.witness()).hasSize(3);
    assertThat(bad.witness()).anyMatch(op -> !op.write() && op.value().equals("v3"));
  }

  /**
   * Random small histories (3 processes, 6 ops, values unique, some unknown or failed): the checker
   * agrees with a brute force that tries every order consistent with real time.
   */
  @Test
  void agreesWithABruteForceOnRandomSmallHistories(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {20261203L},
        seed -> {
          Random random = new Random(seed);
          int violations = 0;
          for (int round = 0; round < 3_000; round++) {
            List<Op> h = randomHistory(random);
            boolean expected = BruteForce.linearizable(h);
            boolean actual = RegisterChecker.firstViolation(h).isEmpty();
            assertThat(actual).as("seed %d round %d: %s", seed, round, h).isEqualTo(expected);
            violations += expected ? 0 : 1;
          }
          // Both verdicts occur, so the comparison means something.
          assertThat(violations).isBetween(300, 2_700);
        });
  }

  private static List<Op> randomHistory(Random random) {
    List<Op> h = new ArrayList<>();
    List<String> written = new ArrayList<>();
    long[] clock = new long[3];
    for (int i = 0; i < 6; i++) {
      int p = random.nextInt(3);
      long invoke = clock[p] + random.nextInt(4);
      long complete = invoke + 1 + random.nextInt(6);
      clock[p] = complete + 1;
      if (random.nextBoolean()) {
        String v = "v" + i;
        written.add(v);
        int k = random.nextInt(10);
        Kind kind = k == 0 ? Kind.INFO : k == 1 ? Kind.FAIL : Kind.OK;
        h.add(new Op(p, "k", true, v, invoke, kind == Kind.INFO ? Long.MAX_VALUE : complete, kind));
        if (kind == Kind.INFO) {
          clock[p] = Long.MAX_VALUE / 2; // a process with an unknown outcome does nothing more
        }
      } else {
        String v =
            written.isEmpty() || random.nextInt(5) == 0
                ? null
                : written.get(random.nextInt(written.size()));
        h.add(new Op(p, "k", false, v, invoke, complete, Kind.OK));
      }
    }
    h.removeIf(op -> op.invokeNanos() >= Long.MAX_VALUE / 2);
    return h;
  }

  /** Every permutation of the ops that may have happened, checked against real time and values. */
  static final class BruteForce {
    static boolean linearizable(List<Op> history) {
      List<Op> must = new ArrayList<>();
      List<Op> may = new ArrayList<>();
      for (Op op : history) {
        if (op.kind() == Kind.OK) {
          must.add(op);
        } else if (op.kind() == Kind.INFO && op.write()) {
          may.add(op);
        }
      }
      for (int mask = 0; mask < (1 << may.size()); mask++) {
        List<Op> chosen = new ArrayList<>(must);
        for (int i = 0; i < may.size(); i++) {
          if ((mask & (1 << i)) != 0) {
            chosen.add(may.get(i));
          }
        }
        if (permute(chosen, new ArrayList<>(), new boolean[chosen.size()])) {
          return true;
        }
      }
      return false;
    }

    private static boolean permute(List<Op> ops, List<Op> order, boolean[] used) {
      if (order.size() == ops.size()) {
        return valid(order);
      }
      for (int i = 0; i < ops.size(); i++) {
        if (!used[i]) {
          used[i] = true;
          order.add(ops.get(i));
          if (permute(ops, order, used)) {
            return true;
          }
          order.remove(order.size() - 1);
          used[i] = false;
        }
      }
      return false;
    }

    /** Values follow the register, and an op that completed before another began comes first. */
    private static boolean valid(List<Op> order) {
      String state = null;
      for (int i = 0; i < order.size(); i++) {
        Op op = order.get(i);
        if (op.write()) {
          state = op.value();
        } else if (!java.util.Objects.equals(op.value(), state)) {
          return false;
        }
        for (int j = i + 1; j < order.size(); j++) {
          Op later = order.get(j);
          if (later.kind() == Kind.OK && later.completeNanos() < op.invokeNanos()) {
            return false;
          }
        }
      }
      return true;
    }
  }

  @Test
  void anEmptyHistoryIsLinearizable() {
    Optional<Verdict> v = RegisterChecker.firstViolation(List.of());
    assertThat(v).isEmpty();
  }
}
