package io.aerodb.ratis;

/**
 * What the state machine tells the node about Raft. Called on Ratis threads: implementations return
 * quickly and never block.
 */
public interface RaftEvents {
  /** This server learned a new leader (or lost it: {@code leaderId} empty). */
  default void leaderChanged(String leaderId) {}

  /** This server became leader and applied its first entry of the term. */
  default void leaderReady() {}

  /** This server stopped being leader; {@code pendingEntries} writes will be answered NotLeader. */
  default void steppedDown(int pendingEntries) {}

  /** A configuration entry was applied: the voters and learners (Ratis listeners) now in force. */
  default void configurationChanged(
      long term, long index, java.util.List<String> voters, java.util.List<String> learners) {}

  /** This server was removed from the group (by a membership change). */
  default void groupRemoved() {}

  /** An authority record (epoch, transfer, membership, recovery) was applied at its index. */
  default void authorityApplied(io.aerodb.core.authority.AuthorityRecord record) {}

  /** The Raft server stopped: expected during shutdown; otherwise the node must stop serving. */
  default void serverShutdown() {}

  /** The log failed to write; the server will stop. */
  default void logFailed(Throwable cause) {}

  /**
   * The store failed under apply or a read (AERO_STORAGE_IO or AERO_STORAGE_CORRUPTION, with the
   * file and offset when known): the node must stop serving, with this error.
   */
  default void storeFailed(io.aerodb.core.error.AeroError error) {}

  /** The store was made durable up to (term, index) and recorded as the snapshot. */
  default void snapshotTaken(long term, long index) {}

  /** A snapshot could not be taken (the store's fsync failed); nothing was recorded. */
  default void snapshotFailed(String why) {}

  /** A store fetched from another member replaced this node's store, at (term, index). */
  default void storeInstalled(long term, long index) {}

  RaftEvents NONE = new RaftEvents() {};
}
