package io.aerodb.node.api;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.node.events.ClusterEvent;
import io.aerodb.node.promotion.Decision;
import io.aerodb.node.promotion.MembershipCoordinator;
import io.aerodb.node.promotion.TransferState;
import io.aerodb.proto.v1.AddLearnerRequest;
import io.aerodb.proto.v1.AdminServiceGrpc;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.EventsRequest;
import io.aerodb.proto.v1.ExplainTransferReply;
import io.aerodb.proto.v1.ExplainTransferRequest;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.PromoteRequest;
import io.aerodb.proto.v1.RemoveRequest;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.aerodb.proto.v1.TransferLeaderRequest;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The operator API: transfer, explain, events, membership. A denial is an AeroError naming the
 * reason, the invariant and the numbers (details: requestId, reason, summary, decision); NOT_LEADER
 * denials carry the leader's address. Explain and events never change state [P4-1].
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private static final Map<String, ErrorCode> TRANSFER_CODES =
      Map.of(
          "TRANSFER_IN_PROGRESS", ErrorCode.AERO_TRANSFER_IN_PROGRESS,
          "MEMBERSHIP_CHANGE_IN_PROGRESS", ErrorCode.AERO_TRANSFER_MEMBERSHIP_CHANGE_IN_PROGRESS,
          "TARGET_UNKNOWN", ErrorCode.AERO_TRANSFER_TARGET_UNKNOWN,
          "TARGET_IS_SELF", ErrorCode.AERO_TRANSFER_TARGET_IS_SELF,
          "TARGET_IS_LEARNER", ErrorCode.AERO_TRANSFER_TARGET_IS_LEARNER,
          "NO_QUORUM", ErrorCode.AERO_TRANSFER_NO_QUORUM,
          "TARGET_UNHEALTHY", ErrorCode.AERO_TRANSFER_TARGET_UNHEALTHY,
          "TARGET_INSTALLING_SNAPSHOT", ErrorCode.AERO_TRANSFER_TARGET_INSTALLING_SNAPSHOT,
          "TARGET_LAGGING", ErrorCode.AERO_TRANSFER_TARGET_LAGGING);

  /** Longest transfer a request may ask for (0 asks for the default, 5 s). */
  static final long TRANSFER_TIMEOUT_MS_MAX = 120_000;

  /** Most events (and authority records) one Events call returns (0 asks for 200). */
  static final int EVENTS_LIMIT_MAX = 1_000;

  private final AdminContext node;

  public AdminServiceImpl(AdminContext node) {
    this.node = node;
  }

  @Override
  public void transferLeader(TransferLeaderRequest req, StreamObserver<TransferLeaderReply> out) {
    if (req.getTimeoutMs() > TRANSFER_TIMEOUT_MS_MAX) {
      out.onError(
          GrpcErrors.toStatus(
              RequestGuard.aboveBound("timeout_ms", TRANSFER_TIMEOUT_MS_MAX, req.getTimeoutMs()),
              node.nodeId()));
      return;
    }
    String requestId = req.getRequestId().isEmpty() ? newRequestId() : req.getRequestId();
    long timeoutMs = req.getTimeoutMs() == 0 ? 5_000 : req.getTimeoutMs();
    reply(
        node.transfers().request(req.getTarget(), req.getDryRun(), timeoutMs, requestId),
        out,
        o -> {
          if (o.state() == TransferState.DENIED) {
            throw denied(o.decision(), requestId, TRANSFER_CODES.get(o.decision().reason()))
                .toException();
          }
          if (o.state() == TransferState.FAILED) {
            throw AeroError.of(
                    ErrorCode.AERO_TRANSFER_FAILED,
                    "transfer "
                        + requestId
                        + " to "
                        + req.getTarget()
                        + " failed: "
                        + o.failure()
                        + " (not retried)",
                    "requestId",
                    requestId,
                    "target",
                    req.getTarget(),
                    "termBefore",
                    Long.toString(o.termBefore()),
                    "termAfter",
                    Long.toString(o.termAfter()),
                    "durationMs",
                    Long.toString(o.durationMs()),
                    "cause",
                    o.failure())
                .toException();
          }
          return TransferLeaderReply.newBuilder()
              .setRequestId(requestId)
              .setOutcome(o.state().name())
              .setDecisionJson(o.decision().explanation())
              .setTermBefore(o.termBefore())
              .setTermAfter(o.termAfter())
              .setNewLeader(o.newLeader())
              .setDurationMs(o.durationMs())
              .setNodeId(node.nodeId())
              .build();
        });
  }

  @Override
  public void explainTransfer(
      ExplainTransferRequest req, StreamObserver<ExplainTransferReply> out) {
    try {
      Decision d = node.transfers().explain(req.getTarget());
      var status = node.status();
      out.onNext(
          ExplainTransferReply.newBuilder()
              .setApproved(d.approved())
              .setSummary(d.summary())
              .setDecisionJson(d.explanation())
              .setNodeId(node.nodeId())
              .setTerm(status.getTerm())
              .setCommitIndex(status.getCommitIndex())
              .build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
    }
  }

  @Override
  public void backup(
      io.aerodb.proto.v1.BackupRequest req, StreamObserver<io.aerodb.proto.v1.BackupPart> out) {
    node.storeSender().backup(req, out, e -> GrpcErrors.toStatus(e, node.nodeId()));
  }

  @Override
  public void takeSnapshot(
      io.aerodb.proto.v1.TakeSnapshotRequest req,
      StreamObserver<io.aerodb.proto.v1.TakeSnapshotReply> out) {
    node.takeSnapshot()
        .whenComplete(
            (index, t) -> {
              if (t != null) {
                Throwable cause =
                    t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
                out.onError(
                    GrpcErrors.toStatus(
                        new io.aerodb.core.error.AeroException(
                            io.aerodb.core.error.AeroError.of(
                                ErrorCode.AERO_SNAPSHOT_FAILED,
                                "snapshot on " + node.nodeId() + " failed: " + cause.getMessage())),
                        node.nodeId()));
                return;
              }
              var s = node.status();
              out.onNext(
                  io.aerodb.proto.v1.TakeSnapshotReply.newBuilder()
                      .setNodeId(node.nodeId())
                      .setSnapshotIndex(index)
                      .setAppliedIndex(s.getAppliedIndex())
                      .setLogStartIndex(s.getLogStartIndex())
                      .setLogBytes(s.getLogBytes())
                      .build());
              out.onCompleted();
            });
  }

  @Override
  public void setGcFloor(
      io.aerodb.proto.v1.SetGcFloorRequest req,
      StreamObserver<io.aerodb.proto.v1.SetGcFloorReply> out) {
    // RequestGuard refused a floor of 2^63 or more (read as negative) before this runs
    node.setGcFloor(req.getFloor())
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                out.onError(GrpcErrors.toStatus(t, node.nodeId()));
              } else if (r.rejection() != null) {
                out.onError(
                    GrpcErrors.toStatus(
                        new io.aerodb.core.error.AeroException(r.rejection()), node.nodeId()));
              } else {
                out.onNext(
                    io.aerodb.proto.v1.SetGcFloorReply.newBuilder()
                        .setFloor(req.getFloor())
                        .setCommitIndex(r.commitIndex())
                        .setNodeId(node.nodeId())
                        .build());
                out.onCompleted();
              }
            });
  }

  @Override
  public void setIdempotencyHorizon(
      io.aerodb.proto.v1.SetIdempotencyHorizonRequest req,
      StreamObserver<io.aerodb.proto.v1.SetIdempotencyHorizonReply> out) {
    node.setIdempotencyHorizon(req.getEntries())
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                out.onError(GrpcErrors.toStatus(t, node.nodeId()));
              } else if (r.rejection() != null) {
                out.onError(GrpcErrors.toStatus(r.rejection(), node.nodeId()));
              } else {
                out.onNext(
                    io.aerodb.proto.v1.SetIdempotencyHorizonReply.newBuilder()
                        .setEntries(req.getEntries())
                        .setCommitIndex(r.commitIndex())
                        .setNodeId(node.nodeId())
                        .build());
                out.onCompleted();
              }
            });
  }

  @Override
  public void events(EventsRequest req, StreamObserver<EventsReply> out) {
    if (req.getLimit() > EVENTS_LIMIT_MAX) {
      out.onError(
          GrpcErrors.toStatus(
              RequestGuard.aboveBound("limit", EVENTS_LIMIT_MAX, req.getLimit()), node.nodeId()));
      return;
    }
    try {
      int limit = req.getLimit() == 0 ? 200 : req.getLimit();
      EventsReply.Builder b = EventsReply.newBuilder().setNodeId(node.nodeId());
      long last = req.getSinceId();
      for (ClusterEvent e : node.events().since(req.getSinceId(), limit)) {
        b.addEventsJson(e.toJsonText());
        last = e.id();
      }
      for (AuthorityRecord r : node.authorityHistory(req.getHistoryAfterIndex(), limit)) {
        b.addHistoryJson(CanonicalJson.toText(r.toJson()));
      }
      out.onNext(b.setLastEventId(last).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
    }
  }

  @Override
  public void addLearner(AddLearnerRequest req, StreamObserver<MembershipReply> out) {
    String id = req.getRequestId().isEmpty() ? newRequestId() : req.getRequestId();
    membership(
        node.membership().addLearner(req.getNodeId(), req.getApiAddress(), req.getDryRun(), id),
        out);
  }

  @Override
  public void promote(PromoteRequest req, StreamObserver<MembershipReply> out) {
    String id = req.getRequestId().isEmpty() ? newRequestId() : req.getRequestId();
    membership(node.membership().promote(req.getNodeId(), req.getDryRun(), id), out);
  }

  @Override
  public void remove(RemoveRequest req, StreamObserver<MembershipReply> out) {
    String id = req.getRequestId().isEmpty() ? newRequestId() : req.getRequestId();
    membership(node.membership().remove(req.getNodeId(), req.getDryRun(), id), out);
  }

  private void membership(
      CompletableFuture<MembershipCoordinator.Outcome> f, StreamObserver<MembershipReply> out) {
    reply(
        f,
        out,
        o -> {
          if (o.state().equals("DENIED")) {
            throw denied(o.decision(), o.requestId(), ErrorCode.AERO_MEMBERSHIP_REFUSED)
                .toException();
          }
          if (o.state().equals("FAILED")) {
            throw AeroError.of(
                    ErrorCode.AERO_MEMBERSHIP_FAILED,
                    o.decision().action() + " " + o.decision().target() + " failed: " + o.failure(),
                    "requestId",
                    o.requestId(),
                    "cause",
                    o.failure())
                .toException();
          }
          return MembershipReply.newBuilder()
              .setRequestId(o.requestId())
              .setOutcome(o.state())
              .setDecisionJson(o.decision().explanation())
              .addAllVoters(o.voters())
              .addAllLearners(o.learners())
              .setCommitIndex(o.commitIndex())
              .setNodeId(node.nodeId())
              .build();
        });
  }

  /**
   * A denial as an error: NOT_LEADER with the leader's address, else the reason's code with the
   * evidence.
   */
  private AeroError denied(Decision d, String requestId, ErrorCode code) {
    if (d.reason().equals("NOT_LEADER")) {
      var status = node.status();
      AeroError e =
          AeroError.of(
              ErrorCode.AERO_NOT_LEADER,
              d.summary(),
              "requestId",
              requestId,
              "decision",
              d.explanation());
      if (!status.getLeaderId().isEmpty() && !status.getLeaderAddress().isEmpty()) {
        e =
            e.withDetail("leaderId", status.getLeaderId())
                .withDetail("leaderAddress", status.getLeaderAddress());
      }
      return e;
    }
    return AeroError.of(
        code == null ? ErrorCode.AERO_MEMBERSHIP_REFUSED : code,
        d.summary(),
        "requestId",
        requestId,
        "reason",
        d.reason(),
        "checkInvariant",
        d.invariant(),
        "decision",
        d.explanation());
  }

  private interface Reply<T, R> {
    R build(T outcome);
  }

  private <T, R> void reply(CompletableFuture<T> f, StreamObserver<R> out, Reply<T, R> build) {
    f.whenComplete(
        (o, t) -> {
          if (t != null) {
            out.onError(GrpcErrors.toStatus(t, node.nodeId()));
            return;
          }
          R r;
          try {
            r = build.build(o);
          } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e, node.nodeId()));
            return;
          }
          out.onNext(r);
          out.onCompleted();
        });
  }

  private static String newRequestId() {
    return "req-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
