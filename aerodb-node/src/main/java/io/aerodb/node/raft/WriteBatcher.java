package io.aerodb.node.raft;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;
import io.aerodb.ratis.LogEntryCodec;
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
 *   <li>Every proposal is a {@code WriteBatch} entry, even of one write. Each write arrives
 *       prepared and validated on its own ({@link RaftGateway}: a rejected write is answered at
 *       once and never holds up or spoils a batch) and is encoded once, when it joins.
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

  private final Proposer proposer;
  private final long writeTimeoutMs;
  private final Histogram batchSizes;

  private final ArrayDeque<Batch> open = new ArrayDeque<>();
  private int inFlight;
  private int queued;
  private int completions; // answered proposals not yet accounted for by the draining loop
  private boolean draining; // a thread runs the loop in completed(); others only count

  WriteBatcher(Proposer proposer, long writeTimeoutMs, MetricRegistry metrics) {
    this.proposer = proposer;
    this.writeTimeoutMs = writeTimeoutMs;
    this.batchSizes = metrics.histogram("writes.batch_size");
  }

  /** One write waiting for its result. */
  private record Pending(
      LogEntryCodec.EncodedWrite encoded,
      String requestIdHex,
      DocumentKey documentKey,
      CompletableFuture<CommandResult> result,
      long deadline) {}

  /** Writes that will be proposed together. */
  private static final class Batch {
    final List<Pending> writes = new ArrayList<>();
    final Set<DocumentKey> documents = new HashSet<>();
    final Set<String> requestIds = new HashSet<>();
    int bytes;

    boolean accepts(Pending p) {
      return writes.size() < WRITES_MAX
          && bytes + p.encoded().serializedSize() <= BYTES_MAX
          && !documents.contains(p.documentKey())
          && (p.requestIdHex().isEmpty() || !requestIds.contains(p.requestIdHex()));
    }

    void add(Pending p) {
      writes.add(p);
      documents.add(p.documentKey());
      if (!p.requestIdHex().isEmpty()) {
        requestIds.add(p.requestIdHex());
      }
      bytes += p.encoded().serializedSize();
    }
  }

  /** Proposes a prepared document write, alone or in a batch. */
  CompletableFuture<CommandResult> add(byte[] requestId, Prepared prepared) {
    Pending p =
        new Pending(
            LogEntryCodec.encodeWrite(new Write(requestId, prepared.command())),
            Bytes.hex(requestId),
            prepared.documentKey().orElseThrow(), // a document write always touches one document
            new CompletableFuture<>(),
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writeTimeoutMs));
    List<Pending> now = null;
    synchronized (this) {
      if (inFlight < IN_FLIGHT_MAX && open.isEmpty()) {
        inFlight++;
        now = List.of(p);
      } else if (queued >= QUEUED_MAX) {
        return CompletableFuture.failedFuture(overloaded(queued + " writes are already waiting"));
      } else {
        Batch last = open.peekLast();
        if (last == null || !last.accepts(p)) {
          last = new Batch();
          open.addLast(last);
        }
        last.add(p);
        queued++;
      }
    }
    if (now != null) {
      propose(now);
    }
    return p.result();
  }

  /**
   * Called when a proposal is answered (or found to have nothing left to propose): the next open
   * batch, if any, goes. A loop, not a recursion: a proposal answered on the calling thread (a
   * synchronous failure) or a batch whose writes all expired calls this again from inside the loop,
   * which then only counts it, so a long queue of such batches cannot overflow the stack.
   */
  private void completed() {
    synchronized (this) {
      completions++;
      if (draining) {
        return;
      }
      draining = true;
    }
    while (true) {
      List<Pending> next;
      synchronized (this) {
        if (completions == 0) {
          draining = false;
          return;
        }
        completions--;
        inFlight--;
        Batch b = open.pollFirst();
        if (b == null) {
          continue;
        }
        queued -= b.writes.size();
        inFlight++;
        next = b.writes;
      }
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
    List<LogEntryCodec.EncodedWrite> encoded = new ArrayList<>(live.size());
    for (Pending p : live) {
      encoded.add(p.encoded());
    }
    proposer
        .propose(LogEntryCodec.encodeGroup(encoded), live.size(), timeoutMs)
        .whenComplete(
            (results, t) -> {
              try {
                if (t != null) {
                  Throwable cause = RaftOutcomes.unwrap(t);
                  for (Pending p : live) {
                    p.result().completeExceptionally(cause);
                  }
                  return;
                }
                for (int i = 0; i < live.size(); i++) {
                  live.get(i).result().complete(results.get(i));
                }
              } finally {
                completed();
              }
            });
  }

  private static AeroException overloaded(String why) {
    return AeroError.of(ErrorCode.AERO_CLUSTER_OVERLOADED, "too many pending writes: " + why)
        .toException();
  }
}
