package io.aerodb.node.server;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.ApplyResults;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.WriteBatch;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.LogEntryCodec;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Group commit on the leader: document writes that arrive while earlier entries are still in flight
 * through Raft travel together in one log entry (a {@code WriteBatch}), so Raft's per-entry costs —
 * the client request inside Ratis, the log append and its fsync, the append RPC to each follower,
 * the apply and its store batch — are paid once per batch instead of once per write.
 *
 * <ul>
 *   <li>No timer and no added delay: a write that finds fewer than {@link #IN_FLIGHT_MAX} entries
 *       in flight is proposed at once, alone (a batch of one: a single client never waits).
 *       Otherwise it joins the open batch, which is proposed as soon as an in-flight entry
 *       completes.
 *   <li>Every proposal is a {@code WriteBatch} entry, even of one write: the writes were prepared
 *       here, so the state machine's startTransaction passes them through without preparing them
 *       again.
 *   <li>Only on the leader; a follower proposes the write as it came (Raft refuses it with the
 *       leader's address).
 *   <li>Each write is validated on its own before it joins ({@link AeroStateMachine#prepare}): a
 *       rejected write is answered at once and never holds up or spoils a batch.
 *   <li>No two writes of a batch touch the same document or carry the same request_id (the engine
 *       refuses that on every node); such a write opens the next batch.
 *   <li>Each write keeps its own request_id (idempotent retries) and gets its own result; all
 *       writes of a batch share its log index as their commit index [MVCC-2] and the outcome of the
 *       proposal (a batch that may or may not have committed is AERO_OUTCOME_UNKNOWN for each).
 *   <li>Bounded: at most {@link #WRITES_MAX} writes or {@link #BYTES_MAX} bytes per batch (below
 *       Ratis' entry limit), at most {@link #QUEUED_MAX} writes waiting in all (then
 *       AERO_CLUSTER_OVERLOADED), and a write that waited its whole writeTimeoutMs without being
 *       proposed is refused definitely (it never reached the log).
 * </ul>
 *
 * <p>Thread-safe; callbacks run on Raft's reply threads and never block.
 */
final class WriteBatcher {
  /**
   * Entries proposed and not yet answered before writes start to batch (an experiment hook for
   * performance work: {@code -Daerodb.batch.inFlightMax=N}).
   */
  static final int IN_FLIGHT_MAX = Math.max(1, Integer.getInteger("aerodb.batch.inFlightMax", 2));

  static final int WRITES_MAX = 256;
  static final int BYTES_MAX = 2 * 1024 * 1024;
  static final int QUEUED_MAX = 16_384;

  private final RaftGateway gateway;
  private final AeroStateMachine stateMachine;
  private final long writeTimeoutMs;
  private final Histogram batchSizes;

  private final ArrayDeque<Batch> open = new ArrayDeque<>();
  private int inFlight;
  private int queued;

  WriteBatcher(
      RaftGateway gateway,
      AeroStateMachine stateMachine,
      long writeTimeoutMs,
      MetricRegistry metrics) {
    this.gateway = gateway;
    this.stateMachine = stateMachine;
    this.writeTimeoutMs = writeTimeoutMs;
    this.batchSizes = metrics.histogram("writes.batch_size");
  }

  /** Document writes (insert, update, delete) are batched; everything else is proposed alone. */
  static boolean batchable(LogEntry e) {
    return switch (e.getCommandCase()) {
      case INSERT, UPDATE, DELETE -> true;
      default -> false;
    };
  }

  /** One write waiting for its result. */
  private record Pending(
      LogEntry entry, String documentKey, CompletableFuture<ApplyResult> result, long deadline) {}

  /** Writes that will be proposed together. */
  private static final class Batch {
    final List<Pending> writes = new ArrayList<>();
    final Set<String> documents = new HashSet<>();
    final Set<com.google.protobuf.ByteString> requestIds = new HashSet<>();
    int bytes;

    boolean accepts(Pending p, int size) {
      return writes.size() < WRITES_MAX
          && bytes + size <= BYTES_MAX
          && !documents.contains(p.documentKey())
          && (p.entry().getRequestId().isEmpty() || !requestIds.contains(p.entry().getRequestId()));
    }

    void add(Pending p, int size) {
      writes.add(p);
      documents.add(p.documentKey());
      if (!p.entry().getRequestId().isEmpty()) {
        requestIds.add(p.entry().getRequestId());
      }
      bytes += size;
    }
  }

  /** Validates {@code raw} and proposes it, alone or in a batch. */
  CompletableFuture<ApplyResult> add(LogEntry raw) {
    if (!gateway.isLeader()) {
      // a follower neither validates (its state may lag) nor batches: Raft refuses the entry with
      // the leader's address (AERO_NOT_LEADER), or a new leader's startTransaction prepares it
      return gateway
          .propose(raw.toByteArray(), writeTimeoutMs)
          .thenApply(RaftGateway::parseApplyResult);
    }
    AeroStateMachine.Prepared prepared;
    try {
      prepared = stateMachine.prepare(raw);
    } catch (AeroException e) {
      return CompletableFuture.failedFuture(e); // rejected before anything was proposed
    }
    LogEntry canonical = prepared.entry();
    Pending p =
        new Pending(
            canonical,
            prepared.documentKey().orElseThrow(), // a document write always touches one document
            new CompletableFuture<>(),
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writeTimeoutMs));
    int size = canonical.getSerializedSize();
    List<Pending> now = null;
    synchronized (this) {
      if (inFlight < IN_FLIGHT_MAX && open.isEmpty()) {
        inFlight++;
        now = List.of(p);
      } else if (queued >= QUEUED_MAX) {
        return CompletableFuture.failedFuture(overloaded(queued + " writes are already waiting"));
      } else {
        Batch last = open.peekLast();
        if (last == null || !last.accepts(p, size)) {
          last = new Batch();
          open.addLast(last);
        }
        last.add(p, size);
        queued++;
      }
    }
    if (now != null) {
      propose(now);
    }
    return p.result();
  }

  /** Called when a proposal is answered: the next open batch (if any) goes. */
  private void completed() {
    List<Pending> next = null;
    synchronized (this) {
      inFlight--;
      Batch b = open.pollFirst();
      if (b != null) {
        queued -= b.writes.size();
        inFlight++;
        next = b.writes;
      }
    }
    if (next != null) {
      propose(next);
    }
  }

  private void propose(List<Pending> writes) {
    long now = System.nanoTime();
    List<Pending> live = new ArrayList<>(writes.size());
    long deadline = Long.MAX_VALUE;
    for (Pending p : writes) {
      if (p.deadline() - now <= 0) {
        p.result()
            .completeExceptionally(
                overloaded(
                    "the write waited writeTimeoutMs="
                        + writeTimeoutMs
                        + " on the leader without being proposed; it was not written"));
      } else {
        live.add(p);
        deadline = Math.min(deadline, p.deadline());
      }
    }
    if (live.isEmpty()) {
      completed();
      return;
    }
    batchSizes.update(live.size());
    long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now));
    WriteBatch.Builder wb = WriteBatch.newBuilder();
    for (Pending p : live) {
      wb.addWrites(p.entry());
    }
    byte[] payload =
        LogEntry.newBuilder().setFormat(LogEntryCodec.FORMAT).setBatch(wb).build().toByteArray();
    gateway
        .propose(payload, timeoutMs)
        .whenComplete(
            (content, t) -> {
              try {
                if (t != null) {
                  Throwable cause = RaftGateway.unwrap(t);
                  for (Pending p : live) {
                    p.result().completeExceptionally(cause);
                  }
                  return;
                }
                List<ApplyResult> results = parseResults(content, live.size());
                for (int i = 0; i < live.size(); i++) {
                  live.get(i).result().complete(results.get(i));
                }
              } catch (RuntimeException e) {
                for (Pending p : live) {
                  p.result().completeExceptionally(RaftGateway.unwrap(e));
                }
              } finally {
                completed();
              }
            });
  }

  private static List<ApplyResult> parseResults(ByteBuffer content, int expected) {
    ApplyResults r;
    try {
      r = ApplyResults.parseFrom(content);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw AeroError.of(ErrorCode.AERO_INTERNAL, "unreadable batch result: " + e.getMessage())
          .toException();
    }
    if (r.getResultsCount() != expected) {
      throw AeroError.of(
              ErrorCode.AERO_INTERNAL,
              "batch of " + expected + " writes answered with " + r.getResultsCount() + " results")
          .toException();
    }
    return r.getResultsList();
  }

  private static AeroException overloaded(String why) {
    return AeroError.of(ErrorCode.AERO_CLUSTER_OVERLOADED, "too many pending writes: " + why)
        .toException();
  }
}
