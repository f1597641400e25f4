package io.aerodb.node.api;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Update;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.ReadResult;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.BatchRequest;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.CreateCollectionRequest;
import io.aerodb.proto.v1.DeleteRequest;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.GetRequest;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.UpdateRequest;
import io.aerodb.proto.v1.WatchEvent;
import io.aerodb.proto.v1.WatchRequest;
import io.aerodb.proto.v1.WriteReply;
import io.aerodb.proto.v1.WriteStatusReply;
import io.aerodb.proto.v1.WriteStatusRequest;
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
        () -> new CreateCollection(req.getCollection(), utf8(req.getSchemaJson())),
        out);
  }

  @Override
  public void insert(InsertRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        () ->
            new Insert(
                req.getCollection(),
                utf8(req.getDocumentJson()),
                WriteRequests.precondition(
                    req.hasExpectedVersion(), req.getExpectedVersion(), "expected_version")),
        out);
  }

  @Override
  public void update(UpdateRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        () ->
            new Update(
                req.getCollection(),
                utf8(req.getDocumentJson()),
                WriteRequests.precondition(
                    req.hasExpectedVersion(), req.getExpectedVersion(), "expected_version")),
        out);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        () ->
            new Delete(
                req.getCollection(),
                req.getId(),
                WriteRequests.precondition(
                    req.hasExpectedVersion(), req.getExpectedVersion(), "expected_version")),
        out);
  }

  @Override
  public void batch(BatchRequest req, StreamObserver<BatchReply> out) {
    ApiCalls.batch(node, req.getRequestId(), () -> WriteRequests.batch(req), out);
  }

  @Override
  public void writeStatus(WriteStatusRequest req, StreamObserver<WriteStatusReply> out) {
    byte[] requestId = req.getRequestId().toByteArray();
    ApiCalls.read(
        node,
        Consistency.LINEARIZABLE,
        0,
        (engine, view) -> engine.writeStatus(requestId, view),
        out,
        (Engine.WriteStatus s, io.aerodb.proto.v1.ReadReceipt receipt) -> {
          WriteStatusReply.Builder b =
              WriteStatusReply.newBuilder()
                  .setRememberedFromIndex(s.rememberedFrom())
                  .setReceipt(receipt);
          if (s.result().isEmpty()) {
            return b.setState(WriteStatusReply.State.UNKNOWN).build();
          }
          CommandResult r = s.result().get();
          b.setCommitIndex(r.commitIndex());
          if (r.rejection() != null) {
            return b.setState(WriteStatusReply.State.REJECTED)
                .setRejection(GrpcErrors.toProto(r.rejection(), node.nodeId()))
                .build();
          }
          return b.setState(WriteStatusReply.State.COMMITTED).build();
        });
  }

  @Override
  public void watch(WatchRequest req, StreamObserver<WatchEvent> out) {
    node.watches().start(node, req, out);
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
