package io.aerodb.node.server;

/** The lifecycle phase of a node process, as status and health report it. */
public enum Phase {
  /** Config read, data directory locked, store and Raft starting. */
  STARTING,
  /** Serving clients (health SERVING once a leader is known). */
  SERVING,
  /** Shutting down on request. */
  STOPPING,
  /** Stopped serving after a fatal error (the reason is logged and in status). */
  FAILED
}
