package io.aerodb.ratis;

import java.nio.file.Path;

/**
 * The Raft settings a node's config may choose; everything else is fixed in {@link RatisConfig}.
 *
 * @param storageDir the Ratis storage directory (the log, term and vote)
 * @param host the address the Raft gRPC server binds to (and that peers use)
 * @param port the Raft gRPC port
 * @param electionTimeoutMinMs lower bound of the randomized election timeout
 * @param electionTimeoutMaxMs upper bound of the randomized election timeout
 * @param requestTimeoutMs Raft RPC request timeout (append entries, install snapshot, transfer)
 * @param logSync whether the log is fsynced before an entry counts as written; must be true
 * @param snapshotEveryEntries a snapshot (the store made durable) after this many applied entries;
 *     the log is then purged behind it
 * @param logRetainEntries entries kept behind the last log index when purging: a follower lagging
 *     by fewer catches up from the log, one lagging by more by a store install
 * @param logSegmentBytes largest log segment file; purge deletes whole closed segments
 */
public record RaftSettings(
    Path storageDir,
    String host,
    int port,
    long electionTimeoutMinMs,
    long electionTimeoutMaxMs,
    long requestTimeoutMs,
    boolean logSync,
    long snapshotEveryEntries,
    long logRetainEntries,
    long logSegmentBytes) {

  /** Defaults of the log-lifecycle settings (docs/OPERATIONS.md). */
  public static final long SNAPSHOT_EVERY_ENTRIES = 100_000;

  public static final long LOG_RETAIN_ENTRIES = 50_000;
  public static final long LOG_SEGMENT_BYTES = 64L * 1024 * 1024;

  public RaftSettings {
    if (!logSync) {
      throw new IllegalArgumentException("log sync cannot be turned off");
    }
    if (electionTimeoutMinMs <= 0 || electionTimeoutMaxMs <= electionTimeoutMinMs) {
      throw new IllegalArgumentException("need 0 < electionTimeoutMinMs < electionTimeoutMaxMs");
    }
    if (snapshotEveryEntries < 1 || logRetainEntries < 0 || logSegmentBytes < 1024 * 1024) {
      throw new IllegalArgumentException(
          "need snapshotEveryEntries >= 1, logRetainEntries >= 0, logSegmentBytes >= 1 MiB");
    }
  }
}
