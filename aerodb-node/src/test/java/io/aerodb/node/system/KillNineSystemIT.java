package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.limits.Limits;
import io.aerodb.node.testing.History;
import io.aerodb.node.testing.History.Op;
import io.aerodb.node.testing.History.Outcome;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise with real processes and real SIGKILL (SPEC §8.1, §8.4): several clients
 * insert concurrently while the leader is killed with kill -9, several times (each killed node is
 * restarted). Then every node must hold every acknowledged write with its exact content,
 * acknowledged commit indexes of a writer strictly increase, no refused write is visible, and all
 * nodes report the same state digest at the same applied index. Then all three nodes are killed
 * with kill -9 at once, restarted, and checked again.
 *
 * <p>The checker ({@link History}) is unit-tested to fail on a lost, altered or resurrected write
 * (HistoryTest). Writers are bounded by count and time; every process is stopped by its PID.
 */
class KillNineSystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"writer\":{\"type\":\"int\",\"required\":true},\"seq\":{\"type\":\"int\",\"required\":true},"
          + "\"payload\":{\"type\":\"string\",\"required\":true}}}";
  static final int WRITERS = 4;
  static final int WRITES_PER_WRITER_MAX = 5_000;
  static final int LEADER_KILLS = 3;

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveRepeatedKillNineOfTheLeaderAndOfAllNodes() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(dir, 3)) {
      cluster.startAll();
      cluster.awaitLeader(60_000);
      try (AeroClient admin = AeroClient.connect(cluster.layout.apiAddresses())) {
        admin.createCollection("acked", SCHEMA);
      }
      // A second process on a live node's data directory is refused before it touches anything.
      String dup = cluster.startDuplicateAndCollect(0);
      assertThat(dup).startsWith("5 ").contains("AERO_CONFIG_DATA_DIR_LOCKED");

      History history = new History();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> write(cluster, writer, history, stop)));
      }

      List<Long> failoverMs = new ArrayList<>();
      for (int k = 0; k < LEADER_KILLS; k++) {
        // The fault schedule: 2.5 s of load between kills (awaitLeader waits for the restarted
        // node).
        Thread.sleep(2_500);
        int leader = cluster.awaitLeader(30_000);
        String killed = cluster.layout.ids.get(leader);
        long killedAt = System.nanoTime();
        cluster.kill9(leader);
        cluster.awaitLeader(30_000);
        failoverMs.add(firstAckAfter(history, killedAt, killed, 20_000));
        cluster.start(leader);
      }
      Thread.sleep(1_500); // the fault schedule: 1.5 s more load after the last restart
      stop.set(true);
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      System.out.printf(
          "history: %d acked, %d refused, %d unknown; kill-to-first-write ms: %s%n",
          history.count(Outcome.ACKED),
          history.count(Outcome.REFUSED),
          history.count(Outcome.UNKNOWN),
          failoverMs);
      assertThat(history.count(Outcome.ACKED)).isGreaterThan(100);
      assertThat(history.count(Outcome.REFUSED)).isGreaterThan(10);

      cluster.awaitLeader(30_000);
      verify(cluster, history, "after leader kills");

      for (int i = 0; i < 3; i++) {
        cluster.kill9(i);
      }
      cluster.startAll();
      cluster.awaitLeader(60_000);
      verify(cluster, history, "after kill -9 of all nodes");
    }
  }

  /** Inserts until stopped (bounded by count); every outcome goes into the history. */
  private static void write(
      ProcessCluster cluster, int writer, History history, AtomicBoolean stop) {
    AeroClient.Options options =
        new AeroClient.Options(Duration.ofSeconds(10), Duration.ofSeconds(5), 60);
    try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses(), options)) {
      for (int seq = 1; seq <= WRITES_PER_WRITER_MAX && !stop.get(); seq++) {
        boolean invalid = seq % 10 == 0;
        String id = (invalid ? "bad-" : "w") + writer + "-" + seq;
        String payload =
            invalid ? "7" : "\"p" + writer + "-" + seq + "-" + "x".repeat(seq % 50) + "\"";
        String json =
            "{\"_id\":\""
                + id
                + "\",\"writer\":"
                + writer
                + ",\"seq\":"
                + seq
                + ",\"payload\":"
                + payload
                + "}";
        String expected =
            CanonicalJson.toText(
                JsonReader.parse(json.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON));
        try {
          WriteReply r = client.insert("acked", json);
          history.record(
              new Op(
                  writer,
                  id,
                  expected,
                  Outcome.ACKED,
                  r.getCommitIndex(),
                  System.nanoTime(),
                  "",
                  r.getNodeId()));
        } catch (AeroClientException e) {
          Outcome o = e.code().equals("AERO_OUTCOME_UNKNOWN") ? Outcome.UNKNOWN : Outcome.REFUSED;
          history.record(
              new Op(writer, id, expected, o, 0, System.nanoTime(), e.code(), e.nodeId()));
        }
      }
    }
  }

  /**
   * Milliseconds from the kill to the first write acknowledged by another node (the new leader).
   */
  private static long firstAckAfter(History history, long killedAt, String killed, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<Long> first =
          history.all().stream()
              .filter(
                  op ->
                      op.outcome() == Outcome.ACKED
                          && op.doneNanos() > killedAt
                          && !op.node().equals(killed))
              .map(op -> (op.doneNanos() - killedAt) / 1_000_000)
              .min(Long::compare);
      if (first.isPresent()) {
        return first.get();
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError(
        "no write succeeded within " + timeoutMs + " ms after the leader was killed");
  }

  private static void verify(ProcessCluster cluster, History history, String when)
      throws Exception {
    long minIndex = history.maxAckedIndex();
    long converged = cluster.awaitConverged(60_000);
    assertThat(converged).isGreaterThanOrEqualTo(minIndex);
    Set<String> digests = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      NodeStatusReply s = cluster.status(i).orElseThrow();
      digests.add(s.getAppliedIndex() + ":" + s.getStateDigest());
    }
    assertThat(digests).as("state digests at equal applied index, " + when).hasSize(1);

    try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
      for (int i = 0; i < 3; i++) {
        String address = cluster.layout.apiAddress(i);
        List<String> problems =
            history.violations(
                cluster.layout.ids.get(i) + " " + when,
                id -> {
                  GetReply g = client.getAtLeast(address, "acked", id, minIndex);
                  return g.getFound() ? Optional.of(g.getDocumentJson()) : Optional.empty();
                });
        assertThat(problems).as("violations on %s %s", cluster.layout.ids.get(i), when).isEmpty();
      }
    }
  }
}
