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
 */
public record RaftSettings(
    Path storageDir,
    String host,
    int port,
    long electionTimeoutMinMs,
    long electionTimeoutMaxMs,
    long requestTimeoutMs,
    boolean logSync) {

  public RaftSettings {
    if (!logSync) {
      throw new IllegalArgumentException("log sync cannot be turned off");
    }
    if (electionTimeoutMinMs <= 0 || electionTimeoutMaxMs <= electionTimeoutMinMs) {
      throw new IllegalArgumentException("need 0 < electionTimeoutMinMs < electionTimeoutMaxMs");
    }
  }
}
