package io.aerodb.node.api;

import com.google.protobuf.ByteString;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.node.server.NodeContext;
import io.aerodb.proto.internal.v1.CreateIndex;
import io.aerodb.proto.internal.v1.DropIndex;
import io.aerodb.proto.internal.v1.ListIndexes;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.PublishSchema;
import io.aerodb.proto.internal.v1.QueryDocument;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.internal.v1.RunQuery;
import io.aerodb.proto.v1.CreateIndexRequest;
import io.aerodb.proto.v1.DropIndexRequest;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.IndexInfo;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.ListIndexesRequest;
import io.aerodb.proto.v1.PublishSchemaRequest;
import io.aerodb.proto.v1.QueryHit;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.proto.v1.SchemaVersionInfo;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;

/**
 * The v1 query API: schema publication and index creation/drop are replicated writes (log entries
 * applied on every node); list, query and explain are reads served through the same Raft read path
 * as get (linearizable by default, or at least index N on the node asked), at one read view that
 * the receipt names. The engine checks every query against this node's query limits before reading.
 */
public final class QueryServiceImpl extends QueryServiceGrpc.QueryServiceImplBase {
  /** Bounds for parsing the engine's own canonical reports. */
  private static final JsonLimits REPORT_JSON = new JsonLimits(16 * 1024 * 1024, 8, 100_000);

  private final NodeContext node;

  public QueryServiceImpl(NodeContext node) {
    this.node = node;
  }

  @Override
  public void publishSchema(PublishSchemaRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        LogEntry.newBuilder()
            .setPublishSchema(
                PublishSchema.newBuilder()
                    .setCollection(req.getCollection())
                    .setSchemaJson(ByteString.copyFromUtf8(req.getSchemaJson()))),
        out);
  }

  @Override
  public void createIndex(CreateIndexRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        LogEntry.newBuilder()
            .setCreateIndex(
                CreateIndex.newBuilder()
                    .setCollection(req.getCollection())
                    .setField(req.getField())),
        out);
  }

  @Override
  public void dropIndex(DropIndexRequest req, StreamObserver<WriteReply> out) {
    ApiCalls.write(
        node,
        req.getRequestId(),
        LogEntry.newBuilder()
            .setDropIndex(
                DropIndex.newBuilder().setCollection(req.getCollection()).setField(req.getField())),
        out);
  }

  @Override
  public void listIndexes(ListIndexesRequest req, StreamObserver<ListIndexesReply> out) {
    ReadQuery query =
        ReadQuery.newBuilder()
            .setListIndexes(ListIndexes.newBuilder().setCollection(req.getCollection()))
            .build();
    ApiCalls.read(
        node,
        query,
        req.getConsistency(),
        req.getMinIndex(),
        out,
        (r, receipt) -> {
          JsonValue.Obj listing = report(r.getReportJson());
          ListIndexesReply.Builder b = ListIndexesReply.newBuilder().setReceipt(receipt);
          for (JsonValue v : ((JsonValue.Arr) listing.get("indexes")).elements()) {
            JsonValue.Obj o = (JsonValue.Obj) v;
            b.addIndexes(
                IndexInfo.newBuilder()
                    .setField(((JsonValue.Str) o.get("field")).value())
                    .setCreatedIndex(((JsonValue.Int) o.get("createdIndex")).value())
                    .setImplicit(((JsonValue.Bool) o.get("implicit")).value()));
          }
          for (JsonValue v : ((JsonValue.Arr) listing.get("schemaVersions")).elements()) {
            JsonValue.Obj o = (JsonValue.Obj) v;
            b.addSchemaVersions(
                SchemaVersionInfo.newBuilder()
                    .setVersion((int) ((JsonValue.Int) o.get("version")).value())
                    .setCreatedIndex(((JsonValue.Int) o.get("createdIndex")).value()));
          }
          return b.build();
        });
  }

  @Override
  public void query(QueryRequest req, StreamObserver<QueryReply> out) {
    ReadQuery query = ReadQuery.newBuilder().setRunQuery(runQuery(req)).build();
    ApiCalls.read(
        node,
        query,
        req.getConsistency(),
        req.getMinIndex(),
        out,
        (r, receipt) -> {
          JsonValue.Obj figures = report(r.getReportJson());
          QueryReply.Builder b =
              QueryReply.newBuilder()
                  .setReceipt(receipt)
                  .setEntriesExamined(((JsonValue.Int) figures.get("entriesExamined")).value())
                  .setDocumentsRead(((JsonValue.Int) figures.get("documentsRead")).value())
                  .setIndex(((JsonValue.Str) figures.get("index")).value())
                  .setScan(((JsonValue.Str) figures.get("scan")).value());
          for (QueryDocument d : r.getDocumentsList()) {
            b.addResults(
                QueryHit.newBuilder()
                    .setId(d.getId())
                    .setDocumentJson(d.getDocumentJson().toString(StandardCharsets.UTF_8))
                    .setVersionIndex(d.getVersionIndex())
                    .setSchemaVersion(d.getSchemaVersion()));
          }
          return b.build();
        });
  }

  @Override
  public void explain(QueryRequest req, StreamObserver<ExplainReply> out) {
    ReadQuery query = ReadQuery.newBuilder().setExplain(runQuery(req)).build();
    ApiCalls.read(
        node,
        query,
        req.getConsistency(),
        req.getMinIndex(),
        out,
        (r, receipt) ->
            ExplainReply.newBuilder()
                .setExplainJson(r.getReportJson().toString(StandardCharsets.UTF_8))
                .setReceipt(receipt)
                .build());
  }

  private static RunQuery runQuery(QueryRequest req) {
    return RunQuery.newBuilder()
        .setCollection(req.getCollection())
        .setFilterJson(ByteString.copyFromUtf8(req.getFilterJson()))
        .setSortField(req.getSortField())
        .setDescending(req.getDescending())
        .setLimit(req.getLimit())
        .build();
  }

  private static JsonValue.Obj report(ByteString json) {
    return (JsonValue.Obj) JsonReader.parse(json.toByteArray(), REPORT_JSON);
  }
}
