package io.aerodb.node.promotion;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.engine.Engine;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.events.EventType;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every new leader appends a {@code leadership-epoch} record naming its term, itself and the cause
 * [P6-D2]: {@code transfer} with the request id when a transfer intent to this node is pending AND
 * its previous leader handed over (it follows this leader: it answered within the health bound);
 * otherwise {@code election}. A pending intent that was not handed over means the transfer was cut
 * short (its leader crashed or lost the term): the epoch names it as {@code abandonedRequestId} and
 * an event says so [P6-O1]. The handover check waits a bounded time (twice the health bound) for
 * the previous leader's first answer.
 *
 * <p>Runs when the leader is ready (it has applied every entry before its term), off the Raft
 * threads. One attempt: if leadership is lost meanwhile, the next leader records its own epoch.
 */
public final class EpochRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EpochRecorder.class);

  private final String selfId;
  private final Engine engine;
  private final AuthorityWriter writer;
  private final EventLog events;
  private final LongSupplier currentTerm;
  private final ExecutorService executor;
  private final ClusterViewReader views;
  private final HandoverProbe handover;
  private final java.nio.file.Path recoveryAudit;

  public EpochRecorder(
      String selfId,
      Engine engine,
      AuthorityWriter writer,
      EventLog events,
      LongSupplier currentTerm,
      ExecutorService executor,
      ClusterViewReader views,
      HandoverProbe handover,
      java.nio.file.Path recoveryAudit) {
    this.selfId = selfId;
    this.engine = engine;
    this.writer = writer;
    this.events = events;
    this.currentTerm = currentTerm;
    this.executor = executor;
    this.views = views;
    this.handover = handover;
    this.recoveryAudit = recoveryAudit;
  }

  /** Asks a member whether it handed leadership over for a transfer request; empty: no answer. */
  @FunctionalInterface
  public interface HandoverProbe {
    Optional<Boolean> ask(String nodeId, String requestId);
  }

  /** Called when this node became the ready leader. */
  public void leaderReady() {
    executor.execute(this::record);
  }

  /**
   * "" if {@code previousLeader} says, within twice the health bound, that it handed leadership
   * over for {@code requestId}; else why the handover is not confirmed. Only the previous leader's
   * own answer counts: Ratis' follower bookkeeping starts every follower as "answered one election
   * timeout ago", and a crashed previous leader that restarted answers Raft again without having
   * handed anything over — its answer here is "no".
   */
  private String awaitHandover(String previousLeader, String requestId) {
    long boundMs = 2 * views.read("", false).unhealthyAfterMs();
    long deadline = System.nanoTime() + boundMs * 1_000_000;
    while (true) {
      ClusterView v = views.read("", false);
      if (!v.selfIsLeader()) {
        return "this node lost leadership before the handover was confirmed";
      }
      Optional<Boolean> answer = handover.ask(previousLeader, requestId);
      if (answer.isPresent()) {
        return answer.get()
            ? ""
            : "the previous leader "
                + previousLeader
                + " did not hand over "
                + requestId
                + " (it restarted since)";
      }
      if (System.nanoTime() > deadline) {
        return "the previous leader "
            + previousLeader
            + " did not answer this leader within "
            + boundMs
            + " ms (it crashed or is cut off)";
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
  }

  private void record() {
    long term = currentTerm.getAsLong();
    AuthorityState state = engine.authority();
    Optional<AuthorityRecord> pending = state.pendingTransfer();
    TreeMap<String, String> fields = new TreeMap<>();
    fields.put("leaderId", selfId);
    fields.put("electedTerm", Long.toString(term));
    state.lastEpoch().ifPresent(e -> fields.put("previousLeader", e.field("leaderId")));
    String notHandedOver = "";
    if (pending.isPresent() && pending.get().field("to").equals(selfId)) {
      notHandedOver = awaitHandover(pending.get().field("from"), pending.get().field("requestId"));
      if (notHandedOver.isEmpty()) {
        fields.put("cause", "transfer");
        fields.put("requestId", pending.get().field("requestId"));
        fields.put("from", pending.get().field("from"));
      }
    }
    if (!fields.containsKey("cause")) {
      fields.put("cause", "election");
      if (pending.isPresent()) {
        AuthorityRecord p = pending.get();
        fields.put("abandonedRequestId", p.field("requestId"));
        events.emit(
            EventType.TRANSFER_ABANDONED,
            "requestId",
            p.field("requestId"),
            "from",
            p.field("from"),
            "to",
            p.field("to"),
            "intentIndex",
            Long.toString(p.index()),
            "intentTerm",
            Long.toString(p.term()),
            "newLeader",
            selfId,
            "newTerm",
            Long.toString(term),
            "why",
            notHandedOver.isEmpty()
                ? "the transfer never ended: its leader crashed or lost its term before "
                    + p.field("to")
                    + " took over"
                : notHandedOver);
      }
    }
    // Continue on our executor: the append completes on Ratis' apply thread, which must never wait
    // for
    // another entry to apply (publishing the audit does).
    writer
        .append(AuthorityHistory.EPOCH, fields)
        .whenCompleteAsync(
            (index, t) -> {
              if (t != null) {
                LOG.warn("leadership epoch of term {} not recorded: {}", term, t.toString());
              } else {
                publishRecoveryAudit();
              }
            },
            executor);
  }

  /**
   * An unsafe recovery run offline on this node left an audit file: once this node leads, the audit
   * becomes an {@code unsafe-recovery} authority record (replicated, shown by cluster events), and
   * the file is renamed.
   */
  private void publishRecoveryAudit() {
    if (recoveryAudit == null || !java.nio.file.Files.exists(recoveryAudit)) {
      return;
    }
    try {
      byte[] json = java.nio.file.Files.readAllBytes(recoveryAudit);
      io.aerodb.core.json.JsonValue.Obj audit =
          (io.aerodb.core.json.JsonValue.Obj)
              io.aerodb.core.json.JsonReader.parse(
                  json, io.aerodb.core.limits.Limits.DOCUMENT_JSON);
      TreeMap<String, String> fields = new TreeMap<>();
      audit
          .fields()
          .forEach(
              (k, v) ->
                  fields.put(
                      k,
                      v instanceof io.aerodb.core.json.JsonValue.Str s
                          ? s.value()
                          : io.aerodb.core.json.CanonicalJson.toText(v)));
      writer
          .append(AuthorityHistory.UNSAFE_RECOVERY, fields)
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      java.nio.file.Files.move(
          recoveryAudit, recoveryAudit.resolveSibling(recoveryAudit.getFileName() + ".replicated"));
    } catch (Exception e) {
      LOG.warn(
          "the unsafe-recovery audit {} is not replicated yet: {}", recoveryAudit, e.toString());
    }
  }
}
