package io.aerodb.node.api;

import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.engine.CatalogListing;
import io.aerodb.core.query.QueryHit;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.core.query.QueryResult;
import io.aerodb.proto.v1.CreateIndexRequest;
import io.aerodb.proto.v1.DropIndexRequest;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.IndexInfo;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.ListIndexesRequest;
import io.aerodb.proto.v1.PublishSchemaRequest;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.proto.v1.ReadReceipt;
import io.aerodb.proto.v1.SchemaVersionInfo;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;

/**
 * The v1 query API: schema publication and index creation/drop are replicated writes (log entries
 * applied on every node); list, query and explain are reads served like get (linearizable by
 * default, or at least index N on the node asked), at one read view that the receipt names. The
 * engine checks every query against this node's query limits before reading.
 */
public final class QueryServiceImpl extends QueryServiceGrpc.QueryServiceImplBase {
  private final NodeContext node;

  public QueryServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void publishSchema(PublishSchemaRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        new PublishSchema(
            req.getCollection(), req.getSchemaJson().getBytes(StandardCharsets.UTF_8)),
        out);
  }

  @Override
  public void createIndex(CreateIndexRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node, req.getRequestId(), new CreateIndex(req.getCollection(), req.getField()), out);
  }

  @Override
  public void dropIndex(DropIndexRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node, req.getRequestId(), new DropIndex(req.getCollection(), req.getField()), out);
  }

  @Override
  public void listIndexes(ListIndexesRequest req, StreamObserver<ListIndexesReply> out) {
    ApiCalls.read(
        node,
        req.getConsistency(),
        req.getMinIndex(),
        (engine, view) -> engine.listIndexes(req.getCollection(), view),
        out,
        (CatalogListing listing, ReadReceipt receipt) -> {
          ApiCalls.throwIfRejected(listing.rejection());
          ListIndexesReply.Builder b = ListIndexesReply.newBuilder().setReceipt(receipt);
          for (CatalogListing.IndexListing i : listing.indexes()) {
            b.addIndexes(
                IndexInfo.newBuilder()
                    .setField(i.field())
                    .setCreatedIndex(i.createdIndex())
                    .setImplicit(i.implicit()));
          }
          for (CatalogListing.SchemaListing v : listing.schemaVersions()) {
            b.addSchemaVersions(
                SchemaVersionInfo.newBuilder()
                    .setVersion(v.version())
                    .setCreatedIndex(v.createdIndex()));
          }
          return b.build();
        });
  }

  @Override
  public void query(QueryRequest req, StreamObserver<QueryReply> out) {
    io.aerodb.core.query.QueryRequest request = toCore(req);
    QueryLimits limits = node.config().queryLimits();
    ApiCalls.read(
        node,
        req.getConsistency(),
        req.getMinIndex(),
        // one view for the whole query, index scan included [T2]
        (engine, view) -> engine.query(request, view, limits),
        out,
        (QueryResult r, ReadReceipt receipt) -> {
          ApiCalls.throwIfRejected(r.rejection());
          QueryReply.Builder b =
              QueryReply.newBuilder()
                  .setReceipt(receipt)
                  .setEntriesExamined(r.entriesExamined())
                  .setDocumentsRead(r.documentsRead())
                  .setIndex(r.plan().indexField())
                  .setScan(r.plan().scan().name());
          for (QueryHit h : r.hits()) {
            b.addResults(
                io.aerodb.proto.v1.QueryHit.newBuilder()
                    .setId(h.id())
                    .setDocumentJson(new String(h.version().json(), StandardCharsets.UTF_8))
                    .setVersionIndex(h.version().index())
                    .setSchemaVersion(h.version().schemaVersion()));
          }
          return b.build();
        });
  }

  @Override
  public void explain(QueryRequest req, StreamObserver<ExplainReply> out) {
    io.aerodb.core.query.QueryRequest request = toCore(req);
    QueryLimits limits = node.config().queryLimits();
    ApiCalls.read(
        node,
        req.getConsistency(),
        req.getMinIndex(),
        (engine, view) -> engine.explain(request, view, limits),
        out,
        (byte[] explain, ReadReceipt receipt) ->
            ExplainReply.newBuilder()
                .setExplainJson(new String(explain, StandardCharsets.UTF_8))
                .setReceipt(receipt)
                .build());
  }

  private static io.aerodb.core.query.QueryRequest toCore(QueryRequest req) {
    return new io.aerodb.core.query.QueryRequest(
        req.getCollection(),
        req.getFilterJson().getBytes(StandardCharsets.UTF_8),
        req.getSortField(),
        req.getDescending(),
        req.getLimit());
  }
}
