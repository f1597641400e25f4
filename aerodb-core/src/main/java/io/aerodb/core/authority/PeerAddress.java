package io.aerodb.core.authority;

/**
 * A member as the replicated peer directory knows it: the addresses recorded by the membership
 * change that added it, and whether it votes.
 */
public record PeerAddress(String nodeId, String apiAddress, String raftAddress, boolean voter) {}
