package io.aerodb.node.api;

import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which thread runs each API call: the API executor for every call but the few memory-only ones,
 * which run on the transport (Netty event loop) thread that received them — one thread hand-off
 * less each. Today one: {@code PeerService/ConfirmLeader}, which a leader sends to every voter for
 * each round of linearizable reads [R-LIN]; its answer is this node's term and leader from Ratis'
 * in-memory view, and the Raft division it reads is loaded before the API server starts ({@code
 * AeroNode.start}; {@code RaftDivision}), so the lookup never waits.
 *
 * <p>For a listed method everything of the call runs on the event loop: request parsing, the
 * interceptors ({@code RequestGuard}, {@code RpcMetricsInterceptor}), the handler and its
 * callbacks. A method may be listed only if all of that holds short critical sections at most and
 * never waits for the disk, another call or a contended lock. For every method, gRPC's method
 * lookup and the cancellation of a call that ends with an error also run there (a {@code Context}
 * listener registered with {@code directExecutor} would too; AeroDB registers none).
 *
 * <p>The server's default executor has to be the transport thread for this to work: gRPC looks the
 * method up on the default executor and only then asks this supplier where the call goes on ({@code
 * io.grpc.internal.ServerImpl.streamCreatedInternal}), so a supplier over an executor-backed server
 * would still hop once — {@code TransportThreadCallsTest} fails for that wiring. {@link #wire} sets
 * both; call it last on the builder, since any later {@code executor(...)} would bring the hop
 * back.
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
