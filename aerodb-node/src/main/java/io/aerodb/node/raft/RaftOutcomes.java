package io.aerodb.node.raft;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.config.NodeConfig;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;

/**
 * The AeroDB errors of Raft outcomes (SPEC §4, docs/ARCHITECTURE.md "Outcome rules"):
 *
 * <ul>
 *   <li>refused before the state machine saw the request (not leader, leader not ready, stepping
 *       down, too many pending): nothing was written, a definite error ({@code AERO_NOT_LEADER}
 *       with the leader's API address);
 *   <li>the entry may have been appended but the answer did not come (leadership lost while
 *       pending, time ran out): {@code AERO_OUTCOME_UNKNOWN}, never a failure. A retry with the
 *       same request_id resolves it.
 * </ul>
 */
final class RaftOutcomes {
  private final NodeConfig config;
  private final PeerDirectory peers;

  RaftOutcomes(NodeConfig config, PeerDirectory peers) {
    this.config = config;
    this.peers = peers;
  }

  /**
   * A definite refusal where Raft says so; otherwise, once started, the write may have happened.
   */
  AeroException unknownOrFailed(boolean started, Throwable t) {
    if (t instanceof LeaderNotReadyException) {
      return AeroError.of(
              ErrorCode.AERO_CLUSTER_LEADER_NOT_READY,
              "the leader is not ready yet: " + t.getMessage())
          .toException();
    }
    if (t instanceof LeaderSteppingDownException) {
      return AeroError.of(
              ErrorCode.AERO_CLUSTER_LEADER_STEPPING_DOWN,
              "the leader is stepping down: " + t.getMessage())
          .toException();
    }
    if (t instanceof ResourceUnavailableException) {
      return AeroError.of(
              ErrorCode.AERO_CLUSTER_OVERLOADED, "too many pending writes: " + t.getMessage())
          .toException();
    }
    if (t instanceof AeroException ae) {
      return ae;
    }
    if (!started) {
      return notReady(t);
    }
    String why =
        t instanceof TimeoutException
            ? "no commit within writeTimeoutMs=" + config.writeTimeoutMs()
            : String.valueOf(t);
    return AeroError.of(
            ErrorCode.AERO_OUTCOME_UNKNOWN,
            "the write may or may not have committed: " + why,
            "writeTimeoutMs",
            Long.toString(config.writeTimeoutMs()))
        .toException();
  }

  /**
   * This node leads but has not applied its first entry of the term yet (nothing was proposed): a
   * definite, retryable refusal, as Ratis' own LeaderNotReadyException.
   */
  AeroException leaderNotReady() {
    return AeroError.of(
            ErrorCode.AERO_CLUSTER_LEADER_NOT_READY,
            "the leader is not ready yet: node "
                + config.nodeId()
                + " has not applied its first entry of the term")
        .toException();
  }

  /** Leadership changed after the state machine saw the write: it may still commit. */
  AeroError lostWhilePending() {
    return AeroError.of(
        ErrorCode.AERO_OUTCOME_UNKNOWN,
        "leadership changed while the write was pending; it may still commit");
  }

  AeroException readFailed(Throwable t) {
    if (t instanceof AeroException ae) {
      return ae;
    }
    if (t instanceof TimeoutException) {
      return AeroError.of(
              ErrorCode.AERO_READ_TIMEOUT,
              "no read index within readTimeoutMs=" + config.readTimeoutMs(),
              "readTimeoutMs",
              Long.toString(config.readTimeoutMs()))
          .toException();
    }
    return AeroError.of(ErrorCode.AERO_CLUSTER_NO_LEADER, "the read could not be served: " + t)
        .toException();
  }

  AeroException indexNotReached(long applied, long minIndex) {
    return AeroError.of(
            ErrorCode.AERO_READ_INDEX_NOT_REACHED,
            "this node applied index "
                + applied
                + " < requested min index "
                + minIndex
                + " within readTimeoutMs="
                + config.readTimeoutMs(),
            "appliedIndex",
            Long.toString(applied),
            "minIndex",
            Long.toString(minIndex),
            "readTimeoutMs",
            Long.toString(config.readTimeoutMs()))
        .toException();
  }

  AeroError notLeader() {
    return AeroError.of(
        ErrorCode.AERO_NOT_LEADER, "node " + config.nodeId() + " is not the leader");
  }

  static AeroError noLeader() {
    return AeroError.of(ErrorCode.AERO_CLUSTER_NO_LEADER, "no leader is known right now");
  }

  AeroException notReady(Throwable t) {
    return AeroError.of(
            ErrorCode.AERO_NODE_NOT_READY, "node " + config.nodeId() + " is not serving: " + t)
        .toException();
  }

  /**
   * Adds the leader's id and API address when one is known ({@code leaderId} not empty); with none
   * an AERO_NOT_LEADER becomes "no leader".
   */
  AeroError withLeaderHint(AeroError e, String leaderId) {
    // a node that is not the leader never names itself (it does while Raft steps it down or
    // closes): a client would follow the hint straight back to it
    boolean self = leaderId.equals(config.nodeId());
    Optional<String> address =
        leaderId.isEmpty() || self ? Optional.empty() : peers.apiAddress(leaderId);
    if (address.isEmpty()) {
      return e.code() == ErrorCode.AERO_NOT_LEADER ? noLeader() : e;
    }
    return e.withDetail("leaderId", leaderId).withDetail("leaderAddress", address.get());
  }

  /** The cause inside CompletionException wrappers. */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
