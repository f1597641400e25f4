package io.aerodb.node.api;

import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.raft.RaftGateway;
import io.aerodb.proto.v1.NodeStatusReply;

/** What the RPC services need from the running node. */
public interface NodeContext {
  String nodeId();

  NodeConfig config();

  RaftGateway gateway();

  /** The current Raft term as this node knows it. */
  long currentTerm();

  /** The watch streams this node serves. */
  WatchStreams watches();

  /** This node's status: a pure read of its state, never a change [P4-1]. */
  NodeStatusReply status();
}
