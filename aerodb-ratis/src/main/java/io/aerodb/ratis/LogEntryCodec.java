package io.aerodb.ratis;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.SetIdempotencyHorizon;
import io.aerodb.core.command.Undecodable;
import io.aerodb.core.command.Update;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.ApplyResults;
import io.aerodb.proto.internal.v1.AuthorityRecord;
import io.aerodb.proto.internal.v1.BatchOperation;
import io.aerodb.proto.internal.v1.DeleteDocument;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.OperationResult;
import io.aerodb.proto.internal.v1.PutDocument;
import io.aerodb.proto.internal.v1.Rejection;
import io.aerodb.proto.internal.v1.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The one place that builds or reads AeroDB's internal protobuf formats
 * (aerodb/internal/v1/log.proto, docs/FORMATS.md): log entries and the state machine's answers.
 *
 * <p>Decoding never throws for bad bytes: an undecodable entry or write becomes {@link
 * Undecodable}, which every node rejects identically. Adding a command type makes both directions
 * fail to compile until they handle it: encoding implements {@link Command.Visitor}, decoding is an
 * exhaustive switch over the protobuf {@code oneof}.
 */
public final class LogEntryCodec {
  /** The only log-entry format so far. */
  public static final int FORMAT = 1;

  private LogEntryCodec() {}

  // ------------------------------------------------------------------------------------ entries

  /**
   * The log entry's bytes: a {@link Entry.Group} as a {@code WriteBatch} of one entry per write.
   */
  public static byte[] encode(Entry entry) {
    if (entry.isGroup()) {
      List<EncodedWrite> writes = new ArrayList<>(entry.writes().size());
      for (Write w : entry.writes()) {
        writes.add(encodeWrite(w));
      }
      return encodeGroup(writes);
    }
    return encodeWrite(entry.writes().get(0)).entry.toByteArray();
  }

  /**
   * One write encoded once, when the leader prepared it: its size counts against a group's budget,
   * and {@link #encodeGroup} assembles a group from encoded writes without encoding them again.
   */
  public static final class EncodedWrite {
    private final LogEntry entry;

    private EncodedWrite(LogEntry entry) {
      this.entry = entry;
    }

    /** Its bytes in the log, as a write of a group. */
    public int serializedSize() {
      return entry.getSerializedSize();
    }
  }

  public static EncodedWrite encodeWrite(Write w) {
    LogEntry.Builder b = LogEntry.newBuilder().setFormat(FORMAT).setRequestId(wrap(w.requestId()));
    w.command().accept(new Encoder(b));
    return new EncodedWrite(b.build());
  }

  /** The bytes of a group-commit entry of {@code writes}, in order. */
  public static byte[] encodeGroup(List<EncodedWrite> writes) {
    WriteBatch.Builder batch = WriteBatch.newBuilder();
    for (EncodedWrite w : writes) {
      batch.addWrites(w.entry);
    }
    return LogEntry.newBuilder().setFormat(FORMAT).setBatch(batch).build().toByteArray();
  }

  /** Sets the entry's command. Unwrapped arrays: a command's bytes never change once built. */
  private record Encoder(LogEntry.Builder b) implements Command.Visitor<LogEntry.Builder> {
    @Override
    public LogEntry.Builder visit(CreateCollection c) {
      return b.setCreateCollection(
          io.aerodb.proto.internal.v1.CreateCollection.newBuilder()
              .setCollection(c.collection())
              .setSchemaJson(wrap(c.schemaJson())));
    }

    @Override
    public LogEntry.Builder visit(Insert c) {
      return b.setInsert(put(c.collection(), c.documentJson(), c.schemaVersion(), c.expected()));
    }

    @Override
    public LogEntry.Builder visit(Update c) {
      return b.setUpdate(put(c.collection(), c.documentJson(), c.schemaVersion(), c.expected()));
    }

    @Override
    public LogEntry.Builder visit(Delete c) {
      return b.setDelete(delete(c));
    }

    @Override
    public LogEntry.Builder visit(SetIdempotencyHorizon c) {
      return b.setSetIdempotencyHorizon(
          io.aerodb.proto.internal.v1.SetIdempotencyHorizon.newBuilder().setEntries(c.entries()));
    }

    @Override
    public LogEntry.Builder visit(AtomicBatch c) {
      io.aerodb.proto.internal.v1.AtomicBatch.Builder batch =
          io.aerodb.proto.internal.v1.AtomicBatch.newBuilder();
      for (Command op : c.operations()) {
        BatchOperation.Builder o = BatchOperation.newBuilder();
        if (op instanceof Insert i) {
          o.setInsert(put(i.collection(), i.documentJson(), i.schemaVersion(), i.expected()));
        } else if (op instanceof Update u) {
          o.setUpdate(put(u.collection(), u.documentJson(), u.schemaVersion(), u.expected()));
        } else {
          o.setDelete(delete((Delete) op));
        }
        batch.addOperations(o);
      }
      return b.setAtomicBatch(batch);
    }

    @Override
    public LogEntry.Builder visit(PublishSchema c) {
      return b.setPublishSchema(
          io.aerodb.proto.internal.v1.PublishSchema.newBuilder()
              .setCollection(c.collection())
              .setSchemaJson(wrap(c.schemaJson())));
    }

    @Override
    public LogEntry.Builder visit(CreateIndex c) {
      return b.setCreateIndex(
          io.aerodb.proto.internal.v1.CreateIndex.newBuilder()
              .setCollection(c.collection())
              .setField(c.field()));
    }

    @Override
    public LogEntry.Builder visit(DropIndex c) {
      return b.setDropIndex(
          io.aerodb.proto.internal.v1.DropIndex.newBuilder()
              .setCollection(c.collection())
              .setField(c.field()));
    }

    @Override
    public LogEntry.Builder visit(RecordAuthority c) {
      return b.setAuthority(
          AuthorityRecord.newBuilder().setKind(c.kind()).putAllFields(c.fields()));
    }

    @Override
    public LogEntry.Builder visit(SetGcFloor c) {
      return b.setSetGcFloor(
          io.aerodb.proto.internal.v1.SetGcFloor.newBuilder().setFloor(c.floor()));
    }

    @Override
    public LogEntry.Builder visit(Undecodable c) {
      throw new IllegalArgumentException("an undecodable command is never logged: " + c.reason());
    }

    private static PutDocument put(
        String collection, byte[] json, int schemaVersion, Precondition expected) {
      PutDocument.Builder p =
          PutDocument.newBuilder()
              .setCollection(collection)
              .setDocumentJson(wrap(json))
              .setSchemaVersion(schemaVersion);
      if (schemaVersion > 0) {
        p.setDocumentCrc32C(validatedChecksum(collection, schemaVersion, json));
      }
      if (!expected.isNone()) {
        p.setExpected(precondition(expected));
      }
      return p.build();
    }

    private static DeleteDocument delete(Delete c) {
      DeleteDocument.Builder d =
          DeleteDocument.newBuilder().setCollection(c.collection()).setId(c.id());
      if (!c.expected().isNone()) {
        d.setExpected(precondition(c.expected()));
      }
      return d.build();
    }

    private static io.aerodb.proto.internal.v1.Precondition precondition(Precondition p) {
      io.aerodb.proto.internal.v1.Precondition.Builder b =
          io.aerodb.proto.internal.v1.Precondition.newBuilder();
      return p.equals(Precondition.absent())
          ? b.setAbsent(true).build()
          : b.setVersion(p.version()).build();
    }
  }

  /** The entry in {@code bytes}; never throws (see the class comment). */
  public static Entry decode(ByteBuffer bytes) {
    LogEntry e;
    try {
      e = LogEntry.parseFrom(bytes);
    } catch (InvalidProtocolBufferException ex) {
      return undecodable(Write.NO_REQUEST_ID, "not a LogEntry: " + ex.getMessage());
    }
    if (e.getFormat() == FORMAT && e.getCommandCase() == LogEntry.CommandCase.BATCH) {
      List<Write> writes = new ArrayList<>(e.getBatch().getWritesCount());
      for (LogEntry w : e.getBatch().getWritesList()) {
        writes.add(write(w));
      }
      return new Entry.Group(writes);
    }
    return new Entry.Single(write(e));
  }

  public static Entry decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  private static Entry undecodable(byte[] requestId, String reason) {
    return new Entry.Single(new Write(requestId, new Undecodable(reason)));
  }

  private static Write write(LogEntry e) {
    byte[] requestId = e.getRequestId().toByteArray();
    if (e.getFormat() != FORMAT) {
      return new Write(requestId, new Undecodable("unknown log-entry format " + e.getFormat()));
    }
    Command command =
        switch (e.getCommandCase()) {
          case CREATE_COLLECTION ->
              new CreateCollection(
                  e.getCreateCollection().getCollection(),
                  e.getCreateCollection().getSchemaJson().toByteArray());
          case INSERT -> insert(e.getInsert());
          case UPDATE -> update(e.getUpdate());
          case DELETE -> delete(e.getDelete());
          case ATOMIC_BATCH -> atomicBatch(e.getAtomicBatch());
          case PUBLISH_SCHEMA ->
              new PublishSchema(
                  e.getPublishSchema().getCollection(),
                  e.getPublishSchema().getSchemaJson().toByteArray());
          case CREATE_INDEX ->
              new CreateIndex(e.getCreateIndex().getCollection(), e.getCreateIndex().getField());
          case DROP_INDEX ->
              new DropIndex(e.getDropIndex().getCollection(), e.getDropIndex().getField());
          case AUTHORITY ->
              new RecordAuthority(
                  e.getAuthority().getKind(), new TreeMap<>(e.getAuthority().getFieldsMap()));
          case SET_GC_FLOOR -> new SetGcFloor(e.getSetGcFloor().getFloor());
          case SET_IDEMPOTENCY_HORIZON ->
              new SetIdempotencyHorizon(e.getSetIdempotencyHorizon().getEntries());
          case BATCH -> new Undecodable("a batch inside a batch");
          case COMMAND_NOT_SET -> new Undecodable("no command in the entry");
        };
    return new Write(requestId, command);
  }

  private static Command insert(PutDocument p) {
    byte[] json = p.getDocumentJson().toByteArray();
    return guarded(p.hasExpected(), p.getExpected())
        .<Command>map(g -> new Insert(p.getCollection(), json, validatedAgainst(p, json), g))
        .orElseGet(() -> new Undecodable("a malformed precondition"));
  }

  private static Command update(PutDocument p) {
    byte[] json = p.getDocumentJson().toByteArray();
    return guarded(p.hasExpected(), p.getExpected())
        .<Command>map(g -> new Update(p.getCollection(), json, validatedAgainst(p, json), g))
        .orElseGet(() -> new Undecodable("a malformed precondition"));
  }

  /**
   * The schema version the leader validated {@code json} against, believed only for the very
   * collection, version and bytes it validated (the entry's checksum over the three matches); 0 —
   * nothing validated, apply admits in full [S4] — when any of them changed since, and for entries
   * without a checksum.
   */
  private static int validatedAgainst(PutDocument p, byte[] json) {
    int crc = p.getDocumentCrc32C();
    return crc != 0 && crc == validatedChecksum(p.getCollection(), p.getSchemaVersion(), json)
        ? p.getSchemaVersion()
        : 0;
  }

  /**
   * The checksum a {@code PutDocument} carries for a document validated against {@code
   * schemaVersion} of {@code collection} (docs/FORMATS.md): CRC32C of the collection's UTF-8 bytes,
   * the version as 4 bytes big-endian and the document's bytes, as a signed int (the protobuf
   * fixed32's Java type). Public for the benchmarks that patch entries in place.
   */
  public static int validatedChecksum(String collection, int schemaVersion, byte[] json) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(collection.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    c.update(ByteBuffer.allocate(4).putInt(0, schemaVersion));
    c.update(json);
    return (int) c.getValue();
  }

  private static Command delete(DeleteDocument d) {
    return guarded(d.hasExpected(), d.getExpected())
        .<Command>map(g -> new Delete(d.getCollection(), d.getId(), g))
        .orElseGet(() -> new Undecodable("a malformed precondition"));
  }

  /** The guard, or empty for one no encoder writes (absent=false, version 0 or above 2^63-1). */
  private static java.util.Optional<Precondition> guarded(
      boolean present, io.aerodb.proto.internal.v1.Precondition p) {
    if (!present) {
      return java.util.Optional.of(Precondition.NONE);
    }
    return switch (p.getExpectedCase()) {
      case VERSION ->
          p.getVersion() > 0
              ? java.util.Optional.of(Precondition.version(p.getVersion()))
              : java.util.Optional.empty();
      case ABSENT ->
          p.getAbsent() ? java.util.Optional.of(Precondition.absent()) : java.util.Optional.empty();
      case EXPECTED_NOT_SET -> java.util.Optional.empty();
    };
  }

  private static Command atomicBatch(io.aerodb.proto.internal.v1.AtomicBatch b) {
    List<Command> ops = new ArrayList<>(b.getOperationsCount());
    for (BatchOperation o : b.getOperationsList()) {
      Command op =
          switch (o.getOpCase()) {
            case INSERT -> insert(o.getInsert());
            case UPDATE -> update(o.getUpdate());
            case DELETE -> delete(o.getDelete());
            case OP_NOT_SET -> new Undecodable("a batch operation without a write");
          };
      if (op instanceof Undecodable u) {
        return u;
      }
      ops.add(op);
    }
    return new AtomicBatch(ops);
  }

  // ------------------------------------------------------------------------------------ results

  /** The state machine's answer to an entry: one result per write, in order. */
  public static byte[] encodeResults(List<CommandResult> results) {
    ApplyResults.Builder b = ApplyResults.newBuilder();
    for (CommandResult r : results) {
      ApplyResult.Builder a =
          ApplyResult.newBuilder()
              .setCommitIndex(r.commitIndex())
              .setExisted(r.existed())
              .setDeduplicated(r.deduplicated())
              .setSchemaVersion(r.schemaVersion());
      if (r.rejection() != null) {
        a.setRejection(encodeRejection(r.rejection()));
      }
      for (CommandResult.Operation op : r.operations()) {
        a.addOperations(
            OperationResult.newBuilder()
                .setExisted(op.existed())
                .setSchemaVersion(op.schemaVersion()));
      }
      b.addResults(a);
    }
    return b.build().toByteArray();
  }

  /**
   * The results of {@link #encodeResults}; AERO_INTERNAL as an exception when the bytes are not
   * such an answer or do not hold {@code expected} results.
   */
  public static List<CommandResult> decodeResults(ByteBuffer bytes, int expected) {
    ApplyResults r;
    try {
      r = ApplyResults.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw AeroError.of(ErrorCode.AERO_INTERNAL, "unreadable apply result: " + e.getMessage())
          .toException();
    }
    if (r.getResultsCount() != expected) {
      throw AeroError.of(
              ErrorCode.AERO_INTERNAL,
              "an entry of "
                  + expected
                  + " writes was answered with "
                  + r.getResultsCount()
                  + " results")
          .toException();
    }
    List<CommandResult> out = new ArrayList<>(expected);
    for (ApplyResult a : r.getResultsList()) {
      List<CommandResult.Operation> ops = new ArrayList<>(a.getOperationsCount());
      for (OperationResult op : a.getOperationsList()) {
        ops.add(new CommandResult.Operation(op.getExisted(), op.getSchemaVersion()));
      }
      out.add(
          new CommandResult(
              a.getCommitIndex(),
              a.hasRejection() ? decodeRejection(a.getRejection()) : null,
              a.getExisted(),
              a.getDeduplicated(),
              a.getSchemaVersion(),
              ops));
    }
    return out;
  }

  private static Rejection encodeRejection(AeroError e) {
    return Rejection.newBuilder()
        .setCode(e.code().name())
        .setMessage(e.message())
        .putAllDetails(e.details())
        .build();
  }

  private static AeroError decodeRejection(Rejection r) {
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(r.getCode());
    } catch (IllegalArgumentException unknown) {
      code = ErrorCode.AERO_INTERNAL;
    }
    return new AeroError(code, r.getMessage(), new TreeMap<>(r.getDetailsMap()));
  }

  private static ByteString wrap(byte[] bytes) {
    return UnsafeByteOperations.unsafeWrap(bytes);
  }
}
