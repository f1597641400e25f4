package io.aerodb.node.promotion;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.events.EventType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs operator-requested leadership transfers through {@link TransferWorkflow} (SPEC §4):
 *
 * <ol>
 *   <li>REQUESTED → VALIDATING: capture the view, decide with {@link TransferValidator} (pure)
 *       [P6-D1];
 *   <li>DENIED → STEADY with the reason, invariant and numbers; or APPROVED → TRANSFERRING;
 *   <li>TRANSFERRING: append a {@code transfer-intent} record (so the next leader's epoch names the
 *       request, and a crash mid-transfer is visible afterwards [P6-O1]), then ONE call of Ratis'
 *       transfer with a bounded timeout; success means the target leads in a higher term;
 *   <li>SUCCEEDED or FAILED (with the cause; a failure also appends a {@code transfer-outcome}
 *       record when this node still leads) → STEADY. Nothing retries a transfer [P6-F3].
 * </ol>
 *
 * Every state change is an event with the request id, terms and commit index. Transfers run one at
 * a time on a dedicated thread; a request that finds one in flight is refused with
 * TRANSFER_IN_PROGRESS [P6-A2]. Dry runs and explain only read the view.
 */
public final class TransferCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(TransferCoordinator.class);

  /** How a request ended. {@code state} is SUCCEEDED, FAILED, DENIED, or APPROVED for a dry run. */
  public record Outcome(
      String requestId,
      Decision decision,
      TransferState state,
      long termBefore,
      long termAfter,
      String newLeader,
      long durationMs,
      String failure) {}

  private final ClusterViewReader views;
  private final TransferWorkflow workflow = new TransferWorkflow();
  private final EventLog events;
  private final AuthorityWriter authority;
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final String selfId;
  private final ChangeGate gate;
  private final ExecutorService executor;
  private final ClientId clientId = ClientId.randomId();
  // Requests this process handed over (reached TRANSFERRING), newest last; in memory on purpose: a
  // restarted process handed nothing over.
  private final java.util.ArrayDeque<String> handingOver = new java.util.ArrayDeque<>();
  private long callId;

  public TransferCoordinator(
      ClusterViewReader views,
      EventLog events,
      AuthorityWriter authority,
      RaftServer server,
      RaftGroupId groupId,
      String selfId,
      ChangeGate gate,
      ExecutorService executor) {
    this.views = views;
    this.events = events;
    events.declareTransferStates(
        java.util.Arrays.stream(TransferState.values()).map(Enum::name).toList());
    this.authority = authority;
    this.server = server;
    this.groupId = groupId;
    this.selfId = selfId;
    this.gate = gate;
    this.executor = executor;
  }

  /**
   * Whether this process handed leadership over for {@code requestId} (its transfer reached
   * TRANSFERRING). A new leader's epoch names the cause "transfer" only on this answer [P6-D2].
   */
  public boolean handedOver(String requestId) {
    synchronized (handingOver) {
      return handingOver.contains(requestId);
    }
  }

  public TransferWorkflow.Snapshot workflow() {
    return workflow.snapshot();
  }

  /** The decision a request would get now, with every check; changes nothing [P6-O2, P4-8]. */
  public Decision explain(String target) {
    return TransferValidator.decide(
        views.read(gate.transferInFlight(), gate.membershipInFlight()), target);
  }

  /** Runs (or, for a dry run, only decides) a transfer of leadership to {@code target}. */
  public CompletableFuture<Outcome> request(
      String target, boolean dryRun, long timeoutMs, String requestId) {
    if (dryRun) {
      Decision d = explain(target);
      return CompletableFuture.completedFuture(
          new Outcome(
              requestId,
              d,
              d.approved() ? TransferState.APPROVED : TransferState.DENIED,
              0,
              0,
              "",
              0,
              ""));
    }
    return CompletableFuture.supplyAsync(() -> run(target, timeoutMs, requestId), executor);
  }

  private Outcome run(String target, long timeoutMs, String requestId) {
    var busy = gate.tryEnter("transfer", requestId);
    if (busy.isPresent()) {
      // Never enters the workflow: the change in flight owns it [P6-A2].
      boolean transfer = busy.get().kind().equals("transfer");
      Decision d =
          TransferValidator.decide(
              views.read(transfer ? busy.get().requestId() : "", !transfer), target);
      events.emit(
          EventType.TRANSFER_REFUSED,
          "requestId",
          requestId,
          "target",
          target,
          "reason",
          d.reason(),
          "inFlight",
          busy.get().kind() + " " + busy.get().requestId());
      return new Outcome(requestId, d, TransferState.DENIED, 0, 0, "", 0, "");
    }
    try {
      return runWorkflow(target, timeoutMs, requestId);
    } finally {
      gate.exit(requestId);
    }
  }

  private Outcome runWorkflow(String target, long timeoutMs, String requestId) {
    long started = System.nanoTime();
    ClusterView view = views.read("", false);
    if (!workflow.begin(requestId, target)) {
      throw new IllegalStateException("transfer workflow not steady although the gate was free");
    }
    note(TransferState.STEADY, TransferState.REQUESTED, requestId, target, view, "");
    move(TransferState.VALIDATING, requestId, target, view, "");
    Decision decision = TransferValidator.decide(view, target);
    if (!decision.approved()) {
      move(TransferState.DENIED, requestId, target, view, decision.summary());
      move(TransferState.STEADY, requestId, target, view, "");
      return new Outcome(
          requestId, decision, TransferState.DENIED, view.term(), view.term(), "", 0, "");
    }
    move(TransferState.APPROVED, requestId, target, view, decision.summary());
    move(TransferState.TRANSFERRING, requestId, target, view, "timeoutMs=" + timeoutMs);
    synchronized (handingOver) {
      handingOver.addLast(requestId);
      while (handingOver.size() > 64) {
        handingOver.removeFirst();
      }
    }
    long termBefore = view.term();
    String failure = "";
    long termAfter = termBefore;
    try {
      authority
          .append(
              AuthorityHistory.TRANSFER_INTENT,
              "requestId",
              requestId,
              "from",
              selfId,
              "to",
              target)
          .get(timeoutMs, TimeUnit.MILLISECONDS);
      RaftClientReply reply =
          server
              .transferLeadershipAsync(
                  new TransferLeadershipRequest(
                      clientId,
                      RaftPeerId.valueOf(selfId),
                      groupId,
                      nextCallId(),
                      RaftPeerId.valueOf(target),
                      timeoutMs))
              .get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
      if (!reply.isSuccess()) {
        failure = "Ratis refused or timed out: " + reply.getException();
      } else {
        termAfter = awaitLeader(target, termBefore, started, timeoutMs);
        if (termAfter <= termBefore) {
          failure =
              "after " + timeoutMs + " ms " + target + " does not lead a term above " + termBefore;
        }
      }
    } catch (Exception e) {
      Throwable c =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      failure = c.getClass().getSimpleName() + ": " + c.getMessage();
    }
    long durationMs = (System.nanoTime() - started) / 1_000_000;
    ClusterView after = view;
    try {
      after = views.read(requestId, false);
    } catch (RuntimeException e) {
      failure = failure.isEmpty() ? "the Raft server is gone: " + e.getMessage() : failure;
    }
    if (failure.isEmpty()) {
      move(
          TransferState.SUCCEEDED,
          requestId,
          target,
          after,
          "termBefore=" + termBefore + " termAfter=" + termAfter + " durationMs=" + durationMs);
      move(TransferState.STEADY, requestId, target, after, "");
      return new Outcome(
          requestId,
          decision,
          TransferState.SUCCEEDED,
          termBefore,
          termAfter,
          target,
          durationMs,
          "");
    }
    move(TransferState.FAILED, requestId, target, after, failure);
    if (after.selfIsLeader()) {
      // Close the intent in the log, so the next leader does not report it as abandoned. Best
      // effort.
      authority
          .append(
              AuthorityHistory.TRANSFER_OUTCOME,
              "requestId",
              requestId,
              "outcome",
              "FAILED",
              "detail",
              failure)
          .exceptionally(
              t -> {
                LOG.warn(
                    "could not record the failure of transfer {}: {}", requestId, t.toString());
                return 0L;
              });
    }
    move(TransferState.STEADY, requestId, target, after, "");
    return new Outcome(
        requestId,
        decision,
        TransferState.FAILED,
        termBefore,
        after.term(),
        after.leaderId(),
        durationMs,
        failure);
  }

  /** Waits (bounded) until this node sees {@code target} lead a term above {@code termBefore}. */
  private long awaitLeader(String target, long termBefore, long startedNanos, long timeoutMs)
      throws InterruptedException {
    long deadline = startedNanos + timeoutMs * 1_000_000;
    while (true) {
      var info = views.division().getInfo();
      if (info.getLeaderId() != null
          && info.getLeaderId().toString().equals(target)
          && info.getCurrentTerm() > termBefore) {
        return info.getCurrentTerm();
      }
      if (System.nanoTime() > deadline) {
        return termBefore;
      }
      Thread.sleep(10);
    }
  }

  private synchronized long nextCallId() {
    return ++callId;
  }

  private void move(
      TransferState to, String requestId, String target, ClusterView v, String detail) {
    TransferState from = workflow.moveTo(to);
    note(from, to, requestId, target, v, detail);
  }

  private void note(
      TransferState from,
      TransferState to,
      String requestId,
      String target,
      ClusterView v,
      String detail) {
    events.emit(
        EventType.TRANSFER_STATE,
        "requestId",
        requestId,
        "from",
        from.name(),
        "to",
        to.name(),
        "target",
        target,
        "leader",
        selfId,
        "term",
        Long.toString(v.term()),
        "commitIndex",
        Long.toString(v.commitIndex()),
        "detail",
        detail);
  }
}
