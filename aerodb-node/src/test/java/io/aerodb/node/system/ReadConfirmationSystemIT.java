package io.aerodb.node.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.Ports;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.GetReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [R-LIN] A leader cut off from the majority never answers a linearizable read (SPEC test 6), also
 * in the first second after the cut, when Ratis still believes it leads and its ReadIndex skips the
 * heartbeat round because the commit index has not moved since the last confirmed round. The cut is
 * SIGSTOP of both followers (real processes); reads go to the leader alone, one attempt each.
 */
class ReadConfirmationSystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"n\":{\"type\":\"int\",\"required\":true}}}";

  @TempDir Path dir;
  ProcessCluster cluster;
  AeroClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = new ProcessCluster(dir, 3);
    cluster.startAll();
    cluster.awaitLeader(60_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("docs", SCHEMA);
    client.insert("docs", "{\"_id\":\"d1\",\"n\":1}");
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    cluster.close();
  }

  @Test
  void aLeaderWithoutItsMajorityAnswersNoLinearizableRead() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    List<Integer> followers = followersOf(leader);
    try (AeroClient atLeader = leaderOnly(leader)) {
      // Reads confirmed by a majority: the second and later ones take Ratis' shortcut.
      for (int i = 0; i < 5; i++) {
        assertEquals(1, n(atLeader.get("docs", "d1")));
      }
      // Concurrent reads share rounds; each is answered on its first attempt (a round's calls must
      // not end with the read that happened to start it).
      concurrentReadsAllSucceed(atLeader, 16, 40);
      // One follower away: the other one still confirms.
      cluster.pause(followers.get(0));
      try {
        for (int i = 0; i < 5; i++) {
          assertEquals(1, n(atLeader.get("docs", "d1")));
        }
        cluster.pause(followers.get(1));
        Map<String, Integer> refusals = new TreeMap<>();
        long end = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
        int attempts = 0;
        while (System.nanoTime() < end) {
          attempts++;
          try {
            GetReply r = atLeader.get("docs", "d1");
            throw new AssertionError(
                "the leader answered a linearizable read without its majority (attempt "
                    + attempts
                    + ", receipt "
                    + r.getReceipt()
                    + ")");
          } catch (AeroClientException e) {
            refusals.merge(e.code(), 1, Integer::sum);
          }
        }
        System.out.printf(
            "[R-LIN] %d reads at the cut-off leader, refusals %s%n", attempts, refusals);
        assertTrue(attempts >= 2, "at least two reads were tried: " + attempts);

        // A client whose last attempt reached no node (a closed port) still names the answer its
        // earlier attempt got from the cut-off leader, not only "no node answered".
        String closed = "127.0.0.1:" + Ports.free(1).get(0);
        try (AeroClient twoEndpoints =
            AeroClient.connect(
                List.of(cluster.layout.apiAddress(leader), closed),
                new AeroClient.Options(Duration.ofSeconds(6), Duration.ofSeconds(2), 2))) {
          AeroClientException e =
              assertThrows(AeroClientException.class, () -> twoEndpoints.get("docs", "d1"));
          assertEquals("AERO_CLUSTER_UNAVAILABLE", e.code(), e.getMessage());
          assertTrue(e.getMessage().contains("the last answer was AERO_"), e.getMessage());
        }
      } finally {
        for (int f : followers) {
          cluster.resume(f);
        }
      }
    }
    cluster.awaitLeader(30_000);
    assertEquals(1, n(client.get("docs", "d1")));
  }

  private static void concurrentReadsAllSucceed(AeroClient c, int threads, int readsEach)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < readsEach; i++) {
                    assertEquals(1, n(c.get("docs", "d1")));
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private AeroClient leaderOnly(int leader) {
    return AeroClient.connect(
        List.of(cluster.layout.apiAddress(leader)),
        new AeroClient.Options(Duration.ofSeconds(3), Duration.ofSeconds(3), 1));
  }

  private List<Integer> followersOf(int leader) {
    return java.util.stream.IntStream.range(0, 3).filter(i -> i != leader).boxed().toList();
  }

  private static long n(GetReply r) {
    assertTrue(r.getFound(), "d1 is found");
    String doc = r.getDocumentJson();
    return Long.parseLong(doc.replaceAll(".*\"n\":(-?[0-9]+).*", "$1"));
  }
}
