package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.Session;
import io.aerodb.client.WriteOptions;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.WriteReply;
import io.aerodb.proto.v1.WriteStatusReply;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards [TX2], atomic batches [TX1], write status and read-your-writes over the wire, on an
 * in-process 3-node cluster (real Ratis, RocksDB, gRPC on loopback): a batch across collections is
 * visible on no node below its index and whole on every node at it; a failed guard or operation is
 * named and writes nothing; a bank of accounts moved by guarded batches from concurrent clients
 * keeps its total across a leader kill; a retry after Ratis' own retry cache expired (200 ms here)
 * still gets the original result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchesIT {
  private static final String USERS =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true}}}";
  private static final String ACCOUNTS =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"balance\":{\"type\":\"int\",\"required\":true}}}";
  private static final String RETRY_CACHE_EXPIRY = "aerodb.ratis.raft.server.retrycache.expirytime";

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;

  @BeforeAll
  void start() throws Exception {
    System.setProperty(RETRY_CACHE_EXPIRY, "200ms"); // read once, when each node starts
    try {
      cluster = new InProcessCluster(dir, 3);
    } finally {
      System.clearProperty(RETRY_CACHE_EXPIRY);
    }
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("users", USERS);
    client.createCollection("accounts", ACCOUNTS);
  }

  @AfterAll
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private final List<ManagedChannel> channels = new ArrayList<>();

  private ManagedChannel channel(int node) {
    ManagedChannel ch =
        NettyChannelBuilder.forTarget(cluster.layout.apiAddress(node)).usePlaintext().build();
    channels.add(ch);
    return ch;
  }

  private static String account(String id, long balance) {
    return "{\"_id\":\"" + id + "\",\"balance\":" + balance + "}";
  }

  private static long balance(GetReply r) {
    String json = r.getDocumentJson();
    int at = json.indexOf("\"balance\":") + 10;
    int end = at;
    while (end < json.length()
        && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '-')) {
      end++;
    }
    return Long.parseLong(json.substring(at, end));
  }

  @Test
  @Order(1)
  void compareAndSetAppliesOnTheVersionItExpectsAndNamesTheActualOne() {
    WriteReply first = client.insert("users", "{\"_id\":\"c1\",\"name\":\"Ada\"}");
    AeroClientException stale =
        (AeroClientException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    client.compareAndSet(
                        "users", "{\"_id\":\"c1\",\"name\":\"Bob\"}", first.getCommitIndex() - 1));
    assertThat(stale.code()).isEqualTo("AERO_TXN_PRECONDITION_FAILED");
    assertThat(stale.invariant()).isEqualTo("TX2");
    assertThat(stale.details())
        .containsEntry("expectedVersion", Long.toString(first.getCommitIndex() - 1))
        .containsEntry("actualVersion", Long.toString(first.getCommitIndex()));
    assertThat(client.get("users", "c1").getDocumentJson()).contains("Ada");

    WriteReply cas =
        client.compareAndSet("users", "{\"_id\":\"c1\",\"name\":\"Bob\"}", first.getCommitIndex());
    assertThat(client.get("users", "c1").getVersionIndex()).isEqualTo(cas.getCommitIndex());
    // "absent": an insert that only a first writer wins, a delete guarded by the version it saw
    assertThatThrownBy(
            () ->
                client.insert(
                    "users",
                    "{\"_id\":\"c1\",\"name\":\"Cy\"}",
                    WriteOptions.none().expectAbsent()))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_TXN_PRECONDITION_FAILED"));
    WriteReply deleted =
        client.delete("users", "c1", WriteOptions.none().expectVersion(cas.getCommitIndex()));
    assertThat(deleted.getExisted()).isTrue();
    // a malformed guard is refused before anything is proposed
    assertThatThrownBy(() -> client.delete("users", "c1", WriteOptions.none().expectVersion(0)))
        .isInstanceOfSatisfying(
            AeroClientException.class, e -> assertThat(e.code()).isEqualTo("AERO_REQUEST_INVALID"));
  }

  @Test
  @Order(2)
  void aBatchIsVisibleWholeAtItsIndexOnEveryNodeAndNowhereBelowIt() {
    WriteReply a1 = client.insert("accounts", account("a1", 100));
    WriteReply a2 = client.insert("accounts", account("a2", 0));
    BatchReply r =
        client
            .batch()
            .update("accounts", account("a1", 60), a1.getCommitIndex())
            .update("accounts", account("a2", 40), a2.getCommitIndex())
            .insertIfAbsent("users", "{\"_id\":\"b1\",\"name\":\"Bea\"}")
            .delete("users", "nobody")
            .commit();
    assertThat(r.getResultsCount()).isEqualTo(4);
    assertThat(r.getResults(3).getExisted()).isFalse();
    long index = r.getCommitIndex();
    for (String node : cluster.layout.apiAddresses()) {
      assertThat(balance(client.getAt(node, "accounts", "a1", index - 1))).isEqualTo(100);
      assertThat(balance(client.getAt(node, "accounts", "a2", index - 1))).isZero();
      assertThat(client.getAt(node, "users", "b1", index - 1).getFound()).isFalse();
      assertThat(client.getAt(node, "accounts", "a1", index).getVersionIndex()).isEqualTo(index);
      assertThat(client.getAt(node, "accounts", "a2", index).getVersionIndex()).isEqualTo(index);
      assertThat(client.getAt(node, "users", "b1", index).getVersionIndex()).isEqualTo(index);
    }

    // a stale guard on the second operation: nothing of the batch is written, the error names it
    AeroClientException failed =
        (AeroClientException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    client
                        .batch()
                        .update("accounts", account("a1", 0), index)
                        .update("accounts", account("a2", 100), a2.getCommitIndex())
                        .commit());
    assertThat(failed.code()).isEqualTo("AERO_TXN_PRECONDITION_FAILED");
    assertThat(failed.details())
        .containsEntry("operationIndex", "1")
        .containsEntry("operationKind", "update");
    assertThat(client.get("accounts", "a1").getVersionIndex()).isEqualTo(index);

    AeroClientException repeated =
        (AeroClientException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    client
                        .batch()
                        .delete("accounts", "a1")
                        .update("accounts", account("a1", 5))
                        .commit());
    assertThat(repeated.code()).isEqualTo("AERO_TXN_DOCUMENT_REPEATED");
    AeroClientException empty =
        (AeroClientException)
            org.assertj.core.api.Assertions.catchThrowable(() -> client.batch().commit());
    assertThat(empty.code()).isEqualTo("AERO_LIMIT_BATCH_OPERATIONS");
  }

  @Test
  @Order(3)
  void aWriteStatusNamesTheOriginalResultAndARetryAfterTheRatisCacheExpiredIsDeduplicated()
      throws Exception {
    ManagedChannel ch = channel(cluster.awaitLeader(10_000));
    try {
      var stub = DocumentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
      InsertRequest req =
          InsertRequest.newBuilder()
              .setCollection("users")
              .setDocumentJson("{\"_id\":\"s1\",\"name\":\"S\"}")
              .setRequestId(ByteString.copyFromUtf8("status-1"))
              .build();
      WriteReply first = stub.insert(req);
      Thread.sleep(1_000); // five times the Ratis retry cache's expiry
      WriteReply retry = stub.insert(req);
      assertThat(retry.getDeduplicated()).isTrue();
      assertThat(retry.getCommitIndex()).isEqualTo(first.getCommitIndex());
    } finally {
      ch.shutdownNow();
    }
    WriteStatusReply committed = client.writeStatus(ByteString.copyFromUtf8("status-1"));
    assertThat(committed.getState()).isEqualTo(WriteStatusReply.State.COMMITTED);
    assertThat(committed.getRememberedFromIndex()).isEqualTo(1);

    // racing inserts of one new document, each under its own request id: one commits; a loser
    // refused by the leader's check before proposing is unknown (nothing was logged), one refused
    // at apply is REJECTED with its code
    var async = DocumentServiceGrpc.newFutureStub(channel(cluster.awaitLeader(10_000)));
    List<com.google.common.util.concurrent.ListenableFuture<WriteReply>> racing = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      racing.add(
          async.insert(
              InsertRequest.newBuilder()
                  .setCollection("users")
                  .setDocumentJson("{\"_id\":\"race\",\"name\":\"R" + i + "\"}")
                  .setRequestId(ByteString.copyFromUtf8("race-" + i))
                  .build()));
    }
    int won = 0;
    for (int i = 0; i < racing.size(); i++) {
      boolean ok;
      try {
        racing.get(i).get(10, TimeUnit.SECONDS);
        ok = true;
      } catch (java.util.concurrent.ExecutionException e) {
        ok = false;
      }
      WriteStatusReply s = client.writeStatus(ByteString.copyFromUtf8("race-" + i));
      if (ok) {
        won++;
        assertThat(s.getState()).isEqualTo(WriteStatusReply.State.COMMITTED);
      } else if (s.getState() == WriteStatusReply.State.REJECTED) {
        assertThat(s.getRejection().getCode()).isEqualTo("AERO_DOCUMENT_EXISTS");
      } else {
        assertThat(s.getState()).isEqualTo(WriteStatusReply.State.UNKNOWN);
      }
    }
    assertThat(won).isEqualTo(1);
    assertThat(client.writeStatus(ByteString.copyFromUtf8("never")).getState())
        .isEqualTo(WriteStatusReply.State.UNKNOWN);
    assertThatThrownBy(() -> client.writeStatus(ByteString.EMPTY))
        .isInstanceOfSatisfying(
            AeroClientException.class, e -> assertThat(e.code()).isEqualTo("AERO_REQUEST_INVALID"));
  }

  @Test
  @Order(4)
  void aSessionReadsItsOwnWritesOnEveryNode() {
    Session session = client.session();
    for (int i = 0; i < 5; i++) {
      WriteReply w = session.insert("users", "{\"_id\":\"r" + i + "\",\"name\":\"R\"}");
      for (String node : cluster.layout.apiAddresses()) {
        GetReply r = session.get(node, "users", "r" + i);
        assertThat(r.getFound()).as("r%d on %s", i, node).isTrue();
        assertThat(r.getReceipt().getIndex()).isGreaterThanOrEqualTo(w.getCommitIndex());
      }
    }
  }

  @Test
  @Order(5)
  void guardedTransfersFromConcurrentClientsKeepTheTotalAcrossALeaderKill() throws Exception {
    int accounts = 5;
    long each = 1_000;
    for (int i = 0; i < accounts; i++) {
      client.insert("accounts", account("bank" + i, each));
    }
    AtomicLong committed = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> clients = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long seed = t;
      clients.add(
          pool.submit(
              () -> {
                Random random = new Random(seed);
                for (int n = 0; n < 40; n++) {
                  int from = random.nextInt(accounts);
                  int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                  GetReply a = client.get("accounts", "bank" + from);
                  GetReply b = client.get("accounts", "bank" + to);
                  long amount = 1 + random.nextInt(50);
                  try {
                    client
                        .batch()
                        .update(
                            "accounts",
                            account("bank" + from, balance(a) - amount),
                            a.getVersionIndex())
                        .update(
                            "accounts",
                            account("bank" + to, balance(b) + amount),
                            b.getVersionIndex())
                        .commit();
                    committed.incrementAndGet();
                  } catch (AeroClientException e) {
                    if (!e.code().equals("AERO_TXN_PRECONDITION_FAILED")) {
                      throw e;
                    }
                    conflicts.incrementAndGet(); // another client moved one of them first
                  }
                }
                return null;
              }));
    }
    Thread.sleep(500);
    int leader = cluster.awaitLeader(10_000);
    cluster.stop(leader); // the clients follow the new leader; in-flight batches retry safely
    cluster.start(leader);
    for (Future<?> f : clients) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(committed.get()).isPositive();
    long total = 0;
    for (int i = 0; i < accounts; i++) {
      total += balance(client.get("accounts", "bank" + i));
    }
    assertThat(total).as("committed %s, conflicts %s", committed, conflicts).isEqualTo(each * 5);
    long at = client.get("accounts", "bank0").getReceipt().getIndex();
    for (String node : cluster.layout.apiAddresses()) {
      long[] sum = new long[1];
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .ignoreExceptions() // the restarted node may still be starting
          .until(
              () -> {
                sum[0] = 0;
                for (int i = 0; i < accounts; i++) {
                  sum[0] += balance(client.getAtLeast(node, "accounts", "bank" + i, at));
                }
                return true;
              });
      assertThat(sum[0]).as("on %s", node).isEqualTo(each * 5);
    }
  }
}
