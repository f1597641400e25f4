package io.aerodb.node.raft;

import io.aerodb.core.authority.PeerAddress;
import io.aerodb.core.engine.Engine;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.config.Peer;
import java.util.Optional;

/**
 * Addresses of members: the replicated peer directory (membership records in the authority history)
 * first, then the node config's peers (the initial members). This is how a node names the leader's
 * API address in AERO_NOT_LEADER, also for members added after it started.
 */
public final class PeerDirectory {
  private final NodeConfig config;
  private final Engine engine;

  public PeerDirectory(NodeConfig config, Engine engine) {
    this.config = config;
    this.engine = engine;
  }

  public Optional<String> apiAddress(String nodeId) {
    PeerAddress p = engine.authority().directory().get(nodeId);
    if (p != null && !p.apiAddress().isEmpty()) {
      return Optional.of(p.apiAddress());
    }
    return config.peer(nodeId).map(Peer::apiAddress);
  }

  public Optional<String> raftAddress(String nodeId) {
    PeerAddress p = engine.authority().directory().get(nodeId);
    if (p != null && !p.raftAddress().isEmpty()) {
      return Optional.of(p.raftAddress());
    }
    return config.peer(nodeId).map(Peer::raftAddress);
  }
}
