package io.aerodb.node.api;

import io.aerodb.node.server.NodeContext;
import io.aerodb.proto.internal.v1.ConfirmLeaderReply;
import io.aerodb.proto.internal.v1.ConfirmLeaderRequest;
import io.aerodb.proto.internal.v1.PeerServiceGrpc;
import io.grpc.stub.StreamObserver;

/**
 * Node-to-node calls that are not Raft's: a peer asks whether this node follows a given leader in a
 * given term, to confirm a linearizable read [R-LIN]. Read-only: the answer is this node's own Raft
 * term and leader, now.
 */
public final class PeerServiceImpl extends PeerServiceGrpc.PeerServiceImplBase {
  private final NodeContext node;

  public PeerServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void confirmLeader(ConfirmLeaderRequest request, StreamObserver<ConfirmLeaderReply> out) {
    try {
      out.onNext(node.gateway().confirmLeader(request));
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
    }
  }
}
