package io.aerodb.node.api;

import io.aerodb.core.engine.Changes;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Names;
import io.aerodb.proto.v1.DocumentChange;
import io.aerodb.proto.v1.WatchEvent;
import io.aerodb.proto.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Watch call: the changes of a collection from an index on, read from this node's change feed
 * in pages of at most {@link #PAGE} changes at its applied index, sent as the consumer takes them
 * [W1].
 *
 * <p>Back-pressure without a queue: the stream reads the next page only when gRPC says the consumer
 * is ready, so what one watcher holds is one page, and apply never waits for a watcher. Caught up,
 * it waits for the next applied index (the node's applied-index waiters; no thread waits) and sends
 * a progress index at most once a second. A consumer that stays not-ready for {@link #SLOW_MS} is
 * cut off with AERO_WATCH_TOO_SLOW. Gap-free or refused: the feed read refuses a start the GC floor
 * or the feed's start has passed (AERO_MVCC_SNAPSHOT_TOO_OLD), also one that the floor overtakes
 * while the stream runs.
 *
 * <p>Thread-safety: one step runs at a time ({@code running}); gRPC's ready and cancel callbacks
 * only start a step or mark the stream ended.
 */
final class WatchStream {
  /** Most changes read and held per step. */
  static final int PAGE = 256;

  /** watchSlowMs: how long a consumer may take no message before the stream is cut off. */
  static final long SLOW_MS = 30_000;

  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Timers: slow-consumer checks and delayed progress indexes. */
  private static final ScheduledExecutorService SLOW_CHECKS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "aerodb-watch-slow-check");
            t.setDaemon(true);
            return t;
          });

  /**
   * Where a stream's steps continue after a page was read: its own threads (the common pool has one
   * thread on two cores, and a blocked task there would stall every stream).
   */
  private static final java.util.concurrent.ExecutorService STEPS =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "aerodb-watch-step");
            t.setDaemon(true);
            return t;
          });

  private final NodeContext node;
  private final WatchStreams streams;
  private final ServerCallStreamObserver<WatchEvent> out;
  private final String collection;

  /** The position: the next change is the first of {@code from} after {@code afterId}. */
  private long from;

  private String afterId;

  /**
   * The applied index the next read waits for. Raft's applied index counts entries the store never
   * sees (configuration entries): after a wait that returned with the store's view still below it,
   * the next wait is for the index after it, or a caught-up stream would spin.
   */
  private long waitFor;

  /** The highest index every change up to which was sent (for progress). */
  private long sentThrough;

  private long progressSentThrough;
  private long progressSentAt = System.nanoTime() - PROGRESS_EVERY_NANOS;
  private boolean running;
  private boolean ended;
  private boolean progressScheduled;

  /** When the consumer was last found not ready, while it still is (0: it is ready). */
  private long notReadySince;

  private WatchStream(
      NodeContext node,
      WatchStreams streams,
      ServerCallStreamObserver<WatchEvent> out,
      WatchRequest request) {
    this.node = node;
    this.streams = streams;
    this.out = out;
    this.collection = request.getCollection();
    this.from = request.getFromIndex();
    this.afterId = request.getAfterId();
    this.waitFor = from;
    this.sentThrough = from - 1;
    this.progressSentThrough = sentThrough;
  }

  /** Starts serving {@code request} on {@code observer} (see {@link WatchStreams#start}). */
  static void start(
      NodeContext node,
      WatchStreams streams,
      WatchRequest request,
      StreamObserver<WatchEvent> observer) {
    ServerCallStreamObserver<WatchEvent> out = (ServerCallStreamObserver<WatchEvent>) observer;
    AeroError invalid = check(request);
    if (invalid != null) {
      out.onError(GrpcErrors.toStatus(invalid, node.nodeId()));
      return;
    }
    WatchStream s = new WatchStream(node, streams, out, request);
    AeroError refused = streams.add(s);
    if (refused != null) {
      out.onError(GrpcErrors.toStatus(refused, node.nodeId()));
      return;
    }
    out.setOnCancelHandler(s::cancelled);
    out.setOnReadyHandler(s::pump);
    s.pump();
  }

  private static AeroError check(WatchRequest r) {
    if (r.getFromIndex() < 1) {
      return AeroError.of(
          ErrorCode.AERO_REQUEST_INVALID,
          "from_index is a commit index, 1 or more",
          "field",
          "from_index");
    }
    return Names.checkCollection(r.getCollection()).orElse(null);
  }

  private void cancelled() {
    synchronized (this) {
      ended = true;
    }
    streams.remove(this);
  }

  /** Starts a step unless one runs or the stream ended. */
  private void pump() {
    synchronized (this) {
      if (running || ended) {
        return;
      }
      running = true;
    }
    step();
  }

  /** Reads and sends one page, then goes on (or pauses until the consumer is ready). */
  private void step() {
    synchronized (this) {
      if (ended) {
        running = false;
        return;
      }
      if (!out.isReady()) {
        running = false;
        if (notReadySince == 0) {
          long since = System.nanoTime();
          notReadySince = since;
          SLOW_CHECKS.schedule(() -> slowCheck(since), SLOW_MS, TimeUnit.MILLISECONDS);
        }
        // the consumer may have become ready between the check and now: its handler found us
        // running
        if (!out.isReady()) {
          return;
        }
        running = true;
      }
      notReadySince = 0;
    }
    long start;
    String after;
    long wait;
    synchronized (this) {
      start = from;
      after = afterId;
      wait = waitFor;
    }
    node.gateway()
        .readAtLeast(wait, (engine, view) -> engine.changes(collection, start, after, view, PAGE))
        // on the stream's own threads, never on the caller's stack (a catch-up is a loop)
        .whenCompleteAsync(
            (changes, t) -> {
              if (t != null) {
                AeroError e = GrpcErrors.toError(t);
                if (e.code() == ErrorCode.AERO_READ_INDEX_NOT_REACHED) {
                  step(); // nothing new was applied in readTimeoutMs: wait again
                } else {
                  fail(e);
                }
                return;
              }
              if (changes.rejection() != null) {
                fail(changes.rejection());
                return;
              }
              if (send(changes)) {
                step();
              }
            },
            STEPS);
  }

  /** Sends a page's changes (and a progress index when due); false once the stream ended. */
  private synchronized boolean send(Changes changes) {
    if (ended) {
      running = false;
      return false;
    }
    for (Changes.Change c : changes.events()) {
      DocumentChange.Builder d =
          DocumentChange.newBuilder()
              .setIndex(c.index())
              .setCollection(collection)
              .setId(c.id())
              .setKind(
                  switch (c.kind()) {
                    case INSERT -> DocumentChange.Kind.INSERT;
                    case UPDATE -> DocumentChange.Kind.UPDATE;
                    case DELETE -> DocumentChange.Kind.DELETE;
                  });
      if (!c.version().tombstone()) {
        d.setDocumentJson(new String(c.version().json(), StandardCharsets.UTF_8))
            .setSchemaVersion(c.version().schemaVersion());
      }
      out.onNext(WatchEvent.newBuilder().setChange(d).setNodeId(node.nodeId()).build());
    }
    if (changes.complete()) {
      from = changes.view() + 1;
      afterId = "";
      sentThrough = changes.view();
      waitFor = Math.max(changes.view(), waitFor) + 1;
      progressIfOwed();
    } else {
      Changes.Change last = changes.events().get(changes.events().size() - 1);
      from = last.index();
      afterId = last.id();
    }
    return true;
  }

  /**
   * Sends the progress index once the stream is caught up: at once if the last one is a second old,
   * else when it is (a stream that then waits for commits still reports how far it got).
   */
  private synchronized void progressIfOwed() {
    // only while caught up: after a partial page, "every change up to sentThrough" would let a
    // resume repeat the changes above it that were sent since
    boolean caughtUp = afterId.isEmpty() && from == sentThrough + 1;
    if (ended || !caughtUp || sentThrough <= progressSentThrough) {
      return;
    }
    long wait = progressSentAt + PROGRESS_EVERY_NANOS - System.nanoTime();
    if (wait > 0) {
      if (!progressScheduled) {
        progressScheduled = true;
        SLOW_CHECKS.schedule(
            () -> {
              synchronized (this) {
                progressScheduled = false;
              }
              progressIfOwed();
            },
            wait,
            TimeUnit.NANOSECONDS);
      }
      return;
    }
    out.onNext(
        WatchEvent.newBuilder().setProgressIndex(sentThrough).setNodeId(node.nodeId()).build());
    progressSentThrough = sentThrough;
    progressSentAt = System.nanoTime();
  }

  private void fail(AeroError e) {
    streams.remove(this);
    end(e);
  }

  /** Ends the stream with {@code e} (unless it ended already). */
  void end(AeroError e) {
    synchronized (this) {
      running = false;
      if (ended) {
        return;
      }
      ended = true;
      out.onError(GrpcErrors.toStatus(e, node.nodeId()));
    }
  }

  /** Cuts the stream off if its consumer has not been ready since {@code since}. */
  private void slowCheck(long since) {
    synchronized (this) {
      if (notReadySince != since || ended) {
        return;
      }
    }
    fail(
        AeroError.of(
            ErrorCode.AERO_WATCH_TOO_SLOW,
            "the consumer took no message for "
                + SLOW_MS
                + " ms (watchSlowMs); resume from index "
                + from
                + (afterId.isEmpty() ? "" : " after _id '" + afterId + "'"),
            "limit",
            "watchSlowMs",
            "limitValue",
            Long.toString(SLOW_MS),
            "resumeFromIndex",
            Long.toString(from),
            "resumeAfterId",
            afterId));
  }
}
