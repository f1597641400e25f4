package io.aerodb.node.api;

import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which thread runs each API call's handler: the API executor for every call but the few
 * memory-only ones, which run on the transport (Netty event loop) thread that received them — one
 * thread hand-off less each. Today one: {@code PeerService/ConfirmLeader}, which a leader sends to
 * every voter for each round of linearizable reads [R-LIN]; its answer is this node's term and
 * leader from Ratis' in-memory view, and the Raft division it reads is loaded before the API server
 * starts ({@code AeroNode.start}), so the lookup never waits. A handler listed here must never wait
 * for a lock, the disk or another call.
 *
 * <p>The server's default executor has to be the transport thread for this to work: gRPC looks the
 * method up on the default executor and only then asks this supplier where the call goes on, so a
 * supplier over an executor-backed server would still hop once (measured, docs/PERFORMANCE.md,
 * sixth slice).
 */
public final class TransportThreadCalls implements ServerCallExecutorSupplier {
  private static final Set<String> ON_TRANSPORT_THREAD =
      Set.of(PeerServiceGrpc.getConfirmLeaderMethod().getFullMethodName());

  private final Executor api;

  private TransportThreadCalls(Executor api) {
    this.api = api;
  }

  /** Wires {@code server}: the listed calls on the transport thread, every other on {@code api}. */
  public static NettyServerBuilder wire(NettyServerBuilder server, Executor api) {
    return server.directExecutor().callExecutor(new TransportThreadCalls(api));
  }

  /** {@code null} keeps the call on the transport thread (the server's default executor). */
  @Override
  public <Q, A> Executor getExecutor(ServerCall<Q, A> call, Metadata headers) {
    return ON_TRANSPORT_THREAD.contains(call.getMethodDescriptor().getFullMethodName())
        ? null
        : api;
  }
}
