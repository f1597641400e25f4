package io.aerodb.node.install;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's store installs and store sends are doing, for status, metrics and the transfer
 * validator. Written by the fetcher and sender threads, read by anyone; each field is current on
 * its own (a reader may see a byte count of one moment and a file count of the next).
 */
public final class InstallProgress {
  /** The phase of this node's latest install. */
  public enum Phase {
    /** No install since start. */
    NONE,
    /** Receiving a store from another member. */
    FETCHING,
    /** A verified store is ready; waiting for Raft to swap it in. */
    STAGED,
    /** The latest install completed. */
    INSTALLED,
    /** The latest attempt failed (Raft asks again; a new attempt starts). */
    FAILED
  }

  private volatile Phase phase = Phase.NONE;
  private volatile String source = "";
  private volatile long index;
  private volatile long bytesTotal;
  private final AtomicLong bytesReceived = new AtomicLong();
  private volatile int filesTotal;
  private volatile int filesDone;
  private volatile String lastError = "";
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong installs = new AtomicLong();
  private final AtomicLong bytesReceivedTotal = new AtomicLong();
  private final AtomicLong sendsActive = new AtomicLong();
  private final AtomicLong sends = new AtomicLong();
  private final AtomicLong bytesSentTotal = new AtomicLong();

  void fetchStarted(String from) {
    attempts.incrementAndGet();
    source = from;
    index = 0;
    bytesTotal = 0;
    bytesReceived.set(0);
    filesTotal = 0;
    filesDone = 0;
    phase = Phase.FETCHING;
  }

  void manifest(long atIndex, long totalBytes, int files) {
    index = atIndex;
    bytesTotal = totalBytes;
    filesTotal = files;
  }

  void received(int bytes) {
    bytesReceived.addAndGet(bytes);
    bytesReceivedTotal.addAndGet(bytes);
  }

  void fileDone() {
    filesDone++;
  }

  void staged() {
    phase = Phase.STAGED;
  }

  void failed(String why) {
    failures.incrementAndGet();
    lastError = why;
    phase = Phase.FAILED;
  }

  /** At start: whether recovery finished a swap a crash had interrupted (an install, too). */
  public void recoveredAtStart(boolean finishedSwap) {
    if (finishedSwap) {
      installs.incrementAndGet();
      phase = Phase.INSTALLED;
      source = "(finished at start)";
    }
  }

  /** The staged store was swapped in and the node runs on it. */
  public void installed() {
    installs.incrementAndGet();
    phase = Phase.INSTALLED;
  }

  void sendStarted() {
    sendsActive.incrementAndGet();
    sends.incrementAndGet();
  }

  void sent(int bytes) {
    bytesSentTotal.addAndGet(bytes);
  }

  void sendEnded() {
    sendsActive.decrementAndGet();
  }

  public Phase phase() {
    return phase;
  }

  /** Whether this node is fetching or waiting to swap in a store. */
  public boolean installing() {
    Phase p = phase;
    return p == Phase.FETCHING || p == Phase.STAGED;
  }

  public String source() {
    return source;
  }

  /** The index the store being installed reflects (0 before its manifest arrived). */
  public long index() {
    return index;
  }

  public long bytesTotal() {
    return bytesTotal;
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  public int filesTotal() {
    return filesTotal;
  }

  public int filesDone() {
    return filesDone;
  }

  public String lastError() {
    return lastError;
  }

  public long attempts() {
    return attempts.get();
  }

  public long failures() {
    return failures.get();
  }

  public long installs() {
    return installs.get();
  }

  public long bytesReceivedTotal() {
    return bytesReceivedTotal.get();
  }

  public long sendsActive() {
    return sendsActive.get();
  }

  public long sends() {
    return sends.get();
  }

  public long bytesSentTotal() {
    return bytesSentTotal.get();
  }
}
