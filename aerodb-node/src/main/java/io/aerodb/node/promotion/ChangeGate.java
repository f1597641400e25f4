package io.aerodb.node.promotion;

import java.util.Optional;

/**
 * One authority change at a time on this leader [P6-A2]: a leadership transfer or a membership
 * change. A request enters the gate or learns which change is in flight (and is then denied with
 * that reason).
 */
public final class ChangeGate {
  /** The change in flight: its kind ("transfer" or "membership") and request id. */
  public record Change(String kind, String requestId) {}

  private Change current;

  /** Enters if nothing is in flight (returns empty); otherwise returns the change in flight. */
  public synchronized Optional<Change> tryEnter(String kind, String requestId) {
    if (current != null) {
      return Optional.of(current);
    }
    current = new Change(kind, requestId);
    return Optional.empty();
  }

  public synchronized void exit(String requestId) {
    if (current != null && current.requestId().equals(requestId)) {
      current = null;
    }
  }

  public synchronized Optional<Change> current() {
    return Optional.ofNullable(current);
  }

  /** The request id of a transfer in flight, or "". */
  public String transferInFlight() {
    return current().filter(c -> c.kind().equals("transfer")).map(Change::requestId).orElse("");
  }

  public boolean membershipInFlight() {
    return current().filter(c -> c.kind().equals("membership")).isPresent();
  }
}
