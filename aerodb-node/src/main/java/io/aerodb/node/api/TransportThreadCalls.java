package io.aerodb.node.api;

import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The API calls whose handlers run on the transport (Netty event loop) thread that received them
 * instead of being handed to the API executor: only handlers that read memory and answer, never
 * waiting for a lock, the disk or another call. Today one: {@code PeerService/ConfirmLeader}, which
 * a leader sends to every voter for each round of linearizable reads [R-LIN] — its answer is this
 * node's term and leader from Ratis' in-memory view (the Raft division it reads is loaded before
 * the API server starts, {@code AeroNode.start}, so the lookup never waits). One thread hand-off
 * less per voter and round: with the leader's peer channels answering on their transport thread
 * too, gets at 8 clients went from 3,242 to 3,608 ops/s and from 458 to 382 µs of CPU each
 * (docs/PERFORMANCE.md, sixth slice). Every other call goes to the API executor (null).
 */
public final class TransportThreadCalls implements ServerCallExecutorSupplier {
  private static final Set<String> METHODS =
      Set.of(PeerServiceGrpc.getConfirmLeaderMethod().getFullMethodName());
  private static final Executor TRANSPORT_THREAD = Runnable::run;

  @Override
  public <Q, A> Executor getExecutor(ServerCall<Q, A> call, Metadata headers) {
    return METHODS.contains(call.getMethodDescriptor().getFullMethodName())
        ? TRANSPORT_THREAD
        : null;
  }
}
