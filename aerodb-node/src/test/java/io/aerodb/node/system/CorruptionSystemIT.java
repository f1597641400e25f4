package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.node.testing.NodeFiles;
import io.aerodb.node.testing.ProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption is caught and named, never served (SPEC §5, issue 12): a flipped byte in a stopped
 * follower's Raft log segment, and one in an SST file of another stopped follower's store, make
 * each refuse to serve at start — the process ends with exit code 5 and a FATAL event naming
 * AERO_STORAGE_CORRUPTION (and the SST file) — while the other two nodes keep serving writes;
 * wiped, each rejoins by install and the three end with the same state digest.
 */
@Timeout(600)
class CorruptionSystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"n\":{\"type\":\"int\",\"required\":true},"
          + "\"pad\":{\"type\":\"string\",\"required\":false}}}";

  @TempDir Path dir;

  @Test
  void aDamagedLogOrStoreIsNamedAtStartAndTheNodeIsRebuiltFromItsPeers() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(dir, 3)) {
      cluster.layout.raftExtra =
          ",\"snapshotEveryEntries\":200,\"logRetainEntries\":50,\"logSegmentBytes\":1048576"; // installs
      cluster.startAll();
      int leader = cluster.awaitLeader(60_000);
      int logVictim = (leader + 1) % 3;
      int storeVictim = (leader + 2) % 3;
      String endpoints = String.join(",", cluster.layout.apiAddresses());
      try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
        client.createCollection("docs", SCHEMA);
        for (int i = 0; i < 400; i++) {
          client.insert("docs", "{\"_id\":\"d" + i + "\",\"n\":" + i + "}");
        }
        // a backup from the store victim flushes its memtable: its store has SST files now
        assertThat(
                cluster.runCli(
                    "--cluster",
                    endpoints,
                    "--json",
                    "backup",
                    "--node",
                    cluster.layout.apiAddress(storeVictim),
                    "--out",
                    dir.resolve("flush.aerobak").toString()))
            .startsWith("0 ");

        // 1. the log: the damaged node refuses, the other two serve; wiped, it installs
        cluster.terminate(logVictim);
        Path segment = NodeFiles.newestSegment(cluster.dataDir(logVictim));
        NodeFiles.flip(segment, NodeFiles.writtenLength(segment) / 2, 0x04);
        assertThat(refusedAtStart(cluster, logVictim))
            .contains("ChecksumException")
            .contains(segment.getFileName().toString());
        assertThat(client.insert("docs", "{\"_id\":\"after-log\",\"n\":1}").getCommitIndex())
            .as("the other two serve")
            .isPositive();
        rebuild(cluster, logVictim, client, "e");

        // 2. the store: the same, the SST file named
        cluster.terminate(storeVictim);
        Path sst = largestSst(cluster.dataDir(storeVictim).resolve("store"));
        NodeFiles.flip(sst, Files.size(sst) / 2, 0x04);
        assertThat(refusedAtStart(cluster, storeVictim)).contains(sst.getFileName().toString());
        assertThat(client.insert("docs", "{\"_id\":\"after-store\",\"n\":1}").getCommitIndex())
            .as("the other two serve")
            .isPositive();
        rebuild(cluster, storeVictim, client, "f");

        List<String> digests = cluster.digestsWhenQuiet(60_000);
        assertThat(digests).hasSize(3);
        assertThat(digests.stream().distinct()).hasSize(1);
      }
    }
  }

  /** Starts node i on its damaged data; it must exit 5 naming the corruption. Returns its log. */
  private static String refusedAtStart(ProcessCluster cluster, int i) throws Exception {
    long from = cluster.logSize(i);
    Process p = cluster.start(i);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the damaged node gives up").isTrue();
    assertThat(p.exitValue()).isEqualTo(5);
    String said = cluster.logFrom(i, from);
    assertThat(said).contains("AERO_STORAGE_CORRUPTION").contains("\"event\":\"FATAL\"");
    return said;
  }

  /**
   * The documented way back: wipe node i; while it is down the others take 1,000 writes of 2 KiB
   * (their logs roll and are purged behind snapshots); started, it installs a store from a peer.
   */
  private static void rebuild(ProcessCluster cluster, int i, AeroClient client, String prefix)
      throws Exception {
    deleteTree(cluster.dataDir(i));
    String pad = "x".repeat(2048);
    for (int k = 0; k < 1_000; k++) {
      client.insert(
          "docs", "{\"_id\":\"" + prefix + k + "\",\"n\":" + k + ",\"pad\":\"" + pad + "\"}");
    }
    cluster.start(i);
    await("node " + (i + 1) + " installed and caught up")
        .atMost(Duration.ofSeconds(120))
        .ignoreExceptions()
        .until(
            () ->
                cluster.status(i).map(s -> s.getInstall().getInstalls()).orElse(0L) >= 1
                    && cluster.awaitConverged(5_000) > 0);
  }

  private static Path largestSst(Path store) throws Exception {
    try (Stream<Path> s = Files.list(store)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".sst"))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow(() -> new AssertionError("no SST file in " + store));
    }
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
