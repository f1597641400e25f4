package io.aerodb.node.testing;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Linearizability of a history of single-document registers, by a real search: Wing &amp; Gong's
 * algorithm with Lowe's memoization of (linearized set, state), as Knossos and Porcupine do, run
 * per key (registers are independent, so a history is linearizable iff each key's is).
 *
 * <p>Model: a register starts absent ({@code null}); a write sets it to its (unique) value; a read
 * returns the current value. Outcomes: {@link Kind#OK} happened between its invoke and its
 * completion; {@link Kind#FAIL} definitely did not happen (dropped); {@link Kind#INFO} (outcome
 * unknown: a write that timed out) may have happened at any point after its invoke, or never. A
 * read whose outcome is not OK tells nothing and is dropped.
 *
 * <p>Only real-time order and values are used, never the commit index or receipt, so a read that
 * returns an older value than a write that completed before the read began is a violation however
 * the indexes look.
 *
 * <p>Bounded: the search visits at most {@link #STATES_MAX} distinct (set, state) pairs per key
 * (fewer for long histories: {@link #MEMO_BYTES_MAX}) and then reports the key as undecided, which
 * a test treats as a failure, never as a violation found.
 */
public final class RegisterChecker {
  /** Most distinct search states per key before the verdict is "undecided". */
  public static final int STATES_MAX = 2_000_000;

  /**
   * Most bytes the memo of one search may hold (each state keeps a bit per operation): a long
   * history gets fewer states rather than an OutOfMemoryError.
   */
  static final long MEMO_BYTES_MAX = 256L * 1024 * 1024;

  public enum Kind {
    OK,
    FAIL,
    INFO
  }

  /**
   * One client operation on one key. {@code value}: for a write the value written, for a read the
   * value returned ({@code null} = absent). Times are monotonic nanos; {@code completeNanos} is
   * ignored for INFO.
   */
  public record Op(
      int process,
      String key,
      boolean write,
      String value,
      long invokeNanos,
      long completeNanos,
      Kind kind) {
    @Override
    public String toString() {
      return String.format(
          "p%d %s %s %s [%d..%s] %s",
          process,
          key,
          write ? "write" : "read",
          value == null ? "absent" : value,
          invokeNanos,
          kind == Kind.INFO ? "?" : Long.toString(completeNanos),
          kind);
    }
  }

  /** The verdict for one key: linearizable, or not with a small failing sub-history. */
  public record Verdict(String key, boolean linearizable, boolean decided, List<Op> witness) {}

  private RegisterChecker() {}

  /** Checks every key; the verdicts in key order. */
  public static List<Verdict> check(List<Op> history) {
    TreeMap<String, List<Op>> byKey = new TreeMap<>();
    for (Op op : history) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<Verdict> verdicts = new ArrayList<>();
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      Result r = search(e.getValue());
      if (r == Result.LINEARIZABLE) {
        verdicts.add(new Verdict(e.getKey(), true, true, List.of()));
      } else {
        boolean decided = r == Result.NOT_LINEARIZABLE;
        verdicts.add(
            new Verdict(e.getKey(), false, decided, decided ? shrink(e.getValue()) : e.getValue()));
      }
    }
    return verdicts;
  }

  /** The first verdict that is not linearizable, if any. */
  public static Optional<Verdict> firstViolation(List<Op> history) {
    return check(history).stream().filter(v -> !v.linearizable()).findFirst();
  }

  private enum Result {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    UNDECIDED
  }

  /** One event of the search list: the call or the return of operation {@code op}. */
  private static final class Entry {
    final int op;
    final boolean call;
    final long time;
    Entry match; // the call's return (null for an INFO op), or the return's call
    Entry prev;
    Entry next;

    Entry(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Memo(BitSet linearized, String state) {}

  /** Wing &amp; Gong / Lowe over the ops of one key. */
  private static Result search(List<Op> all) {
    // Two exact simplifications of unknown (INFO) writes, values being unique: one whose value no
    // OK read returned can always be taken as never applied, so it is left out; one whose value a
    // read returned did happen, before the earliest such read completed, so it becomes OK with that
    // completion as its return (unless that read completed before the write was even invoked: then
    // it stays as it is and the search finds the violation). A lookup table, never iterated.
    Map<String, Long> firstReadOf = new HashMap<>();
    for (Op op : all) {
      if (!op.write() && op.kind() == Kind.OK && op.value() != null) {
        firstReadOf.merge(op.value(), op.completeNanos(), Math::min);
      }
    }
    List<Op> ops = new ArrayList<>();
    for (Op op : all) {
      if (op.kind() == Kind.FAIL || (!op.write() && op.kind() != Kind.OK)) {
        continue; // definitely did not happen, or a read that tells nothing
      }
      if (op.write() && op.kind() == Kind.INFO) {
        Long seenBy = firstReadOf.get(op.value());
        if (seenBy == null) {
          continue;
        }
        if (seenBy >= op.invokeNanos()) {
          op = new Op(op.process(), op.key(), true, op.value(), op.invokeNanos(), seenBy, Kind.OK);
        }
      }
      ops.add(op);
    }
    long statesMax = Math.min(STATES_MAX, MEMO_BYTES_MAX / (ops.size() / 8 + 64));
    // Events in time order; at equal times a call sorts before a return: an op precedes another
    // only if it completed strictly before the other was invoked.
    List<Entry> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(i, true, op.invokeNanos());
      events.add(call);
      if (op.kind() == Kind.OK) {
        Entry ret = new Entry(i, false, op.completeNanos());
        call.match = ret;
        ret.match = call;
        events.add(ret);
      }
    }
    events.sort(
        Comparator.comparingLong((Entry e) -> e.time)
            .thenComparing(e -> !e.call)
            .thenComparingInt(e -> e.op));
    Entry head = new Entry(-1, true, Long.MIN_VALUE);
    Entry tail = head;
    for (Entry e : events) {
      tail.next = e;
      e.prev = tail;
      tail = e;
    }

    int okLeft = 0; // OK ops not linearized yet: the search is done when none is left
    for (Op op : ops) {
      okLeft += op.kind() == Kind.OK ? 1 : 0;
    }
    Set<Memo> seen = new HashSet<>();
    BitSet linearized = new BitSet(ops.size());
    String state = null;
    List<Entry> stack = new ArrayList<>();
    List<String> states = new ArrayList<>();
    Entry cursor = head.next;
    while (true) {
      if (okLeft == 0) {
        return Result.LINEARIZABLE; // every OK op is linearized; INFO calls left may never happen
      }
      if (cursor == null) {
        throw new IllegalStateException("an OK op is left but the list has no return");
      }
      if (cursor.call) {
        Op op = ops.get(cursor.op);
        if (possible(state, op)) {
          BitSet candidate = (BitSet) linearized.clone();
          candidate.set(cursor.op);
          String after = op.write() ? op.value() : state;
          if (seen.add(new Memo(candidate, after))) {
            if (seen.size() > statesMax) {
              return Result.UNDECIDED;
            }
            stack.add(cursor);
            states.add(state);
            okLeft -= op.kind() == Kind.OK ? 1 : 0;
            linearized = candidate;
            state = after;
            unlink(cursor);
            cursor = head.next;
            continue;
          }
        }
        cursor = cursor.next;
      } else {
        // A return whose call is not linearized yet: undo the last choice.
        if (stack.isEmpty()) {
          return Result.NOT_LINEARIZABLE;
        }
        Entry undone = stack.remove(stack.size() - 1);
        state = states.remove(states.size() - 1);
        // A copy: the set being cleared is the one the memo holds for the state just left.
        linearized = (BitSet) linearized.clone();
        linearized.clear(undone.op);
        okLeft += ops.get(undone.op).kind() == Kind.OK ? 1 : 0;
        relink(undone);
        cursor = undone.next;
      }
    }
  }

  /** Whether {@code op} can happen in {@code state}: a write always, a read if it saw it. */
  private static boolean possible(String state, Op op) {
    return op.write() || Objects.equals(op.value(), state);
  }

  /** Removes a call and its return from the list (Lowe: "lift"). */
  private static void unlink(Entry call) {
    remove(call);
    if (call.match != null) {
      remove(call.match);
    }
  }

  private static void remove(Entry e) {
    e.prev.next = e.next;
    if (e.next != null) {
      e.next.prev = e.prev;
    }
  }

  /** Puts a lifted call and its return back where they were ("unlift"); the reverse of unlink. */
  private static void relink(Entry call) {
    if (call.match != null) {
      insert(call.match);
    }
    insert(call);
  }

  private static void insert(Entry e) {
    e.prev.next = e;
    if (e.next != null) {
      e.next.prev = e;
    }
  }

  /** At most this many searches are spent on shrinking one key's failing history. */
  static final int SHRINK_SEARCHES_MAX = 400;

  /**
   * A smaller history of one key that still is not linearizable, by delta debugging: chunks of half
   * the history, then of a quarter, ... down to single operations are dropped while the rest still
   * fails. A write whose value a remaining read returned is never dropped (that read would then
   * fail for a reason the history did not have). Bounded by {@link #SHRINK_SEARCHES_MAX} searches:
   * the result is then smaller, not minimal.
   */
  private static List<Op> shrink(List<Op> ops) {
    List<Op> current = new ArrayList<>(ops);
    int searches = 0;
    for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; chunk /= 2) {
      for (int at = 0; at < current.size() && searches < SHRINK_SEARCHES_MAX; ) {
        List<Op> without = withoutChunk(current, at, chunk);
        if (without.size() < current.size()) {
          searches++;
          if (search(without) == Result.NOT_LINEARIZABLE) {
            current = without;
            continue; // the same position now holds the next chunk
          }
        }
        at += chunk;
      }
    }
    return current;
  }

  /** {@code ops} without {@code [at, at + chunk)}, keeping the writes of values still read. */
  private static List<Op> withoutChunk(List<Op> ops, int at, int chunk) {
    int end = Math.min(ops.size(), at + chunk);
    List<Op> rest = new ArrayList<>(ops.subList(0, at));
    rest.addAll(ops.subList(end, ops.size()));
    List<Op> out = new ArrayList<>(ops.subList(0, at));
    for (Op op : ops.subList(at, end)) {
      if (op.write() && isRead(rest, op.value())) {
        out.add(op);
      }
    }
    out.addAll(ops.subList(end, ops.size()));
    return out;
  }

  private static boolean isRead(List<Op> ops, String value) {
    for (Op op : ops) {
      if (!op.write() && op.kind() == Kind.OK && Objects.equals(op.value(), value)) {
        return true;
      }
    }
    return false;
  }
}
