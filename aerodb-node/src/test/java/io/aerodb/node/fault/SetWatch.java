package io.aerodb.node.fault;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.Watch;
import io.aerodb.client.WatchListener;
import io.aerodb.node.testing.History;
import io.aerodb.proto.v1.DocumentChange;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A watch of the insert-only set from its first index, kept open through every fault [W1]: the Java
 * client moves it to another node when its node dies or is cut off, and when no node served it for
 * the client's deadline (a power cut of every node) it is opened again from where it got. The
 * check: the changes came in commit order without a repeat, every acknowledged insert up to where
 * the watch got is among them at its commit index, and no refused insert is.
 */
final class SetWatch implements AutoCloseable {
  private final AeroClient client;
  private final List<String> changes = new ArrayList<>(); // "index id"
  private long progress;
  private AeroClientException rejected;
  private Watch watch;
  private boolean closed;
  private int reopened;

  SetWatch(List<String> endpoints) {
    this.client = AeroClient.connect(endpoints);
  }

  synchronized void start() {
    open(1, "");
  }

  private synchronized void open(long from, String afterId) {
    if (closed) {
      return;
    }
    watch =
        client.watch(
            SetWorkload.COLLECTION,
            from,
            afterId,
            new WatchListener() {
              @Override
              public void onChange(DocumentChange c) {
                synchronized (SetWatch.this) {
                  changes.add(c.getIndex() + " " + c.getId());
                  progress = Math.max(progress, c.getIndex());
                }
              }

              @Override
              public void onProgress(long index) {
                synchronized (SetWatch.this) {
                  progress = Math.max(progress, index);
                }
              }

              @Override
              public void onError(AeroClientException e) {
                reopen(e);
              }
            });
  }

  /** A watch that ended: opened again from its position unless the cluster refused it. */
  private void reopen(AeroClientException e) {
    Watch ended;
    synchronized (this) {
      ended = watch;
      if (e.isReject()) {
        rejected = e; // e.g. the GC floor passed it: loud, as it must be; nothing more to check
        return;
      }
      reopened++;
    }
    open(ended.resumeIndex(), ended.resumeAfterId());
  }

  /** Waits (bounded) until the watch delivered everything up to {@code index}. */
  boolean awaitProgress(long index, long timeoutMs) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < end) {
      synchronized (this) {
        if (progress >= index || rejected != null) {
          return progress >= index;
        }
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Every violation of [W1] against the set's history (see the class comment). */
  synchronized List<String> violations(History history) {
    List<String> problems = new ArrayList<>();
    TreeMap<String, Long> seen = new TreeMap<>();
    String previous = null;
    long previousIndex = 0;
    for (String c : changes) {
      long index = Long.parseLong(c.substring(0, c.indexOf(' ')));
      String id = c.substring(c.indexOf(' ') + 1);
      if (previous != null
          && (index < previousIndex || (index == previousIndex && id.compareTo(previous) <= 0))) {
        problems.add("watch: " + c + " came after " + previousIndex + " " + previous + " [W1]");
      }
      if (seen.put(id, index) != null) {
        problems.add("watch: the insert of " + id + " came twice [W1]");
      }
      previous = id;
      previousIndex = index;
    }
    for (History.Op op : history.all()) {
      Long at = seen.get(op.id());
      if (op.outcome() == History.Outcome.ACKED
          && op.commitIndex() <= progress
          && (at == null || at != op.commitIndex())) {
        problems.add(
            "watch: the acknowledged insert of "
                + op.id()
                + " at "
                + op.commitIndex()
                + (at == null ? " never came" : " came at " + at)
                + " [W1]");
      }
      if (op.outcome() == History.Outcome.REFUSED && at != null) {
        problems.add("watch: the refused insert of " + op.id() + " came at " + at + " [W1]");
      }
    }
    return problems;
  }

  synchronized String summary() {
    return "watch_changes="
        + changes.size()
        + " watch_progress="
        + progress
        + " watch_reopened="
        + reopened
        + (rejected == null ? "" : " watch_refused=" + rejected.code());
  }

  @Override
  public void close() {
    Watch w;
    synchronized (this) {
      closed = true;
      w = watch;
    }
    if (w != null) {
      w.close();
    }
    client.close();
  }
}
