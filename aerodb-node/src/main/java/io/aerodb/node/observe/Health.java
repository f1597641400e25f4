package io.aerodb.node.observe;

/**
 * Health as probes see it (docs/OPERATIONS.md, Health):
 *
 * @param live the process works (not FAILED, not stopping): liveness
 * @param serving the node serves requests: started, not failed, and it knows a leader
 * @param ready serving and caught up: its applied index is within {@code readinessLagMax} entries
 *     of the commit index it knows, so reads served here are fresh
 * @param reason why it is not ready ("" when ready)
 */
public record Health(boolean live, boolean serving, boolean ready, String reason) {}
