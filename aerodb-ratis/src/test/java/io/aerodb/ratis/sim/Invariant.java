package io.aerodb.ratis.sim;

import java.util.List;

/**
 * A property the cluster must keep, checked after every step against what the step did (its events)
 * and the cluster as it is now; a small named class each, as Kafka's RaftEventSimulationTest keeps
 * them. An implementation remembers what it needs from earlier steps, and throws {@link
 * InvariantViolation} with everything needed to understand the failure.
 */
interface Invariant {
  void check(List<StepEvents.Event> events, SimulatedCluster cluster);

  default InvariantViolation violation(String detail) {
    return new InvariantViolation(getClass().getSimpleName(), detail);
  }
}
