package io.aerodb.ratis.sim;

import io.aerodb.core.command.Prepared;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.ratis.statemachine.TransactionContext;

/**
 * What a replica holds while it believes it leads one term (volatile: lost with the term or the
 * process). Its proposals wait for its own apply to answer their clients, as Ratis' pending
 * requests do; its open batch holds prepared document writes not yet proposed (the group commit of
 * WriteBatcher).
 */
final class LeaderState {
  /** A prepared document write waiting for the next group. */
  record PendingWrite(ClientRequest request, Prepared prepared) {}

  /**
   * An entry this leader appended: the client of each write (null for a write no client waits for:
   * an epoch record, a malformed entry, a write injected to break a group) and the transaction
   * Ratis keeps for it.
   */
  record Proposal(List<ClientRequest> clients, TransactionContext transaction, long callId) {}

  final long term;

  /** The Raft-internal entry the leader appended first: it is ready once it applied it. */
  final long termStartIndex;

  /** Whether it became leader by a transfer its predecessor handed over. */
  final boolean byTransfer;

  boolean epochProposed;
  final TreeMap<Long, Proposal> proposals = new TreeMap<>();
  final List<PendingWrite> openBatch = new ArrayList<>();

  LeaderState(long term, long termStartIndex, boolean byTransfer) {
    this.term = term;
    this.termStartIndex = termStartIndex;
    this.byTransfer = byTransfer;
  }

  /**
   * Leadership ends (a higher term, a crash): every proposed write's outcome is unknown to its
   * client (it may commit under the next leader, or be truncated); the open batch never reached the
   * log, so those clients are told so (NotLeader: definitely not written).
   */
  void abandon() {
    for (Proposal p : proposals.values()) {
      for (ClientRequest c : p.clients()) {
        if (c != null && c.outcome == ClientRequest.Outcome.PENDING) {
          c.outcome = ClientRequest.Outcome.UNKNOWN;
        }
      }
    }
    for (PendingWrite w : openBatch) {
      if (w.request().outcome == ClientRequest.Outcome.PENDING) {
        w.request().outcome = ClientRequest.Outcome.REFUSED;
      }
    }
    proposals.clear();
    openBatch.clear();
  }
}
