package io.aerodb.node.raft;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * gRPC channels to the other members' API ports, for the node-to-node calls that are not Raft's
 * ({@code PeerService}): one channel per address, created on first use, closed with the node.
 *
 * <p>Answers are delivered on the channel's transport thread (no hand-off to an executor): the
 * callers' callbacks must not block. They are the leadership confirmer's {@code record}, and what
 * completing a round runs — each confirmed read's reply, whose read already ran after its read
 * index (RaftGateway.readLinearizable), so only its proto is built and serialized there (CPU, not
 * waiting; a large query reply takes that thread for as long) — and the blocking stub of the
 * handover question, which waits on its own caller's thread. One hand-off less per voter and round:
 * gets at 8 clients 3,242 -> 3,608 ops/s, 458 -> 382 us of CPU each (docs/PERFORMANCE.md).
 */
final class PeerChannels implements AutoCloseable {
  private final PeerDirectory peers;
  private final Map<String, ManagedChannel> channels = new TreeMap<>(); // by API address; guarded

  PeerChannels(PeerDirectory peers) {
    this.peers = peers;
  }

  /** A channel to {@code nodeId}'s API port; empty when its address is unknown. */
  synchronized Optional<ManagedChannel> to(String nodeId) {
    return peers
        .apiAddress(nodeId)
        .map(
            a ->
                channels.computeIfAbsent(
                    a,
                    x -> NettyChannelBuilder.forTarget(x).usePlaintext().directExecutor().build()));
  }

  @Override
  public void close() {
    List<ManagedChannel> all;
    synchronized (this) {
      all = new ArrayList<>(channels.values());
      channels.clear();
    }
    for (ManagedChannel c : all) {
      c.shutdownNow();
    }
  }
}
