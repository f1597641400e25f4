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

  /** The Raft server stopped: expected during shutdown; otherwise the node must stop serving. */
  default void serverShutdown() {}

  /** The log failed to write; the server will stop. */
  default void logFailed(Throwable cause) {}

  RaftEvents NONE = new RaftEvents() {};
}
