package io.aerodb.node.api;

import io.aerodb.proto.peer.v1.ConfirmLeaderReply;
import io.aerodb.proto.peer.v1.ConfirmLeaderRequest;
import io.aerodb.proto.peer.v1.FetchStoreRequest;
import io.aerodb.proto.peer.v1.HandoverReply;
import io.aerodb.proto.peer.v1.HandoverRequest;
import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.aerodb.proto.peer.v1.StorePart;
import io.grpc.stub.StreamObserver;

/**
 * Node-to-node calls that are not Raft's. Read-only: a peer asks whether this node follows a given
 * leader in a given term, to confirm a linearizable read [R-LIN]; a new leader asks whether this
 * process handed leadership over for a transfer request [P6-D2]; a follower behind the purged log
 * fetches this node's store (docs/adr/0007).
 */
public final class PeerServiceImpl extends PeerServiceGrpc.PeerServiceImplBase {
  private final AdminContext node;

  public PeerServiceImpl(AdminContext node) {
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

  @Override
  public void fetchStore(FetchStoreRequest request, StreamObserver<StorePart> out) {
    node.storeSender().send(request, out, e -> GrpcErrors.toStatus(e, node.nodeId()));
  }

  @Override
  public void handover(HandoverRequest request, StreamObserver<HandoverReply> out) {
    out.onNext(
        HandoverReply.newBuilder()
            .setNodeId(node.nodeId())
            .setHandedOver(node.transfers().handedOver(request.getRequestId()))
            .build());
    out.onCompleted();
  }
}
