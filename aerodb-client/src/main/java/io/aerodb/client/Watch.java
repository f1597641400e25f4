package io.aerodb.client;

import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.WatchEvent;
import io.aerodb.proto.v1.WatchRequest;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running watch of one collection ({@link AeroClient#watch}): the changes from an index on, on
 * any node, resumed transparently on another node (from the last change delivered, or the last
 * progress index + 1) when its node goes away, so the listener sees every committed change once, in
 * commit order [W1]. Ends on {@link #close}, on a rejection, or when no node served it for the
 * client's deadline. Thread-safe.
 */
public final class Watch implements AutoCloseable {
  private final Endpoints endpoints;
  private final Backoff backoff;
  private final Duration deadline;
  private final String collection;
  private final WatchListener listener;
  private final ScheduledExecutorService reconnects =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "aerodb-watch-resume");
            t.setDaemon(true);
            return t;
          });
  private final CountDownLatch done = new CountDownLatch(1);

  private long fromIndex;
  private String afterId;
  private boolean closed;
  private ClientCallStreamObserver<WatchRequest> call;
  private int failures;
  private long failingSince;

  Watch(
      Endpoints endpoints,
      Backoff backoff,
      Duration deadline,
      String collection,
      long fromIndex,
      String afterId,
      WatchListener listener) {
    this.afterId = afterId;
    this.endpoints = endpoints;
    this.backoff = backoff;
    this.deadline = deadline;
    this.collection = collection;
    this.fromIndex = fromIndex;
    this.listener = listener;
  }

  /** The index to resume from: that of the last change delivered, or the last progress + 1. */
  public synchronized long resumeIndex() {
    return fromIndex;
  }

  /** With {@link #resumeIndex}: the _id of the last change delivered at it ("" for none). */
  public synchronized String resumeAfterId() {
    return afterId;
  }

  /** Waits until the watch ended (closed, rejected or unavailable); false on timeout. */
  public boolean await(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Ends the watch: no change is delivered after it returns, but a listener call running may end.
   */
  @Override
  public void close() {
    ClientCallStreamObserver<WatchRequest> c;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      c = call;
    }
    if (c != null) {
      c.cancel("closed by the client", null);
    }
    end();
  }

  void start() {
    open(endpoints.next(), null);
  }

  private void open(String endpoint, AeroClientException cause) {
    WatchRequest request;
    synchronized (this) {
      if (closed) {
        return;
      }
      request =
          WatchRequest.newBuilder()
              .setCollection(collection)
              .setFromIndex(fromIndex)
              .setAfterId(afterId)
              .build();
    }
    if (cause != null) {
      listener.onResume(endpoint, request.getFromIndex(), request.getAfterId(), cause);
    }
    DocumentServiceGrpc.newStub(endpoints.channel(endpoint)).watch(request, new Observer(endpoint));
  }

  private void end() {
    reconnects.shutdownNow();
    done.countDown();
  }

  /** One stream on one node. */
  private final class Observer implements ClientResponseObserver<WatchRequest, WatchEvent> {
    private final String endpoint;

    Observer(String endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
      boolean cancel;
      synchronized (Watch.this) {
        call = requestStream;
        cancel = closed; // close() ran while this stream was being opened
      }
      if (cancel) {
        requestStream.cancel("closed by the client", null);
      }
    }

    @Override
    public void onNext(WatchEvent e) {
      synchronized (Watch.this) {
        if (closed) {
          return;
        }
        failures = 0;
      }
      // the listener first: a change it did not take (it threw) is delivered again on a resume
      if (e.hasChange()) {
        listener.onChange(e.getChange());
      } else {
        listener.onProgress(e.getProgressIndex());
      }
      synchronized (Watch.this) {
        if (e.hasChange()) {
          fromIndex = e.getChange().getIndex();
          afterId = e.getChange().getId();
        } else if (e.getProgressIndex() + 1 > fromIndex) { // never backwards
          fromIndex = e.getProgressIndex() + 1;
          afterId = "";
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      failed(
          t instanceof StatusRuntimeException s
              ? AeroClientException.fromStatus(s, endpoint)
              : ClientErrors.of(ClientErrors.INTERNAL, "watch failed: " + t));
    }

    @Override
    public void onCompleted() {
      failed(ClientErrors.of(ClientErrors.CLUSTER_UNAVAILABLE, "the node ended the watch stream"));
    }

    /** Resumes on another node after a back-off, or ends the watch for a terminal error. */
    private void failed(AeroClientException failure) {
      AeroClientException error = failure;
      long delayMillis;
      synchronized (Watch.this) {
        if (closed) {
          return;
        }
        boolean terminal =
            error.isReject()
                || error.code().equals("AERO_WATCH_TOO_SLOW")
                || error.code().equals(ClientErrors.INTERNAL);
        long now = System.nanoTime();
        if (failures == 0) {
          failingSince = now;
        }
        if (!terminal && now - failingSince > deadline.toNanos()) {
          terminal = true;
          error =
              ClientErrors.of(
                  ClientErrors.CLUSTER_UNAVAILABLE,
                  "no node served the watch for "
                      + deadline.toMillis()
                      + " ms; last error: "
                      + error.code()
                      + ": "
                      + error.detailMessage(),
                  "resumeFromIndex",
                  Long.toString(fromIndex),
                  "resumeAfterId",
                  afterId);
        }
        if (terminal) {
          closed = true;
        }
        delayMillis =
            terminal
                ? -1
                : backoff.delayMillis(
                    failures++, (failingSince + deadline.toNanos() - now) / 1_000_000);
      }
      if (delayMillis < 0) {
        end();
        listener.onError(error);
        return;
      }
      AeroClientException cause = error;
      try {
        reconnects.schedule(
            () -> open(endpoints.nextAfterFailure(failures), cause),
            delayMillis,
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
        // close() ran: nothing to resume
      }
    }
  }
}
