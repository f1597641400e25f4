package io.aerodb.ratis;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.ReadResult;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.query.QueryHit;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.core.query.QueryResult;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.ApplyResults;
import io.aerodb.proto.internal.v1.AuthorityRecord;
import io.aerodb.proto.internal.v1.CreateCollection;
import io.aerodb.proto.internal.v1.CreateIndex;
import io.aerodb.proto.internal.v1.DeleteDocument;
import io.aerodb.proto.internal.v1.DropIndex;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.PublishSchema;
import io.aerodb.proto.internal.v1.PutDocument;
import io.aerodb.proto.internal.v1.QueryDocument;
import io.aerodb.proto.internal.v1.Rejection;
import io.aerodb.proto.internal.v1.RunQuery;
import io.aerodb.proto.internal.v1.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Converts between core commands/results and the internal protobuf formats
 * (aerodb/internal/v1/log.proto, docs/FORMATS.md). Decoding never throws for bad bytes: an
 * undecodable entry becomes {@link Command.Undecodable}, which every node rejects identically.
 */
public final class LogEntryCodec {
  /** The only log-entry format so far. */
  public static final int FORMAT = 1;

  private LogEntryCodec() {}

  /** A decoded entry: the client's idempotency key (possibly empty) and the command. */
  public record Decoded(byte[] requestId, Command command) {}

  public static byte[] encode(byte[] requestId, Command command) {
    return toProto(requestId, command).toByteArray();
  }

  /** The log entry of a command; a {@link Command.Batch} nests one entry per write. */
  public static LogEntry toProto(byte[] requestId, Command command) {
    LogEntry.Builder b =
        LogEntry.newBuilder().setFormat(FORMAT).setRequestId(ByteString.copyFrom(requestId));
    if (command instanceof Command.Batch batch) {
      WriteBatch.Builder wb = WriteBatch.newBuilder();
      for (Command.Batch.Write w : batch.writes()) {
        wb.addWrites(toProto(w.requestId(), w.command()));
      }
      b.setBatch(wb);
    } else if (command instanceof Command.CreateCollection c) {
      b.setCreateCollection(
          CreateCollection.newBuilder()
              .setCollection(c.collection())
              .setSchemaJson(ByteString.copyFrom(c.schemaJson())));
    } else if (command instanceof Command.Insert c) {
      b.setInsert(put(c.collection(), c.documentJson()));
    } else if (command instanceof Command.Update c) {
      b.setUpdate(put(c.collection(), c.documentJson()));
    } else if (command instanceof Command.Delete c) {
      b.setDelete(DeleteDocument.newBuilder().setCollection(c.collection()).setId(c.id()));
    } else if (command instanceof Command.RecordAuthority c) {
      b.setAuthority(AuthorityRecord.newBuilder().setKind(c.kind()).putAllFields(c.fields()));
    } else if (command instanceof Command.PublishSchema c) {
      b.setPublishSchema(
          PublishSchema.newBuilder()
              .setCollection(c.collection())
              .setSchemaJson(ByteString.copyFrom(c.schemaJson())));
    } else if (command instanceof Command.CreateIndex c) {
      b.setCreateIndex(CreateIndex.newBuilder().setCollection(c.collection()).setField(c.field()));
    } else if (command instanceof Command.DropIndex c) {
      b.setDropIndex(DropIndex.newBuilder().setCollection(c.collection()).setField(c.field()));
    } else {
      throw new IllegalArgumentException("not a loggable command: " + command);
    }
    return b.build();
  }

  private static PutDocument put(String collection, byte[] json) {
    return PutDocument.newBuilder()
        .setCollection(collection)
        .setDocumentJson(ByteString.copyFrom(json))
        .build();
  }

  public static Decoded decode(byte[] bytes) {
    LogEntry e;
    try {
      e = LogEntry.parseFrom(bytes);
    } catch (InvalidProtocolBufferException ex) {
      return new Decoded(
          new byte[0], new Command.Undecodable("not a LogEntry: " + ex.getMessage()));
    }
    return decode(e);
  }

  public static Decoded decode(LogEntry e) {
    byte[] requestId = e.getRequestId().toByteArray();
    if (e.getFormat() != FORMAT) {
      return new Decoded(
          requestId, new Command.Undecodable("unknown log-entry format " + e.getFormat()));
    }
    Command command;
    switch (e.getCommandCase()) {
      case CREATE_COLLECTION:
        command =
            new Command.CreateCollection(
                e.getCreateCollection().getCollection(),
                e.getCreateCollection().getSchemaJson().toByteArray());
        break;
      case INSERT:
        command =
            new Command.Insert(
                e.getInsert().getCollection(), e.getInsert().getDocumentJson().toByteArray());
        break;
      case UPDATE:
        command =
            new Command.Update(
                e.getUpdate().getCollection(), e.getUpdate().getDocumentJson().toByteArray());
        break;
      case DELETE:
        command = new Command.Delete(e.getDelete().getCollection(), e.getDelete().getId());
        break;
      case AUTHORITY:
        command =
            new Command.RecordAuthority(
                e.getAuthority().getKind(), new TreeMap<>(e.getAuthority().getFieldsMap()));
        break;
      case PUBLISH_SCHEMA:
        command =
            new Command.PublishSchema(
                e.getPublishSchema().getCollection(),
                e.getPublishSchema().getSchemaJson().toByteArray());
        break;
      case CREATE_INDEX:
        command =
            new Command.CreateIndex(
                e.getCreateIndex().getCollection(), e.getCreateIndex().getField());
        break;
      case DROP_INDEX:
        command =
            new Command.DropIndex(e.getDropIndex().getCollection(), e.getDropIndex().getField());
        break;
      case BATCH:
        List<Command.Batch.Write> writes = new ArrayList<>(e.getBatch().getWritesCount());
        for (LogEntry w : e.getBatch().getWritesList()) {
          Decoded d = decode(w);
          writes.add(new Command.Batch.Write(d.requestId(), d.command()));
        }
        command = new Command.Batch(writes);
        break;
      default:
        command = new Command.Undecodable("no command in the entry");
    }
    return new Decoded(requestId, command);
  }

  public static ApplyResult encodeResult(CommandResult r) {
    ApplyResult.Builder b =
        ApplyResult.newBuilder()
            .setCommitIndex(r.commitIndex())
            .setExisted(r.existed())
            .setDeduplicated(r.deduplicated())
            .setSchemaVersion(r.schemaVersion());
    if (r.rejection() != null) {
      b.setRejection(encodeRejection(r.rejection()));
    }
    return b.build();
  }

  /** The answer to a batch entry: one result per write, in order. */
  public static ApplyResults encodeResults(List<CommandResult> results) {
    ApplyResults.Builder b = ApplyResults.newBuilder();
    for (CommandResult r : results) {
      b.addResults(encodeResult(r));
    }
    return b.build();
  }

  public static Rejection encodeRejection(AeroError e) {
    return Rejection.newBuilder()
        .setCode(e.code().name())
        .setMessage(e.message())
        .putAllDetails(e.details())
        .build();
  }

  public static AeroError decodeRejection(Rejection r) {
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(r.getCode());
    } catch (IllegalArgumentException unknown) {
      code = ErrorCode.AERO_INTERNAL;
    }
    return new AeroError(code, r.getMessage(), new TreeMap<>(r.getDetailsMap()));
  }

  public static io.aerodb.proto.internal.v1.ReadResult encodeRead(ReadResult r) {
    io.aerodb.proto.internal.v1.ReadResult.Builder b =
        io.aerodb.proto.internal.v1.ReadResult.newBuilder().setViewIndex(r.viewIndex());
    if (r.rejection() != null) {
      b.setRejection(encodeRejection(r.rejection()));
    }
    if (r.version().isPresent()) {
      DocumentVersion v = r.version().get();
      b.setFound(true)
          .setDocumentJson(ByteString.copyFrom(v.json()))
          .setVersionIndex(v.index())
          .setSchemaVersion(v.schemaVersion());
    }
    return b.build();
  }

  /** The core form of a query read. */
  public static QueryRequest decodeQuery(RunQuery q) {
    return new QueryRequest(
        q.getCollection(),
        q.getFilterJson().toByteArray(),
        q.getSortField(),
        q.getDescending(),
        q.getLimit());
  }

  /**
   * A query's answer: the documents in result order and, as canonical JSON, what the execution cost
   * and which index it scanned; or the rejection.
   */
  public static io.aerodb.proto.internal.v1.ReadResult encodeQuery(QueryResult r) {
    io.aerodb.proto.internal.v1.ReadResult.Builder b =
        io.aerodb.proto.internal.v1.ReadResult.newBuilder().setViewIndex(r.viewIndex());
    if (r.rejection() != null) {
      return b.setRejection(encodeRejection(r.rejection())).build();
    }
    for (QueryHit h : r.hits()) {
      b.addDocuments(
          QueryDocument.newBuilder()
              .setId(h.id())
              .setDocumentJson(ByteString.copyFrom(h.version().json()))
              .setVersionIndex(h.version().index())
              .setSchemaVersion(h.version().schemaVersion()));
    }
    TreeMap<String, JsonValue> figures = new TreeMap<>(JsonValue.KEY_ORDER);
    figures.put("entriesExamined", new JsonValue.Int(r.entriesExamined()));
    figures.put("documentsRead", new JsonValue.Int(r.documentsRead()));
    figures.put("index", new JsonValue.Str(r.plan().indexField()));
    figures.put("scan", new JsonValue.Str(r.plan().scan().name()));
    return b.setReportJson(ByteString.copyFrom(CanonicalJson.toBytes(new JsonValue.Obj(figures))))
        .build();
  }
}
