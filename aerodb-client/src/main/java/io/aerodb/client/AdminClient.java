package io.aerodb.client;

import io.aerodb.proto.v1.AddLearnerRequest;
import io.aerodb.proto.v1.AdminServiceGrpc;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.EventsRequest;
import io.aerodb.proto.v1.ExplainTransferReply;
import io.aerodb.proto.v1.ExplainTransferRequest;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.PromoteRequest;
import io.aerodb.proto.v1.RemoveRequest;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.aerodb.proto.v1.TransferLeaderRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's calls: node status, leadership transfer, membership changes, events. Obtained from
 * {@link AeroClient#admin()}; shares that client's endpoints, remembered leader and channels, and
 * is closed with it. Thread-safe.
 *
 * <p>Calls on the leader find it through the endpoints, follow an AERO_NOT_LEADER answer naming the
 * leader and re-ask who leads after a refused connection, at most twice in all, without pause.
 * Nothing else is retried: a transport failure after the request may have reached the leader is
 * reported as it is.
 */
public final class AdminClient {
  private final Endpoints endpoints;
  private final Retrier retrier;
  private final AeroClient.Options options;

  AdminClient(Endpoints endpoints, Retrier retrier, AeroClient.Options options) {
    this.endpoints = endpoints;
    this.retrier = retrier;
    this.options = options;
  }

  /** One node's own status. */
  public NodeStatusReply nodeStatus(String endpoint, Duration timeout) {
    return endpoints.nodeStatus(endpoint, timeout);
  }

  /**
   * Runs a leadership transfer on the leader; each attempt may take {@code timeout} plus 10 s. A
   * transfer is never retried after it may have reached the leader.
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
    return onLeader(timeout.plusSeconds(10), (t, nanos) -> admin(t, nanos).transferLeader(req));
  }

  /** Why the leader would or would not transfer leadership to {@code target} now. */
  public ExplainTransferReply explainTransfer(String target) {
    ExplainTransferRequest req = ExplainTransferRequest.newBuilder().setTarget(target).build();
    return onLeader(options.deadline(), (t, nanos) -> admin(t, nanos).explainTransfer(req));
  }

  /** Adds a learner; each attempt may take the deadline plus 30 s. */
  public MembershipReply addLearner(
      String nodeId, String apiAddress, boolean dryRun, String requestId) {
    AddLearnerRequest req =
        AddLearnerRequest.newBuilder()
            .setNodeId(nodeId)
            .setApiAddress(apiAddress)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return onLeader(membershipTimeout(), (t, nanos) -> admin(t, nanos).addLearner(req));
  }

  /** Promotes a learner to voter; each attempt may take the deadline plus 30 s. */
  public MembershipReply promote(String nodeId, boolean dryRun, String requestId) {
    PromoteRequest req =
        PromoteRequest.newBuilder()
            .setNodeId(nodeId)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return onLeader(membershipTimeout(), (t, nanos) -> admin(t, nanos).promote(req));
  }

  /** Removes a member; each attempt may take the deadline plus 30 s. */
  public MembershipReply remove(String nodeId, boolean dryRun, String requestId) {
    RemoveRequest req =
        RemoveRequest.newBuilder()
            .setNodeId(nodeId)
            .setDryRun(dryRun)
            .setRequestId(requestId)
            .build();
    return onLeader(membershipTimeout(), (t, nanos) -> admin(t, nanos).remove(req));
  }

  /** Events and the authority history as one node knows them. */
  public EventsReply events(String endpoint, long sinceId, long historyAfterIndex, int limit) {
    EventsRequest req =
        EventsRequest.newBuilder()
            .setSinceId(sinceId)
            .setHistoryAfterIndex(historyAfterIndex)
            .setLimit(limit)
            .build();
    return retrier.run(
        Retrier.Call.at(endpoint, options.deadline()), (t, nanos) -> admin(t, nanos).events(req));
  }

  /** The state digest {@code endpoint} keeps for the entry at {@code index} (one attempt). */
  public io.aerodb.proto.v1.StateDigestReply stateDigest(
      String endpoint, long index, Duration timeout) {
    try {
      return io.aerodb.proto.v1.ClusterServiceGrpc.newBlockingStub(endpoints.channel(endpoint))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .stateDigest(io.aerodb.proto.v1.StateDigestRequest.newBuilder().setIndex(index).build());
    } catch (io.grpc.StatusRuntimeException e) {
      throw AeroClientException.fromStatus(e, endpoint);
    }
  }

  /**
   * Takes a snapshot on the node at {@code endpoint} (its store made durable, its log purged behind
   * it). Idempotent, so retried like a read.
   */
  public io.aerodb.proto.v1.TakeSnapshotReply takeSnapshot(String endpoint) {
    io.aerodb.proto.v1.TakeSnapshotRequest req =
        io.aerodb.proto.v1.TakeSnapshotRequest.getDefaultInstance();
    return retrier.run(
        Retrier.Call.at(endpoint, options.deadline().plusSeconds(10)),
        (t, nanos) -> admin(t, nanos).takeSnapshot(req));
  }

  /**
   * Streams a backup of the node at {@code endpoint} into {@code sink}: the manifest, then every
   * chunk, in order, as fast as the sink takes them (the node sends no faster). One attempt. The
   * call is cancelled when the sink throws (the exception passes through) and when the node sends
   * nothing for {@code idle} (AERO_BACKUP_FAILED): its checkpoint and manifest come first, so allow
   * for reading the whole store once.
   */
  public void backup(
      String endpoint,
      String requester,
      Duration idle,
      java.util.function.Consumer<io.aerodb.proto.v1.BackupPart> sink) {
    io.aerodb.proto.v1.BackupRequest req =
        io.aerodb.proto.v1.BackupRequest.newBuilder().setRequester(requester).build();
    io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
    java.util.concurrent.atomic.AtomicLong last =
        new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    java.util.concurrent.atomic.AtomicBoolean silent =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread watchdog =
        new Thread(
            () -> {
              while (!call.isCancelled()) {
                try {
                  Thread.sleep(200); // the watchdog's tick, bounded by the call's life
                } catch (InterruptedException e) {
                  return;
                }
                if (System.nanoTime() - last.get() > idle.toNanos()) {
                  silent.set(true);
                  call.cancel(null);
                  return;
                }
              }
            },
            "aerodb-backup-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      call.run(
          () -> {
            java.util.Iterator<io.aerodb.proto.v1.BackupPart> parts =
                AdminServiceGrpc.newBlockingStub(endpoints.channel(endpoint)).backup(req);
            while (parts.hasNext()) {
              io.aerodb.proto.v1.BackupPart part = parts.next();
              last.set(System.nanoTime());
              sink.accept(part);
              last.set(System.nanoTime());
            }
          });
    } catch (io.grpc.StatusRuntimeException e) {
      if (silent.get()) {
        throw new AeroClientException(
            "AERO_BACKUP_FAILED",
            "ERROR",
            endpoint + " sent nothing for " + idle.toSeconds() + " s; the backup was abandoned",
            "",
            new java.util.TreeMap<>(java.util.Map.of("node", endpoint)),
            "",
            "",
            "");
      }
      throw AeroClientException.fromStatus(e, endpoint);
    } finally {
      call.cancel(null);
      watchdog.interrupt();
    }
  }

  /**
   * Raises the GC floor on the leader. Idempotent (the same floor again is accepted), so retried
   * like a write with a request id would be.
   */
  public io.aerodb.proto.v1.SetGcFloorReply setGcFloor(long floor) {
    io.aerodb.proto.v1.SetGcFloorRequest req =
        io.aerodb.proto.v1.SetGcFloorRequest.newBuilder().setFloor(floor).build();
    return onLeader(options.attemptTimeout(), (t, nanos) -> admin(t, nanos).setGcFloor(req));
  }

  /** Raises the idempotency horizon (entries a request_id is remembered for) on every node. */
  public io.aerodb.proto.v1.SetIdempotencyHorizonReply setIdempotencyHorizon(long entries) {
    io.aerodb.proto.v1.SetIdempotencyHorizonRequest req =
        io.aerodb.proto.v1.SetIdempotencyHorizonRequest.newBuilder().setEntries(entries).build();
    return onLeader(
        options.attemptTimeout(), (t, nanos) -> admin(t, nanos).setIdempotencyHorizon(req));
  }

  /**
   * The remembered leader's API address, or else the one the first endpoint that knows a leader
   * reports.
   */
  public String leaderEndpoint() {
    return endpoints.leaderEndpoint();
  }

  /** The configured endpoints, plus any leader or member address learned since. */
  public List<String> endpoints() {
    return endpoints.list();
  }

  private Duration membershipTimeout() {
    return options.deadline().plusSeconds(30);
  }

  private <T> T onLeader(Duration attemptTimeout, Retrier.Attempt<T> attempt) {
    return retrier.run(Retrier.Call.leaderAdmin(attemptTimeout), attempt);
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin(String target, long timeoutNanos) {
    return AdminServiceGrpc.newBlockingStub(endpoints.channel(target))
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
  }
}
