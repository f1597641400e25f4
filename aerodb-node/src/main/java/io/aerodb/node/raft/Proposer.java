package io.aerodb.node.raft;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.error.AeroError;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.CommandRejectedException;
import io.aerodb.ratis.LogEntryCodec;
import io.aerodb.ratis.ShadedBytes;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * Submits this node's requests to its own Raft server in-process (no extra hop, no thread per
 * request: everything is a future) under the node's one client id, and turns Raft's answers into
 * AeroDB results or errors ({@link RaftOutcomes}). Two kinds: a log entry (its bytes, encoded once
 * by the gateway) and a read barrier (ReadIndex). Thread-safe.
 */
final class Proposer {
  private final RaftDivision raft;
  private final AeroStateMachine stateMachine;
  private final NodeConfig config;
  private final RaftOutcomes outcomes;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  Proposer(
      RaftDivision raft, AeroStateMachine stateMachine, NodeConfig config, RaftOutcomes outcomes) {
    this.raft = raft;
    this.stateMachine = stateMachine;
    this.config = config;
    this.outcomes = outcomes;
    stateMachine.setLocalClientId(clientId);
  }

  /**
   * Proposes one log entry of {@code writes} writes; completes with one result per write, or
   * exceptionally with an AeroException that follows the outcome rules.
   */
  CompletableFuture<List<CommandResult>> propose(byte[] entry, int writes, long timeoutMs) {
    long callId = callIds.incrementAndGet();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply =
          raft.server()
              .submitClientRequestAsync(
                  request(callId, entry, RaftClientRequest.writeRequestType()));
    } catch (IOException e) {
      stateMachine.forgetStarted(callId);
      return CompletableFuture.failedFuture(outcomes.notReady(e));
    }
    return reply
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (r, t) -> {
              boolean started = stateMachine.forgetStarted(callId);
              if (t != null) {
                throw new CompletionException(
                    outcomes.unknownOrFailed(started, RaftOutcomes.unwrap(t)));
              }
              return results(r, started, writes);
            });
  }

  private List<CommandResult> results(RaftClientReply r, boolean started, int writes) {
    if (r.isSuccess()) {
      return LogEntryCodec.decodeResults(
          r.getMessage().getContent().asReadOnlyByteBuffer(), writes);
    }
    NotLeaderException nle = r.getNotLeaderException();
    if (nle != null) {
      AeroError e = started ? outcomes.lostWhilePending() : outcomes.notLeader();
      throw new CompletionException(outcomes.withLeaderHint(e, leaderIdOf(nle)).toException());
    }
    StateMachineException sme = r.getStateMachineException();
    if (sme != null && sme.getCause() instanceof CommandRejectedException rejected) {
      throw new CompletionException(rejected.error().toException());
    }
    throw new CompletionException(outcomes.unknownOrFailed(started, r.getException()));
  }

  /**
   * Ratis' ReadIndex: completes once this node has applied an index at least the leader's commit
   * index at some moment after the call (on a follower Ratis asks the leader for it), or
   * exceptionally (no leader, time out). The read itself happens afterwards, on the node's state.
   */
  CompletableFuture<Void> readIndex() {
    CompletableFuture<RaftClientReply> reply;
    try {
      reply =
          raft.server()
              .submitClientRequestAsync(
                  request(
                      callIds.incrementAndGet(), new byte[0], RaftClientRequest.readRequestType()));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(outcomes.notReady(e));
    }
    return reply
        .orTimeout(config.readTimeoutMs(), TimeUnit.MILLISECONDS)
        .handle(
            (r, t) -> {
              if (t != null) {
                throw new CompletionException(outcomes.readFailed(RaftOutcomes.unwrap(t)));
              }
              if (!r.isSuccess()) {
                NotLeaderException nle = r.getNotLeaderException();
                if (nle != null) {
                  throw new CompletionException(
                      outcomes
                          .withLeaderHint(RaftOutcomes.noLeader(), leaderIdOf(nle))
                          .toException());
                }
                throw new CompletionException(outcomes.readFailed(r.getException()));
              }
              return null;
            });
  }

  private static String leaderIdOf(NotLeaderException nle) {
    return nle.getSuggestedLeader() == null ? "" : nle.getSuggestedLeader().getId().toString();
  }

  private RaftClientRequest request(long callId, byte[] payload, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(raft.server().getId())
        .setGroupId(raft.groupId())
        .setCallId(callId)
        .setMessage(Message.valueOf(ShadedBytes.wrap(payload)))
        .setType(type)
        .build();
  }
}
