package io.aerodb.node.observe;

/**
 * What a node loaded and replayed at its last start (SPEC §5: restart replays only the log tail
 * after the persisted applied index).
 *
 * @param storeAppliedIndex the applied index the store held at start (the snapshot index reported
 *     to Ratis)
 * @param storeAppliedTerm its term
 * @param storeDigest the state digest the store held at start
 * @param logStartIndex the first index in the Raft log at start
 * @param logLastIndex the last index in the Raft log at start
 * @param firstReplayedIndex the first entry applied after start (0 if none)
 * @param lastAppliedIndex the last entry applied since start (0 if none)
 * @param entriesApplied how many state-machine entries were applied since start
 */
public record RecoveryReport(
    long storeAppliedIndex,
    long storeAppliedTerm,
    String storeDigest,
    long logStartIndex,
    long logLastIndex,
    long firstReplayedIndex,
    long lastAppliedIndex,
    long entriesApplied) {}
