package io.aerodb.node.server;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.ConfirmLeaderReply;
import io.aerodb.proto.internal.v1.ConfirmLeaderRequest;
import io.aerodb.proto.internal.v1.HandoverRequest;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.PeerServiceGrpc;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.internal.v1.ReadResult;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.CommandRejectedException;
import io.aerodb.ratis.LogEntryCodec;
import io.aerodb.ratis.ShadedBytes;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;

/**
 * Submits this node's client requests to its own Raft server in-process (no extra hop, no thread
 * per request: everything is a future) and turns Raft outcomes into AeroDB results or errors.
 *
 * <p>The outcome rules (SPEC §4):
 *
 * <ul>
 *   <li>refused before the state machine saw the request (not leader, leader not ready, stepping
 *       down, too many pending): nothing was written, a definite error ({@code AERO_NOT_LEADER}
 *       with the leader's API address);
 *   <li>refused by validation on the leader: the rejection (client mistake, nothing written);
 *   <li>the entry may have been appended but the answer did not come (leadership lost while
 *       pending, time ran out): {@code AERO_OUTCOME_UNKNOWN}, never a failure. A retry with the
 *       same request_id resolves it.
 * </ul>
 */
public final class RaftGateway {
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final AeroStateMachine stateMachine;
  private final NodeConfig config;
  private final PeerDirectory peers;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final WriteBatcher batcher;
  private final LeadershipConfirmer confirmer;
  private final PeerChannels peerChannels;

  RaftGateway(
      RaftServer server,
      RaftGroupId groupId,
      AeroStateMachine stateMachine,
      NodeConfig config,
      PeerDirectory peers,
      MetricRegistry metrics) {
    this.server = server;
    this.groupId = groupId;
    this.stateMachine = stateMachine;
    this.config = config;
    this.peers = peers;
    this.batcher = new WriteBatcher(this, stateMachine, config.writeTimeoutMs(), metrics);
    // A voter that has not answered within one maximal election timeout counts as a "no": by then
    // a leader cut off from it would have stepped down anyway.
    this.peerChannels = new PeerChannels(peers);
    this.confirmer =
        new LeadershipConfirmer(
            server, groupId, config.nodeId(), peerChannels, config.electionTimeoutMaxMs(), metrics);
    stateMachine.setLocalClientId(clientId);
  }

  /**
   * Proposes {@code entry}; completes with the applied result, or exceptionally with an
   * AeroException. Document writes go through the group commit ({@link WriteBatcher}); other
   * commands (catalog, authority) are proposed alone.
   */
  public CompletableFuture<ApplyResult> write(LogEntry entry) {
    CompletableFuture<ApplyResult> result;
    if (WriteBatcher.batchable(entry)) {
      result = batcher.add(entry);
    } else {
      result =
          propose(entry.toByteArray(), config.writeTimeoutMs())
              .thenApply(RaftGateway::parseApplyResult);
    }
    if (RedGate.ACK_BEFORE_COMMIT.on() && isLeader()) {
      // Red gate only (RedGate): "acknowledged" before the entry is committed, or even appended.
      return CompletableFuture.completedFuture(
          ApplyResult.newBuilder().setCommitIndex(appliedIndex() + 1).setExisted(true).build());
    }
    return result;
  }

  static ApplyResult parseApplyResult(ByteBuffer content) {
    try {
      return ApplyResult.parseFrom(content);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CompletionException(
          AeroError.of(ErrorCode.AERO_INTERNAL, "unreadable apply result: " + e.getMessage())
              .toException());
    }
  }

  /**
   * Proposes one log entry's bytes to this node's Raft server; completes with the state machine's
   * answer (its bytes), or exceptionally with an AeroException that follows the outcome rules.
   */
  CompletableFuture<ByteBuffer> propose(byte[] payload, long timeoutMs) {
    long callId = callIds.incrementAndGet();
    RaftClientRequest request = request(callId, payload, RaftClientRequest.writeRequestType());
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      stateMachine.forgetStarted(callId);
      return CompletableFuture.failedFuture(notReady(e));
    }
    return reply
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (r, t) -> {
              boolean started = stateMachine.forgetStarted(callId);
              if (t != null) {
                throw new CompletionException(unknownOrFailed(started, unwrap(t)));
              }
              return writeResult(r, started);
            });
  }

  private ByteBuffer writeResult(RaftClientReply r, boolean started) {
    if (r.isSuccess()) {
      return r.getMessage().getContent().asReadOnlyByteBuffer();
    }
    NotLeaderException nle = r.getNotLeaderException();
    if (nle != null) {
      AeroError e =
          started
              ? AeroError.of(
                  ErrorCode.AERO_OUTCOME_UNKNOWN,
                  "leadership changed while the write was pending; it may still commit")
              : notLeader();
      throw new CompletionException(withLeaderHint(e, nle.getSuggestedLeader()).toException());
    }
    StateMachineException sme = r.getStateMachineException();
    if (sme != null && sme.getCause() instanceof CommandRejectedException rejected) {
      throw new CompletionException(rejected.error().toException());
    }
    RaftException other = r.getException();
    throw new CompletionException(unknownOrFailed(started, other));
  }

  /** A definite refusal where Raft says so; otherwise the write may have happened. */
  private AeroException unknownOrFailed(boolean started, Throwable t) {
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
   * Linearizable read [R-LIN]: Ratis' ReadIndex (on a follower, Ratis asks the leader for the read
   * index and waits until this node applied it) and, started at the same time, a round of {@link
   * LeadershipConfirmer} for the leader and term this node knows now. The answer leaves only when
   * both succeeded: Ratis alone may skip its leadership check (see LeadershipConfirmer).
   */
  public CompletableFuture<ReadResult> readLinearizable(ReadQuery query) {
    if (RedGate.LOCAL_LINEARIZABLE_READS.on()) {
      // Red gate only (RedGate): local state, no ReadIndex, no confirmation [R-LIN broken].
      return readAtLeast(query, 0);
    }
    Optional<LeadershipConfirmer.Claim> claim = confirmer.currentClaim();
    if (claim.isEmpty()) {
      return CompletableFuture.failedFuture(noLeader().toException());
    }
    CompletableFuture<Void> confirmed = confirmer.confirm(claim.get());
    return ratisRead(query)
        .thenCombine(
            confirmed.exceptionally(
                t -> {
                  throw new CompletionException(readFailed(unwrap(t)));
                }),
            (result, ok) -> result);
  }

  /** This node's answer to a peer's {@code ConfirmLeader}: its own term and leader, now. */
  public ConfirmLeaderReply confirmLeader(ConfirmLeaderRequest request) {
    return confirmer.answer(request);
  }

  /**
   * Asks {@code nodeId} whether it handed leadership over for transfer {@code requestId} [P6-D2];
   * empty when it does not answer within {@code timeoutMs}. Blocks; for the admin threads.
   */
  public Optional<Boolean> askHandover(String nodeId, String requestId, long timeoutMs) {
    Optional<ManagedChannel> channel = peerChannels.to(nodeId);
    if (channel.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          PeerServiceGrpc.newBlockingStub(channel.get())
              .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
              .handover(HandoverRequest.newBuilder().setRequestId(requestId).build())
              .getHandedOver());
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** Closes the channels to peers (the node is stopping). */
  void close() {
    peerChannels.close();
  }

  private CompletableFuture<ReadResult> ratisRead(ReadQuery query) {
    RaftClientRequest request =
        request(
            callIds.incrementAndGet(), query.toByteArray(), RaftClientRequest.readRequestType());
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(notReady(e));
    }
    return reply
        .orTimeout(config.readTimeoutMs(), TimeUnit.MILLISECONDS)
        .handle(
            (r, t) -> {
              if (t != null) {
                throw new CompletionException(readFailed(unwrap(t)));
              }
              if (!r.isSuccess()) {
                NotLeaderException nle = r.getNotLeaderException();
                if (nle != null) {
                  throw new CompletionException(
                      withLeaderHint(noLeader(), nle.getSuggestedLeader()).toException());
                }
                throw new CompletionException(readFailed(r.getException()));
              }
              try {
                return ReadResult.parseFrom(r.getMessage().getContent().asReadOnlyByteBuffer());
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new CompletionException(
                    AeroError.of(ErrorCode.AERO_INTERNAL, "unreadable read result").toException());
              }
            });
  }

  /**
   * A read on this node once it applied at least {@code minIndex}, waiting at most readTimeoutMs.
   */
  public CompletableFuture<ReadResult> readAtLeast(ReadQuery query, long minIndex) {
    return stateMachine
        .whenApplied(minIndex, config.readTimeoutMs())
        .handle(
            (applied, t) -> {
              if (t != null) {
                long now = appliedIndex();
                throw new CompletionException(
                    AeroError.of(
                            ErrorCode.AERO_READ_INDEX_NOT_REACHED,
                            "this node applied index "
                                + now
                                + " < requested min index "
                                + minIndex
                                + " within readTimeoutMs="
                                + config.readTimeoutMs(),
                            "appliedIndex",
                            Long.toString(now),
                            "minIndex",
                            Long.toString(minIndex),
                            "readTimeoutMs",
                            Long.toString(config.readTimeoutMs()))
                        .toException());
              }
              return stateMachine.read(query);
            });
  }

  /** Whether this node leads right now (it may stop at any moment; Raft has the last word). */
  boolean isLeader() {
    try {
      return server.getDivision(groupId).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  private long appliedIndex() {
    try {
      return server.getDivision(groupId).getInfo().getLastAppliedIndex();
    } catch (IOException e) {
      return 0;
    }
  }

  private AeroException readFailed(Throwable t) {
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

  private RaftClientRequest request(long callId, byte[] payload, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(groupId)
        .setCallId(callId)
        .setMessage(Message.valueOf(ShadedBytes.wrap(payload)))
        .setType(type)
        .build();
  }

  private AeroError notLeader() {
    return AeroError.of(
        ErrorCode.AERO_NOT_LEADER, "node " + config.nodeId() + " is not the leader");
  }

  private static AeroError noLeader() {
    return AeroError.of(ErrorCode.AERO_CLUSTER_NO_LEADER, "no leader is known right now");
  }

  private AeroException notReady(Throwable t) {
    return AeroError.of(
            ErrorCode.AERO_NODE_NOT_READY, "node " + config.nodeId() + " is not serving: " + t)
        .toException();
  }

  /** Adds the leader's id and API address when Raft suggested one; with none it is "no leader". */
  private AeroError withLeaderHint(AeroError e, RaftPeer suggested) {
    String leaderId = suggested == null ? "" : suggested.getId().toString();
    Optional<String> address = leaderId.isEmpty() ? Optional.empty() : peers.apiAddress(leaderId);
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

  /** Decodes a rejection inside an otherwise successful apply result. */
  public static Optional<AeroError> rejection(ApplyResult r) {
    return r.hasRejection()
        ? Optional.of(LogEntryCodec.decodeRejection(r.getRejection()))
        : Optional.empty();
  }
}
