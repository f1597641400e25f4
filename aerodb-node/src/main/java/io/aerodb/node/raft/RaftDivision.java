package io.aerodb.node.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * This node's Raft division (the one group it serves) and the facts the node reads from it. The one
 * place that asks Ratis for the division. Ratis 3.2.1's {@code getDivision} <em>waits</em> while
 * the server is still loading the division (it blocks on the group's future until {@code
 * RaftServer.start} has built it), returns at once afterwards — also after the server closed — and
 * throws IOException for a group it does not serve or failed to load; every reader here then gets
 * the neutral answer its javadoc names (not leader, term 0, no leader, index 0) instead of an
 * exception. Callers on an event loop (the API server's {@code ConfirmLeader}) rely on the node
 * starting its API server only after {@code RaftServer.start} returned.
 *
 * <p>Thread-safe; every answer is a snapshot that may be stale the moment it is returned.
 */
public final class RaftDivision {
  private final RaftServer server;
  private final RaftGroupId groupId;

  public RaftDivision(RaftServer server, RaftGroupId groupId) {
    this.server = server;
    this.groupId = groupId;
  }

  /** The Raft group of a cluster: a name-based UUID of "aerodb-cluster:" + clusterName. */
  public static RaftGroupId groupIdOf(String clusterName) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("aerodb-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8)));
  }

  public RaftServer server() {
    return server;
  }

  public RaftGroupId groupId() {
    return groupId;
  }

  /** The division, or empty while the server is not running. */
  public Optional<RaftServer.Division> division() {
    try {
      return Optional.of(server.getDivision(groupId));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The term of this node's log entry at {@code index}, or -1 if the log holds none (the state
   * machine's {@code LocalLog}); IOException while the server is not running.
   */
  public long logTermAt(long index) throws IOException {
    RaftServer.Division d =
        division().orElseThrow(() -> new IOException("no Raft division for " + groupId));
    org.apache.ratis.server.protocol.TermIndex ti = d.getRaftLog().getTermIndex(index);
    return ti == null ? -1 : ti.getTerm();
  }

  /**
   * The division, or IllegalStateException while the server is not running (for callers that only
   * run while it does).
   */
  public RaftServer.Division require() {
    return division()
        .orElseThrow(() -> new IllegalStateException("no Raft division for " + groupId));
  }

  /**
   * Asks Ratis for a snapshot now (the state machine makes the store durable; the log is purged
   * behind it); completes with the snapshot index (the latest one if nothing was applied since), or
   * exceptionally with Ratis' refusal (an install under way, the server not running).
   */
  public java.util.concurrent.CompletableFuture<Long> takeSnapshot(long timeoutMs) {
    org.apache.ratis.protocol.SnapshotManagementRequest request =
        org.apache.ratis.protocol.SnapshotManagementRequest.newCreate(
            org.apache.ratis.protocol.ClientId.randomId(),
            server.getId(),
            groupId,
            0,
            timeoutMs,
            1);
    return server
        .snapshotManagementAsync(request)
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                throw new java.util.concurrent.CompletionException(
                    new IOException(
                        "snapshot refused: "
                            + (reply.getException() == null
                                ? "unknown"
                                : reply.getException().getMessage())));
              }
              return reply.getLogIndex();
            });
  }

  /** Whether this node leads right now (false without a division). */
  public boolean isLeader() {
    return division().map(d -> d.getInfo().isLeader()).orElse(false);
  }

  /**
   * Whether this node leads and is ready: Ratis applied its first entry of the term, so everything
   * committed in earlier terms is applied here too (false without a division).
   */
  public boolean isLeaderReady() {
    return division().map(d -> d.getInfo().isLeader() && d.getInfo().isLeaderReady()).orElse(false);
  }

  /** The current term (0 without a division). */
  public long currentTerm() {
    return division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
  }

  /** The leader this node knows, or "". */
  public String leaderId() {
    return division().map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString).orElse("");
  }

  /** The last applied index (0 without a division). */
  public long appliedIndex() {
    return division().map(d -> Math.max(0, d.getInfo().getLastAppliedIndex())).orElse(0L);
  }

  /** The commit index this node knows (0 without a division). */
  public long commitIndex() {
    return division().map(d -> Math.max(0, d.getRaftLog().getLastCommittedIndex())).orElse(0L);
  }

  /** The first index still in the log (0 without a division). */
  public long logStartIndex() {
    return division().map(d -> Math.max(0, d.getRaftLog().getStartIndex())).orElse(0L);
  }

  /** The last index in the log (0 without a division or entries). */
  public long logLastIndex() {
    return division().map(d -> lastIndex(d.getRaftLog())).orElse(0L);
  }

  private static long lastIndex(RaftLog log) {
    return log.getLastEntryTermIndex() == null ? 0 : log.getLastEntryTermIndex().getIndex();
  }

  /** The configuration in force, or empty without a division. */
  public Optional<RaftConfiguration> configuration() {
    return division().map(RaftServer.Division::getRaftConf);
  }

  /** The division's info, or empty without a division. */
  public Optional<DivisionInfo> info() {
    return division().map(RaftServer.Division::getInfo);
  }
}
