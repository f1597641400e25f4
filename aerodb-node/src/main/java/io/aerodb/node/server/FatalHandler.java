package io.aerodb.node.server;

import io.aerodb.core.error.AeroError;

/**
 * What happens when the node must stop serving (its Raft server closed unexpectedly, the store
 * failed). The process handler logs and exits so a supervisor restarts the node; tests record the
 * error instead.
 */
@FunctionalInterface
public interface FatalHandler {
  void fatal(AeroError error);
}
