package io.aerodb.ratis.sim;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;

/**
 * One entry of a replica's simulated Raft log: a state-machine entry exactly as Ratis' leader built
 * it ({@code TransactionContext.initLogEntry}: the bytes the gateway encoded with LogEntryCodec),
 * or a Raft-internal entry (the configuration entry a new leader appends first) that Ratis never
 * passes to {@code applyTransaction}, only to {@code notifyTermIndexUpdated}. Immutable; replicas
 * share instances, so "the same entry" is the same object.
 *
 * @param proto null for a Raft-internal entry
 */
record RaftEntry(long term, long index, LogEntryProto proto) {
  boolean isStateMachineEntry() {
    return proto != null;
  }

  @Override
  public String toString() {
    return "(" + term + "," + index + (proto == null ? ",raft" : "") + ")";
  }
}
