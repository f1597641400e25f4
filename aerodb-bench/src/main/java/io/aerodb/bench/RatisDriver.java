package io.aerodb.bench;

import io.aerodb.bench.ratis.EchoServer;
import io.aerodb.ratis.RatisConfig;
import io.aerodb.ratis.RatisMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Ratis alone ({@link EchoServer} members): a write is one Ratis client request carrying the 1 KiB
 * document, one log entry; a batch is one request and one entry carrying all its documents; a get
 * is a Ratis read-only request (ReadIndex, which Ratis 3.2 answers without a confirmation round
 * while the commit index stands still: not the linearizable read AeroDB and etcd do, see
 * docs/PERFORMANCE.md [R-LIN]). One client shared by every thread, like the other drivers.
 */
final class RatisDriver implements Driver {
  private final RaftClient client;

  RatisDriver(String endpoints) {
    RatisMetrics.install(); // as the node does: keeps Ratis' default JMX reporter off
    // Bounded like every AeroDB Raft client: 3 s per attempt, 20 attempts (a leader election).
    this.client = RatisConfig.newClient(EchoServer.group(endpoints), 3_000, 20);
  }

  @Override
  public void insert(String id, String document) throws Exception {
    check(client.io().send(Message.valueOf(ByteString.copyFrom(document, StandardCharsets.UTF_8))));
  }

  /** The documents in one request: one log entry carrying them all (like AeroDB's group commit). */
  @Override
  public void insertAll(List<String> ids, List<String> documents) throws Exception {
    ByteString.Output out = ByteString.newOutput();
    for (String d : documents) {
      out.write(d.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    check(client.io().send(Message.valueOf(out.toByteString())));
  }

  @Override
  public AutoCloseable watch(AtomicLong received) {
    throw new UnsupportedOperationException("the Ratis-only cluster has no watch");
  }

  /**
   * Not {@link Driver#get}'s contract: the read is Ratis' unconfirmed ReadIndex (see the class) and
   * the no-op state machine has no documents, so it answers the applied index whatever the id.
   */
  @Override
  public void get(String id) throws Exception {
    check(client.io().sendReadOnly(Message.valueOf(ByteString.copyFromUtf8(id))));
  }

  @Override
  public void ping() {
    throw new UnsupportedOperationException("Ratis' port serves no health check");
  }

  private static void check(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException("Ratis refused: " + reply.getException());
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
