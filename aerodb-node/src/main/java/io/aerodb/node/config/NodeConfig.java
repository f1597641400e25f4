package io.aerodb.node.config;

import io.aerodb.core.query.QueryLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A node's validated configuration (docs/OPERATIONS.md, Node config). Built only by {@link
 * NodeConfigLoader}, which refuses unknown keys and unsafe values before any data file is touched.
 *
 * @param nodeId this node's id; one of {@code peers}
 * @param clusterName names the Raft group; nodes of one cluster share it
 * @param dataDir where the node keeps its log and store
 * @param peers all voting members, this node included, in config order
 * @param electionTimeoutMinMs lower bound of the randomized election timeout
 * @param electionTimeoutMaxMs upper bound of the randomized election timeout
 * @param raftRequestTimeoutMs Raft RPC timeout
 * @param logSync fsync the log before an entry counts (must be true)
 * @param requestBytesMax largest client request accepted (below Ratis' 4 MB entry limit)
 * @param writeTimeoutMs how long a write may wait for its commit before it is reported
 *     outcome-unknown
 * @param readTimeoutMs how long a read may wait (ReadIndex, or the applied index for at-least-index
 *     reads)
 * @param queryLimitMax the largest query limit this node serves (AERO_QUERY_LIMIT_TOO_LARGE)
 * @param queryScanEntriesMax the most index entries one query may examine on this node
 *     (AERO_QUERY_SCAN_LIMIT)
 * @param join start as a node joining an existing cluster: with no Raft configuration, waiting to
 *     be added (cluster add-learner); {@code peers} then names this node and, optionally, existing
 *     members
 * @param readinessLagMax a node is ready while its applied index is within this many entries of the
 *     commit index it knows
 * @param metricsPort the 127.0.0.1 port of /metrics and the /v1 status API (0 = off)
 * @param snapshotEveryEntries a snapshot (the store made durable, the log purged behind it) after
 *     this many applied entries
 * @param logRetainEntries entries the log keeps behind its last index when purged; a follower
 *     lagging further catches up by a store install
 * @param logSegmentBytes largest Raft log segment file (purge deletes whole closed segments)
 * @param gcRetainEntries the leader keeps the GC floor this many entries below the applied index
 *     (history reads reach back at least as far)
 * @param gcIntervalMs how often the leader considers raising the GC floor
 */
public record NodeConfig(
    String nodeId,
    String clusterName,
    Path dataDir,
    List<Peer> peers,
    long electionTimeoutMinMs,
    long electionTimeoutMaxMs,
    long raftRequestTimeoutMs,
    boolean logSync,
    int requestBytesMax,
    long writeTimeoutMs,
    long readTimeoutMs,
    long queryLimitMax,
    long queryScanEntriesMax,
    boolean join,
    long readinessLagMax,
    int metricsPort,
    long snapshotEveryEntries,
    long logRetainEntries,
    long logSegmentBytes,
    long gcRetainEntries,
    long gcIntervalMs) {

  public NodeConfig {
    peers = List.copyOf(peers);
  }

  /** The bounds this node checks every query against [Q1]. */
  public QueryLimits queryLimits() {
    return QueryLimits.DEFAULTS.withLimitMax(queryLimitMax).withScanEntriesMax(queryScanEntriesMax);
  }

  public Peer self() {
    return peer(nodeId).orElseThrow();
  }

  public Optional<Peer> peer(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst();
  }
}
