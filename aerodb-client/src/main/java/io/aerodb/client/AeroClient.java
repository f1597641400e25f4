package io.aerodb.client;

import com.google.protobuf.ByteString;
import io.aerodb.proto.v1.BatchRequest;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.CreateCollectionRequest;
import io.aerodb.proto.v1.CreateIndexRequest;
import io.aerodb.proto.v1.DeleteRequest;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.DropIndexRequest;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.GetRequest;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.ListIndexesRequest;
import io.aerodb.proto.v1.PublishSchemaRequest;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.proto.v1.UpdateRequest;
import io.aerodb.proto.v1.WriteReply;
import io.aerodb.proto.v1.WriteStatusReply;
import io.aerodb.proto.v1.WriteStatusRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The AeroDB Java client: documents, schemas, indexes and queries here, operator calls in {@link
 * #admin()}. Thread-safe; share one per application.
 *
 * <p>Writes go to the leader: the client remembers it, follows AERO_NOT_LEADER to the address the
 * server names, and tries the other endpoints when a node is down. Every write carries a random
 * 16-byte request_id that is reused by every retry of that write, so a retry can never apply it
 * twice; when the time runs out while an attempt's outcome was unknown, the call fails with
 * AERO_OUTCOME_UNKNOWN (never with a guess). Retries are bounded by {@link Options#deadline} and
 * {@link Options#maxAttempts}, with exponential back-off and full jitter between them (at most 200
 * ms, never past the deadline).
 */
public final class AeroClient implements AutoCloseable {
  /**
   * Client options: the bound on a whole call with its retries, the bound on one attempt, and the
   * most attempts of a call.
   */
  public record Options(Duration deadline, Duration attemptTimeout, int maxAttempts) {
    public static Options defaults() {
      // the deadline is the real bound: 150 attempts with back-off outlast an election under load
      return new Options(Duration.ofSeconds(15), Duration.ofSeconds(12), 150);
    }
  }

  private static final SecureRandom REQUEST_IDS = new SecureRandom();

  private final Options options;
  private final Endpoints endpoints;
  private final Retrier retrier;
  private final Backoff backoff;
  private final AdminClient admin;

  /**
   * @param jitter the back-off's random source
   * @throws IllegalArgumentException if {@code endpoints} is empty
   */
  AeroClient(List<String> endpoints, Options options, RandomGenerator jitter) {
    this.options = options;
    this.endpoints = new Endpoints(endpoints);
    this.backoff = Backoff.standard(jitter);
    this.retrier = new Retrier(this.endpoints, options, backoff);
    this.admin = new AdminClient(this.endpoints, retrier, options);
  }

  /** A client for the cluster reachable at these API endpoints ("host:port"). */
  public static AeroClient connect(List<String> endpoints) {
    return connect(endpoints, Options.defaults());
  }

  public static AeroClient connect(List<String> endpoints, Options options) {
    return new AeroClient(endpoints, options, new Random());
  }

  /** Parses "h1:p1,h2:p2". */
  public static List<String> parseEndpoints(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /** The operator's calls, on this client's endpoints and channels. */
  public AdminClient admin() {
    return admin;
  }

  // ---------------------------------------------------------------------------------------- writes

  public WriteReply createCollection(String collection, String schemaJson) {
    ByteString id = newRequestId();
    CreateCollectionRequest req =
        CreateCollectionRequest.newBuilder()
            .setCollection(collection)
            .setSchemaJson(schemaJson)
            .setRequestId(id)
            .build();
    return write(id, (t, nanos) -> documents(t, nanos).createCollection(req));
  }

  public WriteReply insert(String collection, String documentJson) {
    return insert(collection, documentJson, WriteOptions.none());
  }

  /** An insert with a guard and/or the caller's own request_id. */
  public WriteReply insert(String collection, String documentJson, WriteOptions options) {
    ByteString id = options.requestId().orElseGet(AeroClient::newRequestId);
    InsertRequest.Builder req =
        InsertRequest.newBuilder()
            .setCollection(collection)
            .setDocumentJson(documentJson)
            .setRequestId(id);
    options.expected().ifPresent(req::setExpectedVersion);
    InsertRequest built = req.build();
    return write(id, (t, nanos) -> documents(t, nanos).insert(built));
  }

  public WriteReply update(String collection, String documentJson) {
    return update(collection, documentJson, WriteOptions.none());
  }

  /** An update with a guard and/or the caller's own request_id. */
  public WriteReply update(String collection, String documentJson, WriteOptions options) {
    ByteString id = options.requestId().orElseGet(AeroClient::newRequestId);
    UpdateRequest.Builder req =
        UpdateRequest.newBuilder()
            .setCollection(collection)
            .setDocumentJson(documentJson)
            .setRequestId(id);
    options.expected().ifPresent(req::setExpectedVersion);
    UpdateRequest built = req.build();
    return write(id, (t, nanos) -> documents(t, nanos).update(built));
  }

  /**
   * Compare-and-set: replaces the document only if its version is still {@code expectedVersion}
   * (the commit index of the version the caller read); otherwise AERO_TXN_PRECONDITION_FAILED with
   * the actual version, and nothing is written.
   */
  public WriteReply compareAndSet(String collection, String documentJson, long expectedVersion) {
    return update(collection, documentJson, WriteOptions.none().expectVersion(expectedVersion));
  }

  public WriteReply delete(String collection, String docId) {
    return delete(collection, docId, WriteOptions.none());
  }

  /** A delete with a guard and/or the caller's own request_id. */
  public WriteReply delete(String collection, String docId, WriteOptions options) {
    ByteString id = options.requestId().orElseGet(AeroClient::newRequestId);
    DeleteRequest.Builder req =
        DeleteRequest.newBuilder().setCollection(collection).setId(docId).setRequestId(id);
    options.expected().ifPresent(req::setExpectedVersion);
    DeleteRequest built = req.build();
    return write(id, (t, nanos) -> documents(t, nanos).delete(built));
  }

  /** A new atomic batch; {@link BatchBuilder#commit} sends it. */
  public BatchBuilder batch() {
    return new BatchBuilder(
        req -> {
          ByteString id = req.getRequestId().isEmpty() ? newRequestId() : req.getRequestId();
          BatchRequest built = req.setRequestId(id).build();
          return retrier.run(
              Retrier.Call.write(id), (t, nanos) -> documents(t, nanos).batch(built));
        });
  }

  /**
   * What became of the write that carried {@code requestId} (linearizable): COMMITTED at an index,
   * REJECTED with its error, or UNKNOWN (never seen, or older than the idempotency horizon).
   */
  public WriteStatusReply writeStatus(ByteString requestId) {
    WriteStatusRequest req = WriteStatusRequest.newBuilder().setRequestId(requestId).build();
    return read((t, nanos) -> documents(t, nanos).writeStatus(req));
  }

  /**
   * Watches the committed changes of {@code collection} from commit index {@code fromIndex} on (see
   * {@link Watch}): every change once, in commit order, resumed on another node when its node goes
   * away. Returns at once; {@code listener} is called on the client's threads.
   */
  public Watch watch(String collection, long fromIndex, WatchListener listener) {
    return watch(collection, fromIndex, "", listener);
  }

  /**
   * As {@link #watch(String, long, WatchListener)}, resuming inside {@code fromIndex}: only its
   * changes whose _id sorts after {@code afterId} ({@link Watch#resumeAfterId}).
   */
  public Watch watch(String collection, long fromIndex, String afterId, WatchListener listener) {
    Watch w =
        new Watch(endpoints, backoff, options.deadline(), collection, fromIndex, afterId, listener);
    w.start();
    return w;
  }

  /** A session: read-your-writes on any node (see {@link Session}). */
  public Session session() {
    return new Session(this);
  }

  // ----------------------------------------------------------------------------------------- reads

  /** Linearizable read of one document (any node can serve it). */
  public GetReply get(String collection, String docId) {
    GetRequest req =
        GetRequest.newBuilder()
            .setCollection(collection)
            .setId(docId)
            .setConsistency(Consistency.LINEARIZABLE)
            .build();
    return read((t, nanos) -> documents(t, nanos).get(req));
  }

  /**
   * A read served by {@code endpoint} itself, at an applied index of at least {@code minIndex}; one
   * attempt, bounded by the deadline.
   */
  public GetReply getAtLeast(String endpoint, String collection, String docId, long minIndex) {
    GetRequest req =
        GetRequest.newBuilder()
            .setCollection(collection)
            .setId(docId)
            .setConsistency(Consistency.AT_LEAST_INDEX)
            .setMinIndex(minIndex)
            .build();
    return retrier.run(
        Retrier.Call.at(endpoint, options.deadline()), (t, nanos) -> documents(t, nanos).get(req));
  }

  /**
   * A history read at exactly {@code index}, served by {@code endpoint} once it applied it; refused
   * with AERO_MVCC_SNAPSHOT_TOO_OLD below the GC floor.
   */
  public GetReply getAt(String endpoint, String collection, String docId, long index) {
    GetRequest req =
        GetRequest.newBuilder()
            .setCollection(collection)
            .setId(docId)
            .setConsistency(Consistency.AT_INDEX)
            .setMinIndex(index)
            .build();
    return retrier.run(
        Retrier.Call.at(endpoint, options.deadline()), (t, nanos) -> documents(t, nanos).get(req));
  }

  // ------------------------------------------------------------------ schemas, indexes, queries

  /** Publishes a new schema version (a replicated write); the reply names the new version. */
  public WriteReply publishSchema(String collection, String schemaJson) {
    ByteString id = newRequestId();
    PublishSchemaRequest req =
        PublishSchemaRequest.newBuilder()
            .setCollection(collection)
            .setSchemaJson(schemaJson)
            .setRequestId(id)
            .build();
    return write(id, (t, nanos) -> queries(t, nanos).publishSchema(req));
  }

  /** Creates (and builds) an index on a scalar field path (a replicated write). */
  public WriteReply createIndex(String collection, String field) {
    ByteString id = newRequestId();
    CreateIndexRequest req =
        CreateIndexRequest.newBuilder()
            .setCollection(collection)
            .setField(field)
            .setRequestId(id)
            .build();
    return write(id, (t, nanos) -> queries(t, nanos).createIndex(req));
  }

  /** Drops the index on a field path (a replicated write). */
  public WriteReply dropIndex(String collection, String field) {
    ByteString id = newRequestId();
    DropIndexRequest req =
        DropIndexRequest.newBuilder()
            .setCollection(collection)
            .setField(field)
            .setRequestId(id)
            .build();
    return write(id, (t, nanos) -> queries(t, nanos).dropIndex(req));
  }

  /** The indexes and schema versions of a collection (linearizable). */
  public ListIndexesReply listIndexes(String collection) {
    ListIndexesRequest req =
        ListIndexesRequest.newBuilder()
            .setCollection(collection)
            .setConsistency(Consistency.LINEARIZABLE)
            .build();
    return read((t, nanos) -> queries(t, nanos).listIndexes(req));
  }

  /**
   * Runs a query on any node; linearizable unless {@code req} asks otherwise (use {@link #queryAt}
   * for a read on one given node).
   */
  public QueryReply query(QueryRequest req) {
    return read((t, nanos) -> queries(t, nanos).query(req));
  }

  /**
   * Runs a query on {@code endpoint} itself (e.g. AT_LEAST_INDEX: a follower read); one attempt,
   * bounded by the deadline and the attempt timeout.
   */
  public QueryReply queryAt(String endpoint, QueryRequest req) {
    return retrier.run(
        Retrier.Call.at(endpoint, oneNodeQueryTimeout()),
        (t, nanos) -> queries(t, nanos).query(req));
  }

  /** The plan of a query, or why it would be refused (reads no document). */
  public ExplainReply explain(QueryRequest req) {
    return read((t, nanos) -> queries(t, nanos).explain(req));
  }

  /** Explains a query on {@code endpoint} itself; one attempt, bounded as {@link #queryAt}. */
  public ExplainReply explainAt(String endpoint, QueryRequest req) {
    return retrier.run(
        Retrier.Call.at(endpoint, oneNodeQueryTimeout()),
        (t, nanos) -> queries(t, nanos).explain(req));
  }

  /** Shuts down the channels of this client and its {@link #admin()}. */
  @Override
  public void close() {
    endpoints.close();
  }

  private WriteReply write(ByteString requestId, Retrier.Attempt<WriteReply> attempt) {
    return retrier.run(Retrier.Call.write(requestId), attempt);
  }

  private <T> T read(Retrier.Attempt<T> attempt) {
    return retrier.run(Retrier.Call.read(), attempt);
  }

  private Duration oneNodeQueryTimeout() {
    Duration deadline = options.deadline();
    Duration attempt = options.attemptTimeout();
    return deadline.compareTo(attempt) < 0 ? deadline : attempt;
  }

  private DocumentServiceGrpc.DocumentServiceBlockingStub documents(
      String target, long timeoutNanos) {
    return DocumentServiceGrpc.newBlockingStub(endpoints.channel(target))
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private QueryServiceGrpc.QueryServiceBlockingStub queries(String target, long timeoutNanos) {
    return QueryServiceGrpc.newBlockingStub(endpoints.channel(target))
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private static ByteString newRequestId() {
    byte[] b = new byte[16];
    REQUEST_IDS.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
