package io.aerodb.node.api;

import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Update;
import io.aerodb.core.engine.ReadResult;
import io.aerodb.core.mvcc.DocumentVersion;
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
 * The v1 document API. Every call is asynchronous end to end: the handler builds a command or a
 * typed read, hands it to the gateway ({@link ApiCalls}), and answers when the future completes (no
 * thread waits per request).
 */
public final class DocumentServiceImpl extends DocumentServiceGrpc.DocumentServiceImplBase {
  private final NodeContext node;

  public DocumentServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void createCollection(CreateCollectionRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        new CreateCollection(req.getCollection(), utf8(req.getSchemaJson())),
        out);
  }

  @Override
  public void insert(InsertRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        new Insert(req.getCollection(), utf8(req.getDocumentJson())),
        out);
  }

  @Override
  public void update(UpdateRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        new Update(req.getCollection(), utf8(req.getDocumentJson())),
        out);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(node, req.getRequestId(), new Delete(req.getCollection(), req.getId()), out);
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetReply> out) {
    ApiCalls.read(
        node,
        req.getConsistency(),
        req.getMinIndex(),
        (engine, view) -> engine.get(req.getCollection(), req.getId(), view),
        out,
        (ReadResult r, io.aerodb.proto.v1.ReadReceipt receipt) -> {
          ApiCalls.throwIfRejected(r.rejection());
          GetReply.Builder b = GetReply.newBuilder().setReceipt(receipt);
          if (r.version().isPresent()) {
            DocumentVersion v = r.version().get();
            b.setFound(true)
                .setDocumentJson(new String(v.json(), StandardCharsets.UTF_8))
                .setVersionIndex(v.index())
                .setSchemaVersion(v.schemaVersion());
          }
          return b.build();
        });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
