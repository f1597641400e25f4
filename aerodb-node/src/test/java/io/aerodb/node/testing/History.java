package io.aerodb.node.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What clients were told, and the check of it against what the cluster holds. Outcomes:
 *
 * <ul>
 *   <li>ACKED: the write succeeded with a commit index; the document must be readable with exactly
 *       this content on every node, and one writer's acknowledged commit indexes strictly increase
 *       [MVCC-2];
 *   <li>REFUSED: rejected (REJECT) or failed definitely (nothing written); it must never be
 *       visible;
 *   <li>UNKNOWN: AERO_OUTCOME_UNKNOWN; either state is allowed.
 * </ul>
 *
 * Writers add only their own documents (one insert per _id), so an insert's expected state is
 * simple.
 */
public final class History {
  public enum Outcome {
    ACKED,
    REFUSED,
    UNKNOWN
  }

  /** One client call: who sent it, what it wrote, what it was told, when, and by which node. */
  public record Op(
      int writer,
      String id,
      String content,
      Outcome outcome,
      long commitIndex,
      long doneNanos,
      String error,
      String node) {}

  private final Map<Integer, List<Op>> byWriter = new ConcurrentHashMap<>();

  public void record(Op op) {
    byWriter
        .computeIfAbsent(
            op.writer(), w -> java.util.Collections.synchronizedList(new ArrayList<>()))
        .add(op);
  }

  public List<Op> all() {
    List<Op> out = new ArrayList<>();
    new TreeMap<>(byWriter)
        .values()
        .forEach(
            l -> {
              synchronized (l) {
                out.addAll(l);
              }
            });
    return out;
  }

  public long count(Outcome o) {
    return all().stream().filter(op -> op.outcome() == o).count();
  }

  public long maxAckedIndex() {
    return all().stream()
        .filter(op -> op.outcome() == Outcome.ACKED)
        .mapToLong(Op::commitIndex)
        .max()
        .orElse(0);
  }

  /** What a node returned for a document: its canonical JSON, or empty if absent. */
  @FunctionalInterface
  public interface Reader {
    Optional<String> read(String id);
  }

  /** Every violation found reading through {@code reader}; empty means the history holds. */
  public List<String> violations(String node, Reader reader) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Integer, List<Op>> w : new TreeMap<>(byWriter).entrySet()) {
      long lastIndex = 0;
      List<Op> ops;
      synchronized (w.getValue()) {
        ops = new ArrayList<>(w.getValue());
      }
      for (Op op : ops) {
        Optional<String> actual = reader.read(op.id());
        switch (op.outcome()) {
          case ACKED -> {
            if (actual.isEmpty()) {
              problems.add(
                  node
                      + ": acknowledged write "
                      + op.id()
                      + " at index "
                      + op.commitIndex()
                      + " is lost");
            } else if (!actual.get().equals(op.content())) {
              problems.add(
                  node
                      + ": "
                      + op.id()
                      + " reads "
                      + actual.get()
                      + " but "
                      + op.content()
                      + " was acknowledged");
            }
            if (op.commitIndex() <= lastIndex) {
              problems.add(
                  "writer "
                      + w.getKey()
                      + ": commit index "
                      + op.commitIndex()
                      + " after "
                      + lastIndex
                      + " [MVCC-2]");
            }
            lastIndex = op.commitIndex();
          }
          case REFUSED -> {
            if (actual.isPresent()) {
              problems.add(
                  node + ": refused write " + op.id() + " (" + op.error() + ") is visible");
            }
          }
          case UNKNOWN -> {
            // either outcome is correct
          }
        }
      }
    }
    return problems;
  }
}
