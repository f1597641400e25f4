package io.aerodb.node.promotion;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of the leadership-transfer workflow (SPEC §4) and its ONE transition table:
 *
 * <pre>
 * STEADY → REQUESTED → VALIDATING → APPROVED → TRANSFERRING → SUCCEEDED → STEADY
 *                                 ↘ DENIED → STEADY           ↘ FAILED → STEADY
 * </pre>
 *
 * Any other transition is a bug and throws (TransferWorkflow). There is no edge from FAILED back to
 * TRANSFERRING: a failed transfer is never retried automatically [P6-F3].
 */
public enum TransferState {
  STEADY,
  REQUESTED,
  VALIDATING,
  APPROVED,
  DENIED,
  TRANSFERRING,
  SUCCEEDED,
  FAILED;

  private static final Map<TransferState, Set<TransferState>> ALLOWED = table();

  private static Map<TransferState, Set<TransferState>> table() {
    EnumMap<TransferState, Set<TransferState>> t = new EnumMap<>(TransferState.class);
    t.put(STEADY, EnumSet.of(REQUESTED));
    t.put(REQUESTED, EnumSet.of(VALIDATING));
    t.put(VALIDATING, EnumSet.of(APPROVED, DENIED));
    t.put(APPROVED, EnumSet.of(TRANSFERRING));
    t.put(DENIED, EnumSet.of(STEADY));
    t.put(TRANSFERRING, EnumSet.of(SUCCEEDED, FAILED));
    t.put(SUCCEEDED, EnumSet.of(STEADY));
    t.put(FAILED, EnumSet.of(STEADY));
    return Collections.unmodifiableMap(t);
  }

  /** Whether {@code this → next} is in the table. */
  public boolean canMoveTo(TransferState next) {
    return ALLOWED.get(this).contains(next);
  }

  /** The states reachable in one step (for tests and docs). */
  public Set<TransferState> next() {
    return Collections.unmodifiableSet(ALLOWED.get(this));
  }
}
