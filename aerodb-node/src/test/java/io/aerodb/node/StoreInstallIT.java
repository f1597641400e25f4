package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.node.testing.Promotions;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.TakeSnapshotReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots, log purge and catch-up by store install on a real 3-node cluster (real Ratis, RocksDB,
 * gRPC on loopback) with a small snapshot threshold, a small retained log and 1 MiB segments: the
 * log stays bounded under writes, a follower stopped across several snapshots rejoins by install
 * (notification mode, the store streamed over the peer channel) with the leader's state digest, and
 * a new learner added after the purge catches up by install and is promoted (docs/adr/0007).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreInstallIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"pad\":{\"type\":\"string\",\"required\":true}}}";
  static final String RAFT =
      ",\"snapshotEveryEntries\":100,\"logRetainEntries\":20,\"logSegmentBytes\":1048576";
  static final String PAD = "x".repeat(1000);

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;
  long lastWrite;

  @BeforeAll
  void start() throws Exception {
    cluster = new InProcessCluster(dir, 3, 5_000, RAFT);
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("docs", SCHEMA);
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

  private void insert(int from, int to) {
    for (int i = from; i < to; i++) {
      WriteReply r = client.insert("docs", "{\"_id\":\"d" + i + "\",\"pad\":\"" + PAD + "\"}");
      lastWrite = r.getCommitIndex();
    }
  }

  private NodeStatusReply status(int i) {
    return cluster.node(i).status();
  }

  private String id(int i) {
    return cluster.layout.ids.get(i);
  }

  @Test
  @Order(1)
  void theLogStaysBoundedUnderWrites() throws Exception {
    insert(0, 1500);
    int leader = cluster.awaitLeader(10_000);
    TakeSnapshotReply snap = client.admin().takeSnapshot(cluster.layout.apiAddress(leader));
    assertThat(snap.getSnapshotIndex()).isGreaterThanOrEqualTo(lastWrite - 100);
    for (int i = 0; i < 3; i++) {
      int n = i;
      await("log purged on " + id(n))
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                NodeStatusReply s = status(n);
                assertThat(s.getSnapshotIndex()).isGreaterThan(1000);
                assertThat(s.getLogStartIndex()).isGreaterThan(500);
                // two 1 MiB segments and change: far below the ~1.6 MB written
                assertThat(s.getLogBytes()).isLessThan(3L * 1024 * 1024);
              });
    }
  }

  @Test
  @Order(2)
  void aFollowerStoppedAcrossSnapshotsRejoinsByInstall() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    int follower = (leader + 1) % 3;
    cluster.awaitMatched(leader, id(follower), 10_000);
    long stoppedAt = status(follower).getAppliedIndex();
    cluster.stop(follower);

    insert(1500, 4000);
    int leaderNow = cluster.awaitLeader(10_000);
    await("the leader's log purged past the stopped follower")
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(leaderNow).getLogStartIndex() > stoppedAt + 1);

    cluster.start(follower);
    await("the follower installs a store and catches up")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              NodeStatusReply s = status(follower);
              assertThat(s.getInstall().getInstalls()).isGreaterThanOrEqualTo(1);
              assertThat(s.getAppliedIndex()).isGreaterThanOrEqualTo(lastWrite);
            });
    assertThat(status(follower).getInstall().getPhase()).isEqualTo("INSTALLED");
    NodeStatusReply installed = status(follower);
    assertThat(installed.getInstall().getBytesReceived())
        .isPositive()
        .isEqualTo(installed.getInstall().getBytesTotal());
    assertThat(installed.getInstall().getIndex()).isGreaterThan(stoppedAt);

    // Reads on the installed follower see documents written before and after its stop.
    for (String doc : List.of("d0", "d1499", "d3999")) {
      GetReply g = client.getAtLeast(cluster.layout.apiAddress(follower), "docs", doc, lastWrite);
      assertThat(g.getFound()).as(doc).isTrue();
    }
    assertEqualDigests();
    // No checkpoint or staging directory is left behind on any node.
    await("no staging or checkpoint directory left (the sender deletes its checkpoint last)")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 3; i++) {
                Path data = cluster.layout.root.resolve(id(i) + "-data");
                assertThat(leftovers(data.resolve("install"))).as(id(i)).isEmpty();
                assertThat(leftovers(data.resolve("checkpoints"))).as(id(i)).isEmpty();
              }
            });
  }

  @Test
  @Order(3)
  void aNewLearnerCatchesUpByInstallAndIsPromoted() throws Exception {
    insert(4000, 4200);
    int joiner = cluster.startJoiner();
    String joinerId = id(joiner);
    MembershipReply added =
        client.admin().addLearner(joinerId, cluster.layout.apiAddress(joiner), false, "m-add");
    assertThat(added.getOutcome()).isEqualTo("APPLIED");
    await("the learner installs a store and catches up")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              NodeStatusReply s = status(joiner);
              assertThat(s.getInstall().getInstalls()).isEqualTo(1);
              assertThat(s.getAppliedIndex()).isGreaterThanOrEqualTo(lastWrite);
            });
    MembershipReply promoted = Promotions.awaitPromotion(client, joinerId);
    assertThat(promoted.getVotersList()).hasSize(4).contains(joinerId);
    insert(4200, 4210);
    assertEqualDigests();
  }

  /** Every running node at one applied index (no write in flight) has one state digest. */
  private void assertEqualDigests() {
    await("every node applied the last write")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              List<Long> applied = new ArrayList<>();
              List<String> digests = new ArrayList<>();
              for (int i = 0; i < cluster.size(); i++) {
                if (cluster.node(i) != null) {
                  applied.add(status(i).getAppliedIndex());
                  digests.add(status(i).getStateDigest());
                }
              }
              assertThat(applied).allMatch(a -> a.equals(applied.get(0)));
              assertThat(applied.get(0)).isGreaterThanOrEqualTo(lastWrite);
              assertThat(digests).allMatch(d -> d.equals(digests.get(0)));
            });
  }

  private static List<Path> leftovers(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
