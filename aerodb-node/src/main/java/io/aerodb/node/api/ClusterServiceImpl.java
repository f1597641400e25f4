package io.aerodb.node.api;

import io.aerodb.node.server.NodeContext;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.NodeStatusRequest;
import io.grpc.stub.StreamObserver;

/** Read-only cluster introspection: nothing here changes state [P4-1]. */
public final class ClusterServiceImpl extends ClusterServiceGrpc.ClusterServiceImplBase {
  private final NodeContext node;

  public ClusterServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusReply> out) {
    try {
      out.onNext(node.status());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
    }
  }
}
