package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.server.AeroNode;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.InsertRequest;
import io.aerodb.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-process 3-node cluster (real Ratis, RocksDB and gRPC on loopback): writes through any node,
 * the follower redirect (AERO_NOT_LEADER with the leader's address, nothing written), reads on
 * followers, the write rules over the wire, request_id deduplication, leader loss and re-election
 * in a higher term, and a restarted node that replays only what it had not applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InProcessClusterIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true},\"age\":{\"type\":\"int\",\"required\":false}}}";

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;

  @BeforeAll
  void start() throws Exception {
    cluster = new InProcessCluster(dir, 3);
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("users", SCHEMA);
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aFollowerAnswersNotLeaderWithTheLeadersAddressAndWritesNothing() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    int follower = (leader + 1) % 3;
    ManagedChannel ch = channel(cluster.layout.apiAddress(follower));
    try {
      assertThatThrownBy(
              () ->
                  DocumentServiceGrpc.newBlockingStub(ch)
                      .insert(
                          InsertRequest.newBuilder()
                              .setCollection("users")
                              .setDocumentJson("{\"_id\":\"redirected\",\"name\":\"R\"}")
                              .build()))
          .isInstanceOf(StatusRuntimeException.class)
          .satisfies(
              t -> {
                AeroClientException e = decode((StatusRuntimeException) t);
                assertThat(e.code()).isEqualTo("AERO_NOT_LEADER");
                assertThat(e.invariant()).isEqualTo("P6-A1");
                assertThat(e.leaderAddress()).isEqualTo(cluster.layout.apiAddress(leader));
                assertThat(e.leaderId()).isEqualTo(cluster.layout.ids.get(leader));
              });
    } finally {
      ch.shutdownNow();
    }
    assertThat(client.get("users", "redirected").getFound()).isFalse();
  }

  @Test
  @Order(2)
  void writesThroughAnyNodeAreFollowedToTheLeaderAndReadableEverywhere() throws Exception {
    long last = 0;
    for (int i = 0; i < 3; i++) {
      try (AeroClient viaOne = AeroClient.connect(List.of(cluster.layout.apiAddress(i)))) {
        WriteReply r =
            viaOne.insert(
                "users", "{\"_id\":\"via-" + i + "\",\"name\":\"N" + i + "\",\"age\":" + i + "}");
        assertThat(r.getCommitIndex()).isGreaterThan(last); // [MVCC-2]
        last = r.getCommitIndex();
        // A linearizable read served through the same single node (a follower asks the leader for
        // the index).
        GetReply g = viaOne.get("users", "via-" + i);
        assertThat(g.getFound()).isTrue();
        assertThat(g.getDocumentJson())
            .isEqualTo("{\"_id\":\"via-" + i + "\",\"age\":" + i + ",\"name\":\"N" + i + "\"}");
        assertThat(g.getReceipt().getIndex()).isGreaterThanOrEqualTo(r.getCommitIndex());
      }
    }
    for (int i = 0; i < 3; i++) {
      GetReply g = client.getAtLeast(cluster.layout.apiAddress(i), "users", "via-2", last);
      assertThat(g.getFound()).isTrue();
      assertThat(g.getReceipt().getNodeId()).isEqualTo(cluster.layout.ids.get(i));
      assertThat(g.getReceipt().getIndex()).isGreaterThanOrEqualTo(last);
      assertThat(g.getVersionIndex()).isEqualTo(last);
    }
  }

  @Test
  @Order(3)
  void theWriteRulesHoldOverTheWire() {
    WriteReply ins = client.insert("users", "{\"_id\":\"rules\",\"name\":\"A\"}");
    assertThat(ins.getExisted()).isFalse();
    assertThatThrownBy(() -> client.insert("users", "{\"_id\":\"rules\",\"name\":\"B\"}"))
        .isInstanceOfSatisfying(
            AeroClientException.class, e -> assertThat(e.code()).isEqualTo("AERO_DOCUMENT_EXISTS"));
    assertThatThrownBy(() -> client.update("users", "{\"_id\":\"nobody\",\"name\":\"B\"}"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_DOCUMENT_NOT_FOUND"));
    assertThatThrownBy(() -> client.insert("users", "{\"_id\":\"bad\",\"name\":\"B\",\"age\":1.5}"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("AERO_VALIDATION_TYPE_MISMATCH");
              assertThat(e.severity()).isEqualTo("REJECT");
              assertThat(e.invariant()).isEqualTo("S3");
              assertThat(e.details())
                  .containsEntry("path", "age")
                  .containsEntry("expected", "int")
                  .containsEntry("actual", "float")
                  .containsEntry("schemaVersion", "1");
            });
    assertThat(client.get("users", "bad").getFound()).isFalse();
    WriteReply upd = client.update("users", "{\"_id\":\"rules\",\"name\":\"C\"}");
    assertThat(upd.getExisted()).isTrue();
    assertThat(client.delete("users", "rules").getExisted()).isTrue();
    WriteReply again = client.delete("users", "rules");
    assertThat(again.getExisted()).isFalse();
    assertThat(again.getCommitIndex()).isGreaterThan(upd.getCommitIndex());
    assertThat(client.get("users", "rules").getFound()).isFalse();
    assertThatThrownBy(() -> client.insert("nope", "{\"_id\":\"x\"}"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_COLLECTION_NOT_FOUND"));
  }

  @Test
  @Order(4)
  void aRetryWithTheSameRequestIdIsAnsweredWithTheOriginalResult() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    ManagedChannel ch = channel(cluster.layout.apiAddress(leader));
    try {
      InsertRequest req =
          InsertRequest.newBuilder()
              .setCollection("users")
              .setDocumentJson("{\"_id\":\"once\",\"name\":\"O\"}")
              .setRequestId(ByteString.copyFromUtf8("request-once"))
              .build();
      var stub = DocumentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
      WriteReply first = stub.insert(req);
      WriteReply retry = stub.insert(req);
      assertThat(first.getDeduplicated()).isFalse();
      assertThat(retry.getDeduplicated()).isTrue();
      assertThat(retry.getCommitIndex()).isEqualTo(first.getCommitIndex());
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  @Order(5)
  void oversizedRequestsAreRefusedWithTheLimitNamed() {
    String big = "x".repeat(2 * 1024 * 1024 + 10);
    assertThatThrownBy(() -> client.insert("users", "{\"_id\":\"big\",\"name\":\"" + big + "\"}"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("AERO_LIMIT_REQUEST_SIZE");
              assertThat(e.details()).containsEntry("limit", "requestBytesMax");
            });
    String oneMeg = "y".repeat(1024 * 1024);
    assertThatThrownBy(
            () -> client.insert("users", "{\"_id\":\"big\",\"name\":\"" + oneMeg + "\"}"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_LIMIT_DOCUMENT_SIZE"));
  }

  /**
   * The leader's group commit: 24 concurrent writers share log entries (several acknowledgements
   * name one commit index), yet every write gets its own result — rejected duplicates alone, a
   * document written by everyone stays consistent — each writer's indexes strictly increase, and
   * every node applies the same state (equal digests) [MVCC-2].
   */
  @Test
  @Order(6)
  void concurrentWritersShareLogEntriesAndEveryWriteKeepsItsOwnResult() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    client.insert("users", "{\"_id\":\"hot\",\"name\":\"start\",\"age\":0}");
    int writers = 24;
    int perWriter = 30;
    List<List<Long>> indexes = new ArrayList<>();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger hotUpdates = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int w = t;
        futures.add(
            pool.submit(
                () -> {
                  List<Long> mine = new ArrayList<>();
                  for (int i = 0; i < perWriter; i++) {
                    String id = "g-" + w + "-" + i;
                    mine.add(
                        client
                            .insert("users", "{\"_id\":\"" + id + "\",\"name\":\"n" + i + "\"}")
                            .getCommitIndex());
                    if (i % 5 == 0) {
                      try {
                        client.insert("users", "{\"_id\":\"" + id + "\",\"name\":\"again\"}");
                        problems.add("duplicate insert of " + id + " was accepted");
                      } catch (AeroClientException e) {
                        if (!e.code().equals("AERO_DOCUMENT_EXISTS")) {
                          problems.add(id + ": " + e.code());
                        }
                      }
                      mine.add(
                          client
                              .update(
                                  "users",
                                  "{\"_id\":\"hot\",\"name\":\"w" + w + "\",\"age\":" + i + "}")
                              .getCommitIndex());
                      hotUpdates.incrementAndGet();
                    }
                  }
                  return mine;
                }));
      }
      for (Future<List<Long>> f : futures) {
        indexes.add(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(problems).isEmpty();
    TreeMap<Long, Integer> acksPerIndex = new TreeMap<>();
    for (List<Long> mine : indexes) {
      for (int i = 1; i < mine.size(); i++) {
        assertThat(mine.get(i)).as("one writer's commit indexes").isGreaterThan(mine.get(i - 1));
      }
      for (long x : mine) {
        acksPerIndex.merge(x, 1, Integer::sum);
      }
    }
    assertThat(acksPerIndex.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("acknowledgements sharing one log entry (group commit)")
        .isGreaterThan(1);
    assertThat(cluster.node(leader).metrics().histogram("writes.batch_size").getSnapshot().getMax())
        .isGreaterThan(1);
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < perWriter; i++) {
        GetReply r = client.get("users", "g-" + w + "-" + i);
        assertThat(r.getFound()).isTrue();
        assertThat(r.getDocumentJson()).contains("\"n" + i + "\"");
        assertThat(r.getVersionIndex()).isEqualTo(indexes.get(w).get(i + (i + 4) / 5));
      }
    }
    assertThat(hotUpdates.get()).isEqualTo(writers * (perWriter / 5));
    long last = acksPerIndex.lastKey();
    byte[] digest = null;
    for (int i = 0; i < 3; i++) {
      AeroNode n = cluster.node(i);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> n.stateMachine().engine().applied().index() >= last);
      client.getAtLeast(cluster.layout.apiAddress(i), "users", "hot", last);
    }
    long common = cluster.node(0).stateMachine().engine().applied().index();
    for (int i = 0; i < 3; i++) {
      // compare the digests at one index: wait until every node is exactly there (no writes now)
      AeroNode n = cluster.node(i);
      assertThat(n.stateMachine().engine().applied().index()).isEqualTo(common);
      byte[] d = n.stateMachine().engine().applied().digest();
      if (digest == null) {
        digest = d;
      }
      assertThat(d).as("digest of " + cluster.layout.ids.get(i)).isEqualTo(digest);
    }
  }

  @Test
  @Order(7)
  void healthIsServingOnEveryNodeThatKnowsTheLeader() throws Exception {
    for (int i = 0; i < 3; i++) {
      ManagedChannel ch = channel(cluster.layout.apiAddress(i));
      try {
        HealthCheckResponse r =
            HealthGrpc.newBlockingStub(ch)
                .check(HealthCheckRequest.newBuilder().setService("").build());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  @Order(8)
  void losingTheLeaderElectsAnotherInAHigherTermAndARestartReplaysOnlyTheTail() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    long termBefore = cluster.node(leader).currentTerm();
    WriteReply before = client.insert("users", "{\"_id\":\"before-loss\",\"name\":\"B\"}");
    cluster.stop(leader);

    int next = cluster.awaitLeader(20_000);
    assertThat(next).isNotEqualTo(leader);
    assertThat(cluster.node(next).currentTerm()).isGreaterThan(termBefore);
    WriteReply after = client.insert("users", "{\"_id\":\"after-loss\",\"name\":\"A\"}");
    assertThat(after.getCommitIndex()).isGreaterThan(before.getCommitIndex()); // [MVCC-2]
    assertThat(client.get("users", "before-loss").getFound()).isTrue();

    cluster.start(leader); // same data directory: recovers its store, replays the log after it
    cluster.awaitLeader(20_000);
    GetReply caughtUp =
        getAtLeastOnceReachable(
            cluster.layout.apiAddress(leader), "users", "after-loss", after.getCommitIndex());
    assertThat(caughtUp.getFound()).isTrue();
    // It had applied everything up to 'before' when it stopped: only the entries after that are
    // applied again.
    long replayed = cluster.node(leader).stateMachine().appliedEntriesSinceStart();
    assertThat(replayed).isBetween(1L, after.getCommitIndex() - before.getCommitIndex());
    assertThat(cluster.fatals).isEmpty();
  }

  /**
   * A read at one node that may have just restarted: the client's channel to it can still be in
   * gRPC's reconnect back-off and fail fast with UNAVAILABLE, so ask again for a bounded time.
   */
  private GetReply getAtLeastOnceReachable(String address, String coll, String id, long min)
      throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try {
        return client.getAtLeast(address, coll, id, min);
      } catch (AeroClientException e) {
        if (!e.code().equals("AERO_CLUSTER_UNAVAILABLE") || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // between retries of a call, bounded by the deadline
      }
    }
  }

  private static ManagedChannel channel(String address) {
    return NettyChannelBuilder.forTarget(address).usePlaintext().build();
  }

  private static AeroClientException decode(StatusRuntimeException e) {
    return AeroClientException.fromStatus(e, "");
  }
}
