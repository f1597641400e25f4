package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.Network;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.NodeStatusReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A former leader whose log diverges exactly where the new leader's purged log starts catches up
 * (found by the fault harness, leader-isolated, CI of 2026-12-07).
 *
 * <p>The leader is cut off (nftables) once every node applied the same index P, and appends one
 * write it can never commit (index P+1, its term). The majority elects a leader whose term starts
 * at P+1, and Ratis rolls the log segment at a term change, so a snapshot purges the new leader's
 * log to start exactly at P+1: the entry before the former leader's divergence is in no log. After
 * the heal, Ratis cannot append to it ("Previous TermIndex not found", the appender restarts from
 * index 0 and notifies an install); a state machine that answers "no snapshot needed" there (it
 * applied P, the log starts at P+1) keeps it behind for good. The node's own store is the snapshot:
 * it must report it installed at P and catch up from the log after it.
 */
class DivergedLeaderRejoinSystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true}}}";

  /** Snapshots every 50 entries and keeps 10 behind: the new leader's log is purged at once. */
  static final String RAFT =
      ",\"snapshotEveryEntries\":50,\"logRetainEntries\":10,\"logSegmentBytes\":1048576";

  @TempDir Path dir;

  @Test
  void aFormerLeaderDivergingWhereThePurgedLogStartsCatchesUp() throws Exception {
    assertThat(Network.available()).as("partitions need root, nft and cgroup v2").isTrue();
    String group = "aerodb-diverge-" + ProcessHandle.current().pid();
    try (ProcessCluster cluster = new ProcessCluster(dir, 3).withNetwork(group)) {
      cluster.layout.raftExtra = RAFT;
      cluster.startAll();
      int old = cluster.awaitLeader(60_000);
      try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
        client.createCollection("docs", SCHEMA);
        for (int i = 0; i < 20; i++) {
          client.insert("docs", "{\"_id\":\"a" + i + "\",\"n\":" + i + "}");
        }
      }
      long p = cluster.awaitConverged(30_000);

      // Cut the leader off, then give it a write: it appends P+1 in its own term, never committed.
      cluster.network().partition(Set.of(old));
      CompletableFuture<Void> orphan =
          CompletableFuture.runAsync(
              () -> {
                try (AeroClient only =
                    AeroClient.connect(
                        List.of(cluster.layout.apiAddress(old)),
                        new AeroClient.Options(Duration.ofSeconds(5), Duration.ofSeconds(5), 1))) {
                  only.insert("docs", "{\"_id\":\"orphan\",\"n\":0}");
                } catch (AeroClientException expected) {
                  // no majority: refused or unknown; it is never committed in this term
                }
              });
      await("the cut-off leader appended an entry it cannot commit")
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.status(old).map(NodeStatusReply::getLogLastIndex).orElse(0L) > p);

      int a = (old + 1) % 3;
      int b = (old + 2) % 3;
      await("a leader on the majority side")
          .atMost(Duration.ofSeconds(30))
          .until(() -> majorityLeader(cluster, a, b) >= 0);
      int now = majorityLeader(cluster, a, b);
      try (AeroClient majority =
          AeroClient.connect(List.of(cluster.layout.apiAddress(a), cluster.layout.apiAddress(b)))) {
        for (int i = 0; i < 150; i++) {
          majority.insert("docs", "{\"_id\":\"b" + i + "\",\"n\":" + i + "}");
        }
      }
      // The new term's first entry is P+1; its log now starts there (the segment before it, of
      // the old term, is purged).
      await("the new leader's log purged up to its own term")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> cluster.status(now).map(NodeStatusReply::getLogStartIndex).orElse(0L) == p + 1);
      assertThat(cluster.status(old).orElseThrow().getAppliedIndex()).isEqualTo(p);

      cluster.network().heal();
      orphan.get(30, TimeUnit.SECONDS);
      long converged = cluster.awaitConverged(60_000);
      assertThat(converged).isGreaterThan(p + 150);
      // ... and it did so by reporting its own store, not by fetching one
      assertThat(cluster.logFrom(old, 0)).contains("INSTALL_OWN_STORE");
      List<String> digests = cluster.digestsWhenQuiet(30_000);
      assertThat(digests).allMatch(d -> d.equals(digests.get(0)));
      try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
        for (String id : List.of("a0", "a19", "b0", "b149")) {
          assertThat(client.getAtLeast(cluster.layout.apiAddress(old), "docs", id, converged))
              .extracting(r -> r.getFound())
              .as(id + " on the former leader")
              .isEqualTo(true);
        }
      }
    }
  }

  /** The leader both majority nodes agree on, if it is one of them; else -1. */
  private static int majorityLeader(ProcessCluster cluster, int a, int b) {
    for (int i : new int[] {a, b}) {
      NodeStatusReply s = cluster.status(i).orElse(null);
      if (s != null && s.getRole().equals("LEADER")) {
        NodeStatusReply other = cluster.status(i == a ? b : a).orElse(null);
        if (other != null && other.getLeaderId().equals(s.getNodeId())) {
          return i;
        }
      }
    }
    return -1;
  }
}
