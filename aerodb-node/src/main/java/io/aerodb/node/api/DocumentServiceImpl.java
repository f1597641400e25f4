package io.aerodb.node.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.server.NodeContext;
import io.aerodb.node.server.RaftGateway;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.DeleteDocument;
import io.aerodb.proto.internal.v1.GetDocument;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.PutDocument;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.internal.v1.ReadResult;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.CreateCollectionRequest;
import io.aerodb.proto.v1.DeleteRequest;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.GetRequest;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.ReadReceipt;
import io.aerodb.proto.v1.UpdateRequest;
import io.aerodb.proto.v1.WriteReply;
import io.aerodb.ratis.LogEntryCodec;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The v1 document API. Every call is asynchronous end to end: the handler builds a log entry or
 * read query, hands it to the {@link RaftGateway}, and answers when the future completes (no thread
 * waits per request).
 */
public final class DocumentServiceImpl extends DocumentServiceGrpc.DocumentServiceImplBase {
  private final NodeContext node;

  public DocumentServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void createCollection(CreateCollectionRequest req, StreamObserver<WriteReply> out) {
    write(
        req,
        req.getRequestId(),
        LogEntry.newBuilder()
            .setCreateCollection(
                io.aerodb.proto.internal.v1.CreateCollection.newBuilder()
                    .setCollection(req.getCollection())
                    .setSchemaJson(ByteString.copyFromUtf8(req.getSchemaJson()))),
        out);
  }

  @Override
  public void insert(InsertRequest req, StreamObserver<WriteReply> out) {
    write(
        req,
        req.getRequestId(),
        LogEntry.newBuilder().setInsert(put(req.getCollection(), req.getDocumentJson())),
        out);
  }

  @Override
  public void update(UpdateRequest req, StreamObserver<WriteReply> out) {
    write(
        req,
        req.getRequestId(),
        LogEntry.newBuilder().setUpdate(put(req.getCollection(), req.getDocumentJson())),
        out);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteReply> out) {
    write(
        req,
        req.getRequestId(),
        LogEntry.newBuilder()
            .setDelete(
                DeleteDocument.newBuilder().setCollection(req.getCollection()).setId(req.getId())),
        out);
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetReply> out) {
    if (!checkSize(req, out)) {
      return;
    }
    ReadQuery query =
        ReadQuery.newBuilder()
            .setGet(GetDocument.newBuilder().setCollection(req.getCollection()).setId(req.getId()))
            .build();
    Consistency consistency =
        req.getConsistency() == Consistency.CONSISTENCY_UNSPECIFIED
            ? Consistency.LINEARIZABLE
            : req.getConsistency();
    CompletableFuture<ReadResult> f;
    switch (consistency) {
      case LINEARIZABLE -> f = node.gateway().readLinearizable(query);
      case AT_LEAST_INDEX -> f = node.gateway().readAtLeast(query, req.getMinIndex());
      default -> {
        out.onError(
            GrpcErrors.toStatus(
                AeroError.of(
                    ErrorCode.AERO_REQUEST_INVALID,
                    "unknown consistency " + req.getConsistencyValue()),
                node.nodeId()));
        return;
      }
    }
    f.whenComplete(
        (r, t) -> {
          if (t != null) {
            out.onError(GrpcErrors.toStatus(t, node.nodeId()));
          } else if (r.hasRejection()) {
            out.onError(
                GrpcErrors.toStatus(
                    LogEntryCodec.decodeRejection(r.getRejection()), node.nodeId()));
          } else {
            out.onNext(
                GetReply.newBuilder()
                    .setFound(r.getFound())
                    .setDocumentJson(r.getDocumentJson().toString(StandardCharsets.UTF_8))
                    .setVersionIndex(r.getVersionIndex())
                    .setSchemaVersion(r.getSchemaVersion())
                    .setReceipt(
                        ReadReceipt.newBuilder()
                            .setIndex(r.getViewIndex())
                            .setNodeId(node.nodeId())
                            .setTerm(node.currentTerm())
                            .setConsistency(consistency))
                    .build());
            out.onCompleted();
          }
        });
  }

  private static PutDocument.Builder put(String collection, String json) {
    return PutDocument.newBuilder()
        .setCollection(collection)
        .setDocumentJson(ByteString.copyFromUtf8(json));
  }

  private void write(
      Message req, ByteString requestId, LogEntry.Builder entry, StreamObserver<WriteReply> out) {
    if (!checkSize(req, out)) {
      return;
    }
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
              out.onNext(reply(r));
              out.onCompleted();
            });
  }

  private WriteReply reply(ApplyResult r) {
    return WriteReply.newBuilder()
        .setCommitIndex(r.getCommitIndex())
        .setExisted(r.getExisted())
        .setDeduplicated(r.getDeduplicated())
        .setSchemaVersion(r.getSchemaVersion())
        .setNodeId(node.nodeId())
        .build();
  }

  private boolean checkSize(Message req, StreamObserver<?> out) {
    int size = req.getSerializedSize();
    int max = node.config().requestBytesMax();
    if (size <= max) {
      return true;
    }
    out.onError(
        GrpcErrors.toStatus(
            AeroError.of(
                ErrorCode.AERO_LIMIT_REQUEST_SIZE,
                "request of " + size + " bytes exceeds requestBytesMax=" + max,
                "limit",
                "requestBytesMax",
                "limitValue",
                Integer.toString(max),
                "actual",
                Integer.toString(size)),
            node.nodeId()));
    return false;
  }
}
