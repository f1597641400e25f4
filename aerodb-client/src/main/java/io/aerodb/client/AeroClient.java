package io.aerodb.client;

import com.google.protobuf.ByteString;
import io.aerodb.proto.v1.AddLearnerRequest;
import io.aerodb.proto.v1.AdminServiceGrpc;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.CreateCollectionRequest;
import io.aerodb.proto.v1.CreateIndexRequest;
import io.aerodb.proto.v1.DeleteRequest;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.DropIndexRequest;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.EventsRequest;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.ExplainTransferReply;
import io.aerodb.proto.v1.ExplainTransferRequest;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.GetRequest;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.ListIndexesRequest;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.NodeStatusRequest;
import io.aerodb.proto.v1.PromoteRequest;
import io.aerodb.proto.v1.PublishSchemaRequest;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.proto.v1.RemoveRequest;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.aerodb.proto.v1.TransferLeaderRequest;
import io.aerodb.proto.v1.UpdateRequest;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The AeroDB Java client. Thread-safe; share one per application.
 *
 * <p>Writes go to the leader: the client remembers it, follows AERO_NOT_LEADER to the address the
 * server names, and tries the other endpoints when a node is down. Every write carries a random
 * 16-byte request_id that is reused by every retry of that write, so a retry can never apply it
 * twice; when the time runs out while an attempt's outcome was unknown, the call fails with
 * AERO_OUTCOME_UNKNOWN (never with a guess). Retries are bounded by {@link Options#deadline} and
 * {@link Options#maxAttempts}.
 */
public final class AeroClient implements AutoCloseable {
  /** Client options. */
  public record Options(Duration deadline, Duration attemptTimeout, int maxAttempts) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(15), Duration.ofSeconds(12), 40);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Options options;
  private final List<String> endpoints = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private volatile String leaderHint;
  private int next;

  private AeroClient(List<String> endpoints, Options options) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint host:port");
    }
    this.endpoints.addAll(endpoints);
    this.options = options;
  }

  /** A client for the cluster reachable at these API endpoints ("host:port"). */
  public static AeroClient connect(List<String> endpoints) {
    return new AeroClient(endpoints, Options.defaults());
  }

  public static AeroClient connect(List<String> endpoints, Options options) {
    return new AeroClient(endpoints, options);
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

  // ---------------------------------------------------------------------------------------- writes

  public WriteReply createCollection(String collection, String schemaJson) {
    ByteString id = newRequestId();
    return write(
        s ->
            s.createCollection(
                CreateCollectionRequest.newBuilder()
                    .setCollection(collection)
                    .setSchemaJson(schemaJson)
                    .setRequestId(id)
                    .build()),
        id);
  }

  public WriteReply insert(String collection, String documentJson) {
    ByteString id = newRequestId();
    return write(
        s ->
            s.insert(
                InsertRequest.newBuilder()
                    .setCollection(collection)
                    .setDocumentJson(documentJson)
                    .setRequestId(id)
                    .build()),
        id);
  }

  public WriteReply update(String collection, String documentJson) {
    ByteString id = newRequestId();
    return write(
        s ->
            s.update(
                UpdateRequest.newBuilder()
                    .setCollection(collection)
                    .setDocumentJson(documentJson)
                    .setRequestId(id)
                    .build()),
        id);
  }

  public WriteReply delete(String collection, String docId) {
    ByteString id = newRequestId();
    return write(
        s ->
            s.delete(
                DeleteRequest.newBuilder()
                    .setCollection(collection)
                    .setId(docId)
                    .setRequestId(id)
                    .build()),
        id);
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
    return read(s -> s.get(req));
  }

  /** A read served by {@code endpoint} itself, at an applied index of at least {@code minIndex}. */
  public GetReply getAtLeast(String endpoint, String collection, String docId, long minIndex) {
    GetRequest req =
        GetRequest.newBuilder()
            .setCollection(collection)
            .setId(docId)
            .setConsistency(Consistency.AT_LEAST_INDEX)
            .setMinIndex(minIndex)
            .build();
    try {
      return docs(endpoint)
          .withDeadlineAfter(options.deadline().toMillis(), TimeUnit.MILLISECONDS)
          .get(req);
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  // ------------------------------------------------------------------ schemas, indexes, queries

  /** Publishes a new schema version (a replicated write); the reply names the new version. */
  public WriteReply publishSchema(String collection, String schemaJson) {
    ByteString id = newRequestId();
    return writeTo(
        (target, deadline) ->
            queries(target, deadline)
                .publishSchema(
                    PublishSchemaRequest.newBuilder()
                        .setCollection(collection)
                        .setSchemaJson(schemaJson)
                        .setRequestId(id)
                        .build()),
        id);
  }

  /** Creates (and builds) an index on a scalar field path (a replicated write). */
  public WriteReply createIndex(String collection, String field) {
    ByteString id = newRequestId();
    return writeTo(
        (target, deadline) ->
            queries(target, deadline)
                .createIndex(
                    CreateIndexRequest.newBuilder()
                        .setCollection(collection)
                        .setField(field)
                        .setRequestId(id)
                        .build()),
        id);
  }

  /** Drops the index on a field path (a replicated write). */
  public WriteReply dropIndex(String collection, String field) {
    ByteString id = newRequestId();
    return writeTo(
        (target, deadline) ->
            queries(target, deadline)
                .dropIndex(
                    DropIndexRequest.newBuilder()
                        .setCollection(collection)
                        .setField(field)
                        .setRequestId(id)
                        .build()),
        id);
  }

  /** The indexes and schema versions of a collection (linearizable). */
  public ListIndexesReply listIndexes(String collection) {
    ListIndexesRequest req =
        ListIndexesRequest.newBuilder()
            .setCollection(collection)
            .setConsistency(Consistency.LINEARIZABLE)
            .build();
    return readFrom((target, deadline) -> queries(target, deadline).listIndexes(req));
  }

  /**
   * Runs a query on any node; linearizable unless {@code req} asks otherwise (use {@link #queryAt}
   * for a read on one given node).
   */
  public QueryReply query(QueryRequest req) {
    return readFrom((target, deadline) -> queries(target, deadline).query(req));
  }

  /** Runs a query on {@code endpoint} itself (e.g. AT_LEAST_INDEX: a follower read). */
  public QueryReply queryAt(String endpoint, QueryRequest req) {
    try {
      return queries(endpoint, System.nanoTime() + options.deadline().toNanos()).query(req);
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  /** The plan of a query, or why it would be refused (reads no document). */
  public ExplainReply explain(QueryRequest req) {
    return readFrom((target, deadline) -> queries(target, deadline).explain(req));
  }

  /** Explains a query on {@code endpoint} itself. */
  public ExplainReply explainAt(String endpoint, QueryRequest req) {
    try {
      return queries(endpoint, System.nanoTime() + options.deadline().toNanos()).explain(req);
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  /** One node's own status. */
  public NodeStatusReply nodeStatus(String endpoint, Duration timeout) {
    try {
      return ClusterServiceGrpc.newBlockingStub(channel(endpoint))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  // ------------------------------------------------------------------------------------ admin

  /**
   * Runs a leadership transfer on the leader (found through the endpoints; an AERO_NOT_LEADER
   * answer is followed, at most twice). A transfer is never retried: a transport failure after the
   * request may have reached the leader is reported as it is.
   */
  public TransferLeaderReply transferLeader(
      String target, boolean dryRun, Duration timeout, String requestId) {
    TransferLeaderRequest req =
        TransferLeaderRequest.newBuilder()
            .setTarget(target)
            .setDryRun(dryRun)
            .setTimeoutMs(timeout.toMillis())
            .setRequestId(requestId)
            .build();
    return admin(s -> s.transferLeader(req), timeout.plusSeconds(10));
  }

  public ExplainTransferReply explainTransfer(String target) {
    ExplainTransferRequest req = ExplainTransferRequest.newBuilder().setTarget(target).build();
    return admin(s -> s.explainTransfer(req), options.deadline());
  }

  public MembershipReply addLearner(
      String nodeId, String apiAddress, boolean dryRun, String requestId) {
    AddLearnerRequest req =
        AddLearnerRequest.newBuilder()
            .setNodeId(nodeId)
            .setApiAddress(apiAddress)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return admin(s -> s.addLearner(req), options.deadline().plusSeconds(30));
  }

  public MembershipReply promote(String nodeId, boolean dryRun, String requestId) {
    PromoteRequest req =
        PromoteRequest.newBuilder()
            .setNodeId(nodeId)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return admin(s -> s.promote(req), options.deadline().plusSeconds(30));
  }

  public MembershipReply remove(String nodeId, boolean dryRun, String requestId) {
    RemoveRequest req =
        RemoveRequest.newBuilder()
            .setNodeId(nodeId)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return admin(s -> s.remove(req), options.deadline().plusSeconds(30));
  }

  /** Events and the authority history as one node knows them. */
  public EventsReply events(String endpoint, long sinceId, long historyAfterIndex, int limit) {
    try {
      return AdminServiceGrpc.newBlockingStub(channel(endpoint))
          .withDeadlineAfter(options.deadline().toMillis(), TimeUnit.MILLISECONDS)
          .events(
              EventsRequest.newBuilder()
                  .setSinceId(sinceId)
                  .setHistoryAfterIndex(historyAfterIndex)
                  .setLimit(limit)
                  .build());
    } catch (StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  /** The API address of the leader as the first answering endpoint reports it. */
  public String leaderEndpoint() {
    String hint = leaderHint;
    if (hint != null) {
      return hint; // an AERO_NOT_LEADER answer from it is followed anyway
    }
    AeroClientException last = null;
    for (String e : endpoints()) {
      try {
        NodeStatusReply s = nodeStatus(e, Duration.ofSeconds(1));
        if (!s.getLeaderAddress().isEmpty()) {
          return s.getLeaderAddress();
        }
      } catch (AeroClientException ex) {
        last = ex;
      }
    }
    throw last != null
        ? last
        : ClientErrors.of(ClientErrors.CLUSTER_UNAVAILABLE, "no node knows a leader right now");
  }

  private <T> T admin(
      Function<AdminServiceGrpc.AdminServiceBlockingStub, T> call, Duration deadline) {
    String target = leaderEndpoint();
    for (int hop = 0; ; hop++) {
      try {
        return call.apply(
            AdminServiceGrpc.newBlockingStub(channel(target))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
      } catch (StatusRuntimeException e) {
        AeroClientException ae = AeroClientException.fromStatus(e, target);
        if (ae.code().equals("AERO_NOT_LEADER") && !ae.leaderAddress().isEmpty() && hop < 2) {
          target = follow(ae);
          continue;
        }
        if (ae.code().equals(ClientErrors.CLUSTER_UNAVAILABLE) && hop < 2) {
          // The connection was refused: nothing was sent. Ask the cluster who leads now.
          leaderHint = null;
          target = leaderEndpoint();
          continue;
        }
        throw ae;
      }
    }
  }

  /** The configured endpoints, plus any leader address learned since. */
  public synchronized List<String> endpoints() {
    return List.copyOf(endpoints);
  }

  // ------------------------------------------------------------------------------------ retry
  // loops

  private WriteReply write(
      Function<DocumentServiceGrpc.DocumentServiceBlockingStub, WriteReply> call,
      ByteString requestId) {
    return writeTo((target, deadline) -> call.apply(stub(target, deadline)), requestId);
  }

  /**
   * The write retry loop: {@code call} makes one attempt on an endpoint with the overall deadline
   * (nanoTime); the same request_id rides every attempt.
   */
  private WriteReply writeTo(BiFunction<String, Long, WriteReply> call, ByteString requestId) {
    long deadline = System.nanoTime() + options.deadline().toNanos();
    String target = leaderHint != null ? leaderHint : nextEndpoint();
    boolean ambiguous = false;
    AeroClientException last = null;
    AeroClientException lastAnswer = null;
    for (int attempt = 0;
        attempt < options.maxAttempts() && System.nanoTime() < deadline;
        attempt++) {
      try {
        WriteReply r = call.apply(target, deadline);
        leaderHint = target;
        return r;
      } catch (StatusRuntimeException e) {
        AeroClientException ae = AeroClientException.fromStatus(e, target);
        last = ae;
        if (!ae.nodeId().isEmpty()) {
          lastAnswer = ae; // a node's own answer, not a transport failure
        }
        switch (ae.code()) {
          case "AERO_NOT_LEADER":
            target = follow(ae);
            pause(attempt, ae.leaderAddress().isEmpty(), deadline);
            continue;
          case "AERO_OUTCOME_UNKNOWN":
            ambiguous = true;
            target = ae.leaderAddress().isEmpty() ? nextEndpoint() : follow(ae);
            pause(attempt, true, deadline);
            continue;
          case "AERO_CLUSTER_NO_LEADER":
          case "AERO_CLUSTER_LEADER_NOT_READY":
          case "AERO_CLUSTER_LEADER_STEPPING_DOWN":
          case "AERO_CLUSTER_OVERLOADED":
            pause(attempt, true, deadline);
            continue;
          case "AERO_NODE_NOT_READY":
          case ClientErrors.CLUSTER_UNAVAILABLE:
            leaderHint = null;
            target = nextAfterFailure(attempt);
            pause(attempt, true, deadline);
            continue;
          case "transport":
            ambiguous = true;
            leaderHint = null;
            target = nextAfterFailure(attempt);
            pause(attempt, true, deadline);
            continue;
          default:
            throw ae; // a rejection, or an error a retry cannot fix
        }
      }
    }
    if (ambiguous) {
      throw ClientErrors.of(
          ClientErrors.OUTCOME_UNKNOWN,
          "the write may or may not have committed; retrying with the same request_id would tell",
          "requestId",
          hex(requestId),
          "lastError",
          last == null ? "" : last.getMessage());
    }
    throw unavailable(last, lastAnswer);
  }

  private <T> T read(Function<DocumentServiceGrpc.DocumentServiceBlockingStub, T> call) {
    return readFrom((target, deadline) -> call.apply(stub(target, deadline)));
  }

  /** The read retry loop: any node may serve; rejections are final. */
  private <T> T readFrom(BiFunction<String, Long, T> call) {
    long deadline = System.nanoTime() + options.deadline().toNanos();
    String target = leaderHint != null ? leaderHint : nextEndpoint();
    AeroClientException last = null;
    AeroClientException lastAnswer = null;
    for (int attempt = 0;
        attempt < options.maxAttempts() && System.nanoTime() < deadline;
        attempt++) {
      try {
        return call.apply(target, deadline);
      } catch (StatusRuntimeException e) {
        AeroClientException ae = AeroClientException.fromStatus(e, target);
        last = ae;
        if (!ae.nodeId().isEmpty()) {
          lastAnswer = ae; // a node's own answer, not a transport failure
        }
        if (ae.isReject() || "AERO_INTERNAL".equals(ae.code())) {
          throw ae;
        }
        target = nextEndpoint();
        pause(attempt, true, deadline);
      }
    }
    throw unavailable(last, lastAnswer);
  }

  /**
   * The error for a retry loop that ran out of attempts or time: the last attempt's own error if a
   * node answered it; otherwise CLUSTER_UNAVAILABLE, naming the last answer any node gave (e.g. a
   * leader refusing reads it cannot confirm), so a user sees why the nodes did not serve.
   */
  private AeroClientException unavailable(AeroClientException last, AeroClientException answer) {
    boolean lastAnswered = last != null && !last.nodeId().isEmpty();
    boolean lastNamed =
        last != null && !"transport".equals(last.code()); // e.g. a refused connection
    if (lastAnswered || (lastNamed && answer == null)) {
      return last; // the last attempt's own answer, or no node answered at all
    }
    String because =
        answer == null
            ? ""
            : "; the last answer was "
                + answer.code()
                + " from "
                + answer.nodeId()
                + ": "
                + answer.detailMessage();
    return ClientErrors.of(
        ClientErrors.CLUSTER_UNAVAILABLE,
        "no node answered within " + options.deadline().toMillis() + " ms" + because,
        "endpoints",
        String.join(",", endpoints()),
        "lastError",
        last == null ? "" : last.detailMessage(),
        "lastAnswer",
        answer == null ? "" : answer.code());
  }

  private String follow(AeroClientException notLeader) {
    String leader = notLeader.leaderAddress();
    if (leader.isEmpty()) {
      return nextEndpoint();
    }
    synchronized (this) {
      if (!endpoints.contains(leader)) {
        endpoints.add(leader);
      }
    }
    leaderHint = leader;
    return leader;
  }

  /**
   * Backoff between attempts: 20, 40, 80, 160, then 200 ms, never past the deadline. Short on
   * purpose: an election takes about one election timeout, and a long sleep would only add to the
   * write pause the application sees.
   */
  private static void pause(int attempt, boolean backoff, long deadlineNanos) {
    if (!backoff) {
      return;
    }
    long ms = Math.min(200, 20L << Math.min(attempt, 4));
    long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
    try {
      Thread.sleep(Math.max(0, Math.min(ms, remainingMs)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ClientErrors.of(ClientErrors.INTERNAL, "interrupted");
    }
  }

  /**
   * The next endpoint to try after a node failed; after each full round of failures, the client
   * first asks any node that answers for the current members, so it follows membership changes
   * without a restart.
   */
  private String nextAfterFailure(int attempt) {
    if ((attempt + 1) % Math.max(1, endpoints().size()) == 0) {
      refreshMembers();
    }
    return nextEndpoint();
  }

  /** Adds the API address of every current member (as the first answering node reports them). */
  public void refreshMembers() {
    for (String e : endpoints()) {
      try {
        NodeStatusReply s = nodeStatus(e, Duration.ofMillis(500));
        synchronized (this) {
          for (var m : s.getMembersList()) {
            if (!m.getApiAddress().isEmpty() && !endpoints.contains(m.getApiAddress())) {
              endpoints.add(m.getApiAddress());
            }
          }
        }
        return;
      } catch (AeroClientException ignored) {
        // try the next one
      }
    }
  }

  private synchronized String nextEndpoint() {
    String e = endpoints.get(next % endpoints.size());
    next++;
    return e;
  }

  private DocumentServiceGrpc.DocumentServiceBlockingStub stub(String target, long deadlineNanos) {
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    long attempt = Math.min(remaining, options.attemptTimeout().toNanos());
    return docs(target).withDeadlineAfter(attempt, TimeUnit.NANOSECONDS);
  }

  private QueryServiceGrpc.QueryServiceBlockingStub queries(String target, long deadlineNanos) {
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    long attempt = Math.min(remaining, options.attemptTimeout().toNanos());
    return QueryServiceGrpc.newBlockingStub(channel(target))
        .withDeadlineAfter(attempt, TimeUnit.NANOSECONDS);
  }

  private DocumentServiceGrpc.DocumentServiceBlockingStub docs(String target) {
    return DocumentServiceGrpc.newBlockingStub(channel(target));
  }

  private synchronized ManagedChannel channel(String target) {
    return channels.computeIfAbsent(
        target,
        t ->
            NettyChannelBuilder.forTarget(t)
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build());
  }

  private static ByteString newRequestId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private static String hex(ByteString b) {
    return java.util.HexFormat.of().formatHex(b.toByteArray());
  }

  @Override
  public synchronized void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
