package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * MVCC garbage collection on a real 3-node cluster (docs/adr/0008): sustained updates over a small
 * key set with a short retained history (gc.retainEntries 100) and small snapshots keep the number
 * of stored versions, the index entries a query examines and the log bounded; the floor the leader
 * raised by policy is collected on every node; history reads at the floor answer and below it fail
 * with AERO_MVCC_SNAPSHOT_TOO_OLD naming both numbers; an operator raises the floor; every node
 * keeps the same state digest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GarbageCollectionIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true},"
          + "\"group\":{\"type\":\"string\",\"required\":true}}}";
  static final int DOCS = 20;
  static final int ROUNDS = 60;
  static final long RETAIN = 100;

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;
  long lastWrite;

  @BeforeAll
  void start() throws Exception {
    cluster =
        new InProcessCluster(
            dir,
            3,
            l -> {
              l.raftExtra =
                  ",\"snapshotEveryEntries\":100,\"logRetainEntries\":50,\"logSegmentBytes\":1048576";
              l.gc = "{\"retainEntries\":" + RETAIN + ",\"intervalMs\":200}";
            });
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("counters", SCHEMA);
    client.createIndex("counters", "group");
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

  private static String doc(int i, int round) {
    // keys in canonical (sorted) order, as reads return them
    return "{\"_id\":\"c" + i + "\",\"group\":\"g" + (round % 2) + "\",\"n\":" + round + "}";
  }

  private record Cli(int exit, String out, String err) {}

  private static Cli cli(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int exit =
        io.aerodb.node.cli.AeroCli.run(
            args,
            new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
            new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    return new Cli(
        exit,
        out.toString(java.nio.charset.StandardCharsets.UTF_8),
        err.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Document versions in node i's store. */
  private long versions(int i) {
    return cluster
        .node(i)
        .stateMachine()
        .engine()
        .withStore(
            s -> {
              long n = 0;
              byte[] from = {Keys.DOCUMENT};
              try (KvCursor c = s.seek(from)) {
                for (; c.valid() && c.key()[0] == Keys.DOCUMENT; c.next()) {
                  n++;
                }
              }
              return n;
            });
  }

  @Test
  void historyIsCollectedIdenticallyAndStaysBoundedUnderUpdates() {
    for (int i = 0; i < DOCS; i++) {
      lastWrite = client.insert("counters", doc(i, 0)).getCommitIndex();
    }
    for (int round = 1; round <= ROUNDS; round++) {
      for (int i = 0; i < DOCS; i++) {
        lastWrite = client.update("counters", doc(i, round)).getCommitIndex();
      }
    }
    long written = (long) DOCS * (ROUNDS + 1);

    // The leader raised the floor by policy; every node collected up to it.
    await("every node collected up to a floor within the retained history")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 3; i++) {
                NodeStatusReply s = cluster.node(i).status();
                assertThat(s.getGcFloor())
                    .isGreaterThanOrEqualTo(lastWrite - RETAIN - RETAIN / 10 - 10);
                assertThat(s.getGcCollected()).isEqualTo(s.getGcFloor());
              }
            });
    long leastCollected = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      // at most the base version of each document plus one version per entry above what this node
      // collected (read first: collection only goes on)
      long collected = cluster.node(i).status().getGcCollected();
      leastCollected = Math.min(leastCollected, collected);
      assertThat(versions(i))
          .as("versions on node %d", i)
          .isLessThanOrEqualTo(DOCS + Math.max(0, lastWrite - collected))
          .isLessThan(written / 4);
    }
    long floor = cluster.node(1).status().getGcFloor();

    // A query examines entries of retained versions only, not of all history.
    QueryReply q =
        client.query(
            QueryRequest.newBuilder()
                .setCollection("counters")
                .setFilterJson("{\"group\":\"g0\"}")
                .setLimit(100)
                .setConsistency(Consistency.LINEARIZABLE)
                .build());
    assertThat(q.getResultsCount()).isEqualTo(DOCS); // ROUNDS is even: every doc is in g0
    assertThat(q.getEntriesExamined()).isLessThanOrEqualTo(DOCS + (lastWrite - leastCollected));

    // History reads: at the floor they answer; below it they are refused naming both numbers.
    String node = cluster.layout.apiAddress(1);
    GetReply atFloor = client.getAt(node, "counters", "c0", floor);
    assertThat(atFloor.getReceipt().getIndex()).isEqualTo(floor);
    assertThat(atFloor.getReceipt().getConsistency()).isEqualTo(Consistency.AT_INDEX);
    assertThat(atFloor.getFound()).isTrue();
    assertThatThrownBy(() -> client.getAt(node, "counters", "c0", floor - 1))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("AERO_MVCC_SNAPSHOT_TOO_OLD");
              assertThat(e.details())
                  .containsEntry("index", Long.toString(floor - 1))
                  .containsEntry("gcFloor", Long.toString(floor));
            });

    // An operator raises the floor; lowering it is refused with the numbers.
    long opFloor = lastWrite - 5;
    assertThat(client.admin().setGcFloor(opFloor).getFloor()).isEqualTo(opFloor);
    assertThatThrownBy(() -> client.admin().setGcFloor(floor))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("AERO_GC_FLOOR_INVALID");
              assertThat(e.details()).containsEntry("currentFloor", Long.toString(opFloor));
            });
    await("every node collected up to the operator's floor")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 3; i++) {
                assertThat(cluster.node(i).status().getGcCollected())
                    .isGreaterThanOrEqualTo(opFloor);
              }
            });
    for (int i = 0; i < 3; i++) {
      assertThat(versions(i)).isLessThanOrEqualTo(DOCS + 5);
    }
    // The operator's view through the CLI: verify, history reads, snapshots.
    String endpoints = String.join(",", cluster.layout.apiAddresses());
    Cli verify = cli("--cluster", endpoints, "cluster", "verify");
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("all 3 nodes have state digest ");
    Cli tooOld =
        cli("--cluster", endpoints, "cluster", "verify", "--index", Long.toString(opFloor - 1));
    assertThat(tooOld.exit()).isNotZero();
    assertThat(tooOld.err()).contains("AERO_MVCC_SNAPSHOT_TOO_OLD");
    Cli history =
        cli(
            "--cluster",
            endpoints,
            "--json",
            "get",
            "counters",
            "c3",
            "--at-index",
            Long.toString(opFloor));
    assertThat(history.exit()).as(history.err()).isZero();
    assertThat(history.out()).contains("\"consistency\":\"AT_INDEX\"");
    Cli snapshot = cli("--cluster", endpoints, "cluster", "snapshot");
    assertThat(snapshot.exit()).as(snapshot.err()).isZero();
    assertThat(snapshot.out().lines().filter(l -> l.contains("snapshot at index"))).hasSize(3);

    // The latest state is intact, and every node has the same digest.
    assertThat(client.get("counters", "c7").getDocumentJson()).isEqualTo(doc(7, ROUNDS));
    await("equal digests")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Set<String> digests = new HashSet<>();
              for (int i = 0; i < 3; i++) {
                NodeStatusReply s = cluster.node(i).status();
                digests.add(s.getAppliedIndex() + ":" + s.getStateDigest());
              }
              assertThat(digests).hasSize(1);
            });
  }
}
