package io.aerodb.node.promotion;

/**
 * What a node asked to join said about itself (its NodeStatus), or why it could not be asked.
 *
 * @param reachable whether its API answered
 * @param nodeId the id it reports
 * @param clusterName the cluster it is configured for
 * @param raftAddress its Raft address host:port
 * @param appliedIndex how much state it already holds (a joining node holds none)
 * @param error why it could not be asked ("" if it answered)
 */
public record JoinCandidate(
    boolean reachable,
    String nodeId,
    String clusterName,
    String raftAddress,
    long appliedIndex,
    String error) {}
