package io.aerodb.node.raft;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.command.Write;
import io.aerodb.core.engine.ViewRead;
import io.aerodb.core.error.AeroException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.proto.peer.v1.ConfirmLeaderReply;
import io.aerodb.proto.peer.v1.ConfirmLeaderRequest;
import io.aerodb.proto.peer.v1.HandoverRequest;
import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.LogEntryCodec;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The node's way into Raft, for the API and the promotion code: writes and reads in AeroDB's terms
 * (commands and typed reads in, results out), never protobuf.
 *
 * <p>Writes: on the leader, once it is ready, a command is prepared once ({@link
 * AeroStateMachine#prepare}: parsed, validated, canonical) and encoded once; document writes go
 * through the group commit ({@link WriteBatcher}), other commands (catalog, authority) are proposed
 * alone ({@link Proposer}). A node that does not lead answers AERO_NOT_LEADER with the leader's API
 * address at once, and a leader that is not ready yet AERO_CLUSTER_LEADER_NOT_READY (nothing is
 * proposed, so nothing was written) [P6-A1]. Ready means it applied everything committed in earlier
 * terms: prepare reads the applied state, and before that a retry of a write committed in an
 * earlier term would find no idempotency record and could be refused by a check (a schema, a
 * collection, a document) that the original already passed.
 *
 * <p>Reads: linearizable [R-LIN] (Ratis' ReadIndex together with a {@link LeadershipConfirmer}
 * round), or at least index N on this node; either way the typed read then runs at this node's
 * applied index, off the apply thread ({@link AeroStateMachine#read}).
 */
public final class RaftGateway {
  private final RaftDivision raft;
  private final AeroStateMachine stateMachine;
  private final NodeConfig config;
  private final RaftOutcomes outcomes;
  private final Proposer proposer;
  private final WriteBatcher batcher;
  private final LeadershipConfirmer confirmer;
  private final PeerChannels peerChannels;

  public RaftGateway(
      RaftDivision raft,
      AeroStateMachine stateMachine,
      NodeConfig config,
      PeerDirectory peers,
      MetricRegistry metrics) {
    this.raft = raft;
    this.stateMachine = stateMachine;
    this.config = config;
    this.outcomes = new RaftOutcomes(config, peers);
    this.proposer = new Proposer(raft, stateMachine, config, outcomes);
    this.batcher = new WriteBatcher(proposer, config.writeTimeoutMs(), metrics);
    this.peerChannels = new PeerChannels(peers);
    // A voter that has not answered within one maximal election timeout counts as a "no": by then
    // a leader cut off from it would have stepped down anyway.
    this.confirmer =
        new LeadershipConfirmer(
            raft, config.nodeId(), peerChannels, config.electionTimeoutMaxMs(), metrics);
  }

  /**
   * Prepares and proposes {@code command} with the client's idempotency key ({@code requestId},
   * empty for none); completes with its result (a rejection is a result too), or exceptionally with
   * an AeroException that follows the outcome rules ({@link RaftOutcomes}).
   */
  public CompletableFuture<CommandResult> write(byte[] requestId, Command command) {
    if (!raft.isLeader()) {
      return CompletableFuture.failedFuture(notLeader());
    }
    if (!raft.isLeaderReady()) {
      return CompletableFuture.failedFuture(outcomes.leaderNotReady());
    }
    String key = requestId.length == 0 ? null : io.aerodb.core.util.Bytes.hex(requestId);
    if (key != null) {
      InFlight original = inFlight.get(key);
      if (original != null
          && java.util.Arrays.equals(original.command().fingerprint(), command.fingerprint())) {
        // A retry of a write this leader proposed and has not answered yet: the applied state
        // does not show the original, so prepare could refuse what is about to take effect (the
        // cluster simulation, seed 897). It gets the original's answer, as a deduplicated retry
        // does once the original applied.
        return original.result().thenApply(CommandResult::asDeduplicated);
      }
    }
    CompletableFuture<CommandResult> proposed = prepareAndPropose(requestId, command);
    if (key != null) {
      InFlight mine = new InFlight(command, proposed);
      if (inFlight.putIfAbsent(key, mine) == null) {
        proposed.whenComplete((r, t) -> inFlight.remove(key, mine));
      }
    }
    return proposed;
  }

  /** A write proposed by this leader and not answered yet, as the client sent it. */
  private record InFlight(Command command, CompletableFuture<CommandResult> result) {}

  /** Writes with a request_id this leader proposed (or queued) and has not answered, by id. */
  private final java.util.concurrent.ConcurrentHashMap<String, InFlight> inFlight =
      new java.util.concurrent.ConcurrentHashMap<>();

  private CompletableFuture<CommandResult> prepareAndPropose(byte[] requestId, Command command) {
    Prepared prepared;
    try {
      prepared = stateMachine.prepare(requestId, command);
    } catch (AeroException e) {
      return CompletableFuture.failedFuture(e); // rejected before anything was proposed
    }
    CompletableFuture<CommandResult> result;
    if (prepared.documentKey().isPresent()) {
      result = batcher.add(requestId, prepared);
    } else {
      byte[] entry =
          LogEntryCodec.encode(new Entry.Single(new Write(requestId, prepared.command())));
      result =
          proposer.propose(entry, 1, config.writeTimeoutMs()).thenApply(results -> results.get(0));
    }
    if (RedGate.ACK_BEFORE_COMMIT.on()) {
      // Red gate only (RedGate): "acknowledged" before the entry is committed, or even appended.
      return CompletableFuture.completedFuture(
          new CommandResult(raft.appliedIndex() + 1, null, true, false, 0));
    }
    return result;
  }

  /** AERO_NOT_LEADER with the leader this node knows, or AERO_NODE_NOT_READY while starting. */
  private AeroException notLeader() {
    if (raft.division().isEmpty()) {
      return outcomes.notReady(new IllegalStateException("the Raft server is not running"));
    }
    return outcomes.withLeaderHint(outcomes.notLeader(), raft.leaderId()).toException();
  }

  /**
   * Linearizable read [R-LIN]: Ratis' ReadIndex (on a follower, Ratis asks the leader for the read
   * index and waits until this node applied it) and, started at the same time, a round of {@link
   * LeadershipConfirmer} for the leader and term this node knows now. The answer leaves only when
   * both succeeded: Ratis alone may skip its leadership check (see LeadershipConfirmer). The read
   * runs at the applied index once ReadIndex is through (at least the read index).
   */
  public <T> CompletableFuture<T> readLinearizable(ViewRead<T> read) {
    if (RedGate.LOCAL_LINEARIZABLE_READS.on()) {
      // Red gate only (RedGate): local state, no ReadIndex, no confirmation [R-LIN broken].
      return readAtLeast(0, read);
    }
    Optional<LeadershipConfirmer.Claim> claim = confirmer.currentClaim();
    if (claim.isEmpty()) {
      return CompletableFuture.failedFuture(RaftOutcomes.noLeader().toException());
    }
    CompletableFuture<Void> confirmed = confirmer.confirm(claim.get());
    CompletableFuture<T> result = proposer.readIndex().thenCompose(ok -> stateMachine.read(read));
    return result.thenCombine(
        confirmed.exceptionally(
            t -> {
              throw new CompletionException(outcomes.readFailed(RaftOutcomes.unwrap(t)));
            }),
        (value, ok) -> value);
  }

  /**
   * A read on this node once it applied at least {@code minIndex}, waiting at most readTimeoutMs;
   * AERO_READ_INDEX_NOT_REACHED with both numbers otherwise.
   */
  public <T> CompletableFuture<T> readAtLeast(long minIndex, ViewRead<T> read) {
    return stateMachine
        .whenApplied(minIndex, config.readTimeoutMs())
        .handle(
            (applied, t) -> {
              if (t != null) {
                throw new CompletionException(
                    outcomes.indexNotReached(raft.appliedIndex(), minIndex));
              }
              return applied;
            })
        .thenCompose(applied -> stateMachine.read(read));
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
  public void close() {
    peerChannels.close();
  }
}
