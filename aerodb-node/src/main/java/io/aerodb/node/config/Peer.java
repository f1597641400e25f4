package io.aerodb.node.config;

/**
 * A voting member as the config names it.
 *
 * @param id node id
 * @param host address both its ports listen on
 * @param raftPort Raft (peer-to-peer) gRPC port
 * @param apiPort client API gRPC port
 */
public record Peer(String id, String host, int raftPort, int apiPort) {
  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String apiAddress() {
    return host + ":" + apiPort;
  }
}
