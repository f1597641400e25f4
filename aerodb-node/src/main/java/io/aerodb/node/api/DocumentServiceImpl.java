package io.aerodb.node.api;

import com.google.protobuf.ByteString;
import io.aerodb.node.server.NodeContext;
import io.aerodb.node.server.RaftGateway;
import io.aerodb.proto.internal.v1.DeleteDocument;
import io.aerodb.proto.internal.v1.GetDocument;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.PutDocument;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.v1.CreateCollectionRequest;
import io.aerodb.proto.v1.DeleteRequest;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.GetRequest;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.UpdateRequest;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;

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
        req.getRequestId(),
        LogEntry.newBuilder().setInsert(put(req.getCollection(), req.getDocumentJson())),
        out);
  }

  @Override
  public void update(UpdateRequest req, StreamObserver<WriteReply> out) {
    write(
        req.getRequestId(),
        LogEntry.newBuilder().setUpdate(put(req.getCollection(), req.getDocumentJson())),
        out);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteReply> out) {
    write(
        req.getRequestId(),
        LogEntry.newBuilder()
            .setDelete(
                DeleteDocument.newBuilder().setCollection(req.getCollection()).setId(req.getId())),
        out);
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetReply> out) {
    ReadQuery query =
        ReadQuery.newBuilder()
            .setGet(GetDocument.newBuilder().setCollection(req.getCollection()).setId(req.getId()))
            .build();
    ApiCalls.read(
        node,
        query,
        req.getConsistency(),
        req.getMinIndex(),
        out,
        (r, receipt) ->
            GetReply.newBuilder()
                .setFound(r.getFound())
                .setDocumentJson(r.getDocumentJson().toString(StandardCharsets.UTF_8))
                .setVersionIndex(r.getVersionIndex())
                .setSchemaVersion(r.getSchemaVersion())
                .setReceipt(receipt)
                .build());
  }

  private static PutDocument.Builder put(String collection, String json) {
    return PutDocument.newBuilder()
        .setCollection(collection)
        .setDocumentJson(ByteString.copyFromUtf8(json));
  }

  private void write(ByteString requestId, LogEntry.Builder entry, StreamObserver<WriteReply> out) {
    ApiCalls.write(node, requestId, entry, out);
  }
}
