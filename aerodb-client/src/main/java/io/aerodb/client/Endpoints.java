package io.aerodb.client;

import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.NodeStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The API endpoints a client knows, the leader it remembers, and one gRPC channel per endpoint. The
 * list only grows: the configured endpoints, then every leader address a node named and every
 * member a node reported. Thread-safe.
 */
final class Endpoints implements AutoCloseable {
  static final Duration LEADER_LOOKUP_TIMEOUT = Duration.ofSeconds(1);
  static final Duration MEMBER_REFRESH_TIMEOUT = Duration.ofMillis(500);
  static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

  private final List<String> endpoints = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private volatile String leader;
  private int next;

  /**
   * @throws IllegalArgumentException if {@code configured} is empty
   */
  Endpoints(List<String> configured) {
    if (configured.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint host:port");
    }
    endpoints.addAll(configured);
  }

  /** The configured endpoints, plus any address learned since. */
  synchronized List<String> list() {
    return List.copyOf(endpoints);
  }

  /** The remembered leader, or else the next endpoint in turn. */
  String leaderOrNext() {
    String l = leader;
    return l != null ? l : next();
  }

  void rememberLeader(String endpoint) {
    leader = endpoint;
  }

  void forgetLeader() {
    leader = null;
  }

  /**
   * The leader a node named ({@link AeroClientException#leaderAddress()}): remembered, and added to
   * the list if new. When the node named none, the next endpoint in turn.
   */
  String follow(String leaderAddress) {
    if (leaderAddress.isEmpty()) {
      return next();
    }
    synchronized (this) {
      if (!endpoints.contains(leaderAddress)) {
        endpoints.add(leaderAddress);
      }
    }
    leader = leaderAddress;
    return leaderAddress;
  }

  /** The endpoints in turn (round robin over the list as it is at each call). */
  synchronized String next() {
    String e = endpoints.get(next % endpoints.size());
    next++;
    return e;
  }

  /**
   * The next endpoint after failed attempt {@code attempt} of a call; after each full round of
   * failures the members are refreshed first ({@link #refreshMembers}), so the client follows
   * membership changes without a restart.
   */
  String nextAfterFailure(int attempt) {
    if ((attempt + 1) % Math.max(1, list().size()) == 0) {
      refreshMembers();
    }
    return next();
  }

  /**
   * Adds the API address of every current member, as the first endpoint that answers reports them;
   * does nothing if none answers.
   */
  void refreshMembers() {
    for (String e : list()) {
      try {
        NodeStatusReply s = nodeStatus(e, MEMBER_REFRESH_TIMEOUT);
        synchronized (this) {
          for (var m : s.getMembersList()) {
            if (!m.getApiAddress().isEmpty() && !endpoints.contains(m.getApiAddress())) {
              endpoints.add(m.getApiAddress());
            }
          }
        }
        return;
      } catch (AeroClientException ignored) {
        // try the next one
      }
    }
  }

  /**
   * The remembered leader, or else the leader address the first endpoint that knows one reports.
   *
   * @throws AeroClientException the last endpoint's error if none answered, else
   *     AERO_CLUSTER_UNAVAILABLE when no node knows a leader
   */
  String leaderEndpoint() {
    String l = leader;
    if (l != null) {
      return l; // an AERO_NOT_LEADER answer from it is followed anyway
    }
    AeroClientException last = null;
    for (String e : list()) {
      try {
        NodeStatusReply s = nodeStatus(e, LEADER_LOOKUP_TIMEOUT);
        if (!s.getLeaderAddress().isEmpty()) {
          return s.getLeaderAddress();
        }
      } catch (AeroClientException ex) {
        last = ex;
      }
    }
    throw last != null
        ? last
        : ClientErrors.of(ClientErrors.CLUSTER_UNAVAILABLE, "no node knows a leader right now");
  }

  /** One node's own status; one attempt. */
  NodeStatusReply nodeStatus(String endpoint, Duration timeout) {
    try {
      return ClusterServiceGrpc.newBlockingStub(channel(endpoint))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  /** The channel to {@code endpoint}, opened on first use and kept until {@link #close()}. */
  synchronized ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(
        endpoint,
        t ->
            NettyChannelBuilder.forTarget(t)
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build());
  }

  /** Shuts every channel down, waiting up to 2 s for each. */
  @Override
  public synchronized void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
