package io.aerodb.node.api;

import com.google.protobuf.ByteString;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.server.NodeContext;
import io.aerodb.node.server.RaftGateway;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.internal.v1.ReadResult;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.ReadReceipt;
import io.aerodb.proto.v1.WriteReply;
import io.aerodb.ratis.LogEntryCodec;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The shape every API call shares, asynchronous end to end (the request's size and unsigned fields
 * were checked by {@link RequestGuard}): hand a log entry or a read query to the {@link
 * RaftGateway}, and answer when its future completes (no thread waits per request). A rejection
 * travels as the structured AeroError.
 */
final class ApiCalls {
  private ApiCalls() {}

  /** Proposes {@code entry} (carrying the client's request_id) and answers with the write reply. */
  static void write(
      NodeContext node,
      ByteString requestId,
      LogEntry.Builder entry,
      StreamObserver<WriteReply> out) {
    entry.setFormat(LogEntryCodec.FORMAT).setRequestId(requestId);
    node.gateway()
        .write(entry.build())
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                out.onError(GrpcErrors.toStatus(t, node.nodeId()));
                return;
              }
              var rejection = RaftGateway.rejection(r);
              if (rejection.isPresent()) {
                out.onError(GrpcErrors.toStatus(rejection.get(), node.nodeId()));
                return;
              }
              out.onNext(
                  WriteReply.newBuilder()
                      .setCommitIndex(r.getCommitIndex())
                      .setExisted(r.getExisted())
                      .setDeduplicated(r.getDeduplicated())
                      .setSchemaVersion(r.getSchemaVersion())
                      .setNodeId(node.nodeId())
                      .build());
              out.onCompleted();
            });
  }

  /**
   * Serves {@code query} with the requested consistency (linearizable by default, like get) and
   * answers with {@code reply(result, receipt)}; a rejection in the result is answered as an error.
   */
  static <T> void read(
      NodeContext node,
      ReadQuery query,
      Consistency requested,
      long minIndex,
      StreamObserver<T> out,
      BiFunction<ReadResult, ReadReceipt, T> reply) {
    Consistency consistency =
        requested == Consistency.CONSISTENCY_UNSPECIFIED ? Consistency.LINEARIZABLE : requested;
    CompletableFuture<ReadResult> f;
    switch (consistency) {
      case LINEARIZABLE -> f = node.gateway().readLinearizable(query);
      case AT_LEAST_INDEX -> f = node.gateway().readAtLeast(query, minIndex);
      default -> {
        out.onError(
            GrpcErrors.toStatus(
                AeroError.of(ErrorCode.AERO_REQUEST_INVALID, "unknown consistency " + requested),
                node.nodeId()));
        return;
      }
    }
    f.whenComplete(
        (r, t) -> {
          if (t != null) {
            out.onError(GrpcErrors.toStatus(t, node.nodeId()));
            return;
          }
          if (r.hasRejection()) {
            out.onError(
                GrpcErrors.toStatus(
                    LogEntryCodec.decodeRejection(r.getRejection()), node.nodeId()));
            return;
          }
          T answer;
          try {
            answer =
                reply.apply(
                    r,
                    ReadReceipt.newBuilder()
                        .setIndex(r.getViewIndex())
                        .setNodeId(node.nodeId())
                        .setTerm(node.currentTerm())
                        .setConsistency(consistency)
                        .build());
          } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e, node.nodeId()));
            return;
          }
          out.onNext(answer);
          out.onCompleted();
        });
  }
}
