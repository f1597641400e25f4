package io.aerodb.node.api;

import com.google.protobuf.ByteString;
import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.engine.ViewRead;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.OperationResult;
import io.aerodb.proto.v1.ReadReceipt;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shape every API call shares, asynchronous end to end (the request's size and unsigned fields
 * were checked by {@link RequestGuard}): hand a command or a typed read to the {@link
 * io.aerodb.node.raft.RaftGateway}, and answer when its future completes (no thread waits per
 * request). A rejection travels as the structured AeroError.
 */
final class ApiCalls {
  private ApiCalls() {}

  /** Proposes {@code command} with the client's request_id and answers with the write reply. */
  static void write(
      NodeContext node, ByteString requestId, Command command, StreamObserver<WriteReply> out) {
    write(node, requestId, () -> command, out);
  }

  /**
   * As {@link #write(NodeContext, ByteString, Command, StreamObserver)}, for a command built from
   * the request here: a request that cannot become one (an AeroException) is answered as that
   * error, and nothing is proposed.
   */
  static void write(
      NodeContext node,
      ByteString requestId,
      Supplier<? extends Command> command,
      StreamObserver<WriteReply> out) {
    submit(
        node,
        requestId,
        command,
        out,
        r ->
            WriteReply.newBuilder()
                .setCommitIndex(r.commitIndex())
                .setExisted(r.existed())
                .setDeduplicated(r.deduplicated())
                .setSchemaVersion(r.schemaVersion())
                .setNodeId(node.nodeId())
                .build());
  }

  /** Proposes an atomic batch [TX1] and answers with one result per operation. */
  static void batch(
      NodeContext node,
      ByteString requestId,
      Supplier<AtomicBatch> batch,
      StreamObserver<BatchReply> out) {
    submit(
        node,
        requestId,
        batch,
        out,
        r -> {
          BatchReply.Builder b =
              BatchReply.newBuilder()
                  .setCommitIndex(r.commitIndex())
                  .setDeduplicated(r.deduplicated())
                  .setNodeId(node.nodeId());
          for (CommandResult.Operation op : r.operations()) {
            b.addResults(
                OperationResult.newBuilder()
                    .setExisted(op.existed())
                    .setSchemaVersion(op.schemaVersion()));
          }
          return b.build();
        });
  }

  private static <T> void submit(
      NodeContext node,
      ByteString requestId,
      Supplier<? extends Command> build,
      StreamObserver<T> out,
      Function<CommandResult, T> reply) {
    Command command;
    try {
      command = build.get();
    } catch (AeroException e) {
      out.onError(GrpcErrors.toStatus(e.error(), node.nodeId()));
      return;
    }
    node.gateway()
        .write(requestId.toByteArray(), command)
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                out.onError(GrpcErrors.toStatus(t, node.nodeId()));
                return;
              }
              if (r.rejection() != null) {
                out.onError(GrpcErrors.toStatus(r.rejection(), node.nodeId()));
                return;
              }
              out.onNext(reply.apply(r));
              out.onCompleted();
            });
  }

  /** A read's value and the view it was read at (the receipt's index). */
  private record Viewed<R>(long viewIndex, R value) {}

  /**
   * Serves {@code read} with the requested consistency (linearizable by default) and answers with
   * {@code reply(value, receipt)}; a reply that throws an AeroException (the read's rejection) is
   * answered as that error.
   */
  static <R, T> void read(
      NodeContext node,
      Consistency requested,
      long minIndex,
      ViewRead<R> read,
      StreamObserver<T> out,
      BiFunction<R, ReadReceipt, T> reply) {
    Consistency consistency =
        requested == Consistency.CONSISTENCY_UNSPECIFIED ? Consistency.LINEARIZABLE : requested;
    ViewRead<Viewed<R>> viewed = (engine, view) -> new Viewed<>(view, read.readAt(engine, view));
    CompletableFuture<Viewed<R>> f;
    switch (consistency) {
      case LINEARIZABLE -> f = node.gateway().readLinearizable(viewed);
      case AT_LEAST_INDEX -> f = node.gateway().readAtLeast(minIndex, viewed);
      case AT_INDEX ->
          // a history read: exactly minIndex, once this node applied it
          f =
              node.gateway()
                  .readAtLeast(minIndex, (engine, applied) -> viewed.readAt(engine, minIndex));
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
          T answer;
          try {
            answer =
                reply.apply(
                    r.value(),
                    ReadReceipt.newBuilder()
                        .setIndex(r.viewIndex())
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

  /** Throws the read's rejection, if it has one (for {@link #read}'s reply functions). */
  static void throwIfRejected(AeroError rejection) {
    if (rejection != null) {
      throw rejection.toException();
    }
  }
}
