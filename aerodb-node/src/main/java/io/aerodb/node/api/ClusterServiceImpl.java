package io.aerodb.node.api;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.node.observe.ObservableNode;
import io.aerodb.node.observe.RecoveryReport;
import io.aerodb.node.observe.StatusJson;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.MemberView;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.ClusterViewReply;
import io.aerodb.proto.v1.ClusterViewRequest;
import io.aerodb.proto.v1.FollowerProgress;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.NodeStatusRequest;
import io.aerodb.proto.v1.RecoveryReply;
import io.aerodb.proto.v1.RecoveryRequest;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Read-only cluster introspection [P4-1]: this node's status, the leader's view of its followers,
 * and what the node recovered at start. Each answer states the term, commit and applied index it
 * describes [P4-2].
 */
public final class ClusterServiceImpl extends ClusterServiceGrpc.ClusterServiceImplBase {
  private final ObservableNode node;

  public ClusterServiceImpl(ObservableNode node) {
    this.node = node;
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusReply> out) {
    answer(out, node::status);
  }

  @Override
  public void clusterView(ClusterViewRequest request, StreamObserver<ClusterViewReply> out) {
    answer(
        out,
        () -> {
          NodeStatusReply s = node.status();
          Optional<ClusterView> view = node.leaderView();
          ClusterViewReply.Builder b =
              ClusterViewReply.newBuilder()
                  .setNodeId(s.getNodeId())
                  .setTerm(s.getTerm())
                  .setCommitIndex(s.getCommitIndex())
                  .setAppliedIndex(s.getAppliedIndex())
                  .setLeader(view.isPresent())
                  .setLeaderId(s.getLeaderId())
                  .setLeaderAddress(s.getLeaderAddress())
                  .setJson(CanonicalJson.toText(StatusJson.cluster(s, view)));
          view.ifPresent(
              v -> {
                for (MemberView m : v.members().values()) {
                  if (!m.id().equals(v.selfId())) {
                    b.addFollowers(
                        FollowerProgress.newBuilder()
                            .setId(m.id())
                            .setRole(m.voter() ? "VOTER" : "LEARNER")
                            .setMatchIndex(m.matchIndex())
                            .setLagEntries(Math.max(0, v.commitIndex() - m.matchIndex()))
                            .setLastResponseMs(
                                m.lastResponseMs() == MemberView.NEVER_ANSWERED
                                    ? -1
                                    : m.lastResponseMs()));
                  }
                }
              });
          return b.build();
        });
  }

  @Override
  public void recovery(RecoveryRequest request, StreamObserver<RecoveryReply> out) {
    answer(
        out,
        () -> {
          NodeStatusReply s = node.status();
          RecoveryReport r = node.recovery();
          var json = StatusJson.recovery(s, r);
          return RecoveryReply.newBuilder()
              .setNodeId(s.getNodeId())
              .setCommitIndex(s.getCommitIndex())
              .setStoreAppliedIndex(r.storeAppliedIndex())
              .setStoreAppliedTerm(r.storeAppliedTerm())
              .setLogStartIndex(r.logStartIndex())
              .setLogLastIndex(r.logLastIndex())
              .setFirstReplayedIndex(r.firstReplayedIndex())
              .setLastAppliedIndex(r.lastAppliedIndex())
              .setEntriesApplied(r.entriesApplied())
              .setExplanation(((io.aerodb.core.json.JsonValue.Str) json.get("explanation")).value())
              .setJson(CanonicalJson.toText(json))
              .build();
        });
  }

  @Override
  public void stateDigest(
      io.aerodb.proto.v1.StateDigestRequest request,
      StreamObserver<io.aerodb.proto.v1.StateDigestReply> out) {
    answer(
        out,
        () -> {
          ObservableNode.DigestAt d = node.stateDigestAt(request.getIndex());
          long index = request.getIndex();
          if (index > d.appliedIndex()) {
            throw io.aerodb.core.error.AeroError.of(
                    io.aerodb.core.error.ErrorCode.AERO_READ_INDEX_NOT_REACHED,
                    node.nodeId() + " applied only " + d.appliedIndex() + ", not " + index,
                    "index",
                    Long.toString(index),
                    "appliedIndex",
                    Long.toString(d.appliedIndex()))
                .toException();
          }
          if (index < d.gcFloor()) {
            throw io.aerodb.core.error.AeroError.of(
                    io.aerodb.core.error.ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD,
                    "index " + index + " is below the garbage-collection floor " + d.gcFloor(),
                    "index",
                    Long.toString(index),
                    "gcFloor",
                    Long.toString(d.gcFloor()))
                .toException();
          }
          if (d.digest().isEmpty()) {
            throw io.aerodb.core.error.AeroError.of(
                    io.aerodb.core.error.ErrorCode.AERO_STATE_DIGEST_UNKNOWN,
                    node.nodeId() + " keeps no state digest for index " + index,
                    "index",
                    Long.toString(index))
                .toException();
          }
          return io.aerodb.proto.v1.StateDigestReply.newBuilder()
              .setNodeId(node.nodeId())
              .setIndex(index)
              .setStateDigest(io.aerodb.core.util.Bytes.hex(d.digest().get()))
              .setAppliedIndex(d.appliedIndex())
              .setGcFloor(d.gcFloor())
              .build();
        });
  }

  private <T> void answer(StreamObserver<T> out, Supplier<T> build) {
    T reply;
    try {
      reply = build.get();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }
}
