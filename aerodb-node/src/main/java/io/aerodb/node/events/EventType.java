package io.aerodb.node.events;

/** The kinds of cluster events (docs/OPERATIONS.md, Events). */
public enum EventType {
  /**
   * This node saw a new leader (or lost it): termBefore, termAfter, leaderBefore, leaderAfter,
   * commitIndex.
   */
  LEADER_CHANGED,
  /** This node became leader and is ready (applied the first entry of its term). */
  LEADER_READY,
  /** This node stopped being leader: term, pendingEntries, why. */
  STEPPED_DOWN,
  /** A state change of the transfer workflow: requestId, from, to, target, term, commitIndex. */
  TRANSFER_STATE,
  /** A transfer request refused while another one runs (it never entered the workflow). */
  TRANSFER_REFUSED,
  /**
   * A transfer started under an earlier leader never ended (that leader crashed or lost its term)
   * [P6-O1].
   */
  TRANSFER_ABANDONED,
  /**
   * A membership request: requestId, action, nodeId, state (REQUESTED, DENIED, APPLIED, FAILED).
   */
  MEMBERSHIP_STATE,
  /** A configuration entry took effect: term, index, voters, learners. */
  CONFIGURATION_CHANGED,
  /**
   * An authority record was applied from the log (epoch, transfer intent/outcome, membership,
   * recovery).
   */
  AUTHORITY_RECORD,
  /** This node was removed from the cluster. */
  REMOVED,
  SNAPSHOT_TAKEN,
  SNAPSHOT_FAILED,
  STORE_INSTALLED
}
