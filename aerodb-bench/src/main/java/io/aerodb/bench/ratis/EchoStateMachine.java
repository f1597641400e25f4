package io.aerodb.bench.ratis;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * A state machine that does nothing with what it applies: each entry only moves the applied index,
 * and the reply is that index. Under {@link EchoServer} it leaves Ratis' own cost of a replicated
 * write — client RPC, log append and fsync, replication, commit, apply loop, reply — with no store,
 * no parsing and no batching of AeroDB's.
 *
 * <p>Its snapshot is "applied up to N" with nothing written (there is nothing to keep), so that
 * Ratis purges its log at AeroDB's snapshot interval as it does under AeroDB, whose snapshot makes
 * the store durable. A member restarted from such a directory would miss the purged entries; none
 * is: every run starts fresh members.
 */
final class EchoStateMachine extends BaseStateMachine {
  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(indexMessage(entry.getIndex()));
  }

  /**
   * A read-only request after Ratis' ReadIndex (as configured; Ratis 3.2 skips its confirmation
   * round while the commit index stands still, so this is not the confirmed read AeroDB and etcd
   * serve, docs/PERFORMANCE.md [R-LIN]): answers the applied index.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(indexMessage(getLastAppliedTermIndex().getIndex()));
  }

  @Override
  public long takeSnapshot() {
    return getLastAppliedTermIndex().getIndex();
  }

  private static Message indexMessage(long index) {
    return Message.valueOf(
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
            Long.toString(index), StandardCharsets.US_ASCII));
  }
}
