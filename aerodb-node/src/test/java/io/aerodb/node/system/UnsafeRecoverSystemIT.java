package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The only escape hatch (SPEC §4): a 3-node cluster loses n3 for good while n1 and n2 are down.
 * unsafe-recover refuses while a survivor runs and without the confirmation naming the invariants
 * it overrides; with it, it picks the survivor with the highest (term, index), makes it the only
 * voter, and leaves an audit record that cluster events shows once it runs again. Every
 * acknowledged write is still there (the most up-to-date of a former majority holds every committed
 * entry), and the survivor it did not choose refuses to start.
 */
class UnsafeRecoverSystemIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"n\":{\"type\":\"int\",\"required\":true}}}";

  @TempDir Path dir;

  @Test
  void aClusterThatLostItsMajorityIsRecoveredOnlyWhenTheOperatorNamesTheOverriddenInvariants()
      throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(dir, 3)) {
      cluster.startAll();
      cluster.awaitLeader(60_000);
      List<String> acked = new ArrayList<>();
      try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
        client.createCollection("docs", SCHEMA);
        for (int i = 0; i < 60; i++) {
          WriteReply r = client.insert("docs", "{\"_id\":\"d" + i + "\",\"n\":" + i + "}");
          assertThat(r.getCommitIndex()).isPositive();
          acked.add("d" + i);
        }
      }
      for (int i = 0; i < 3; i++) {
        cluster.kill9(i);
      }
      deleteTree(cluster.dataDir(2)); // n3 is gone for good

      String n1 = cluster.configPath(0).toString();
      String n2 = cluster.configPath(1).toString();
      cluster.start(1);
      // n2 runs once it holds its data directory's lock: it writes its pid into the lock file then.
      Path lock = cluster.dataDir(1).resolve("aerodb.lock");
      String pid = Long.toString(cluster.pid(1));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(lock) && Files.readString(lock).trim().equals(pid));
      assertThat(
              cluster.runCli(
                  "unsafe-recover",
                  "--json",
                  "--config",
                  n1,
                  "--config",
                  n2,
                  "--confirm-overrides",
                  "P6-A1,P6-S1"))
          .startsWith("5 ")
          .contains("AERO_RECOVERY_REFUSED")
          .contains("is running");
      cluster.kill9(1);

      assertThat(cluster.runCli("unsafe-recover", "--json", "--config", n1, "--config", n2))
          .startsWith("5 ")
          .contains("AERO_RECOVERY_REFUSED")
          .contains("--confirm-overrides P6-A1,P6-S1");
      String dry =
          cluster.runCli("unsafe-recover", "--json", "--dry-run", "--config", n1, "--config", n2);
      assertThat(dry).startsWith("0 ").contains("\"applied\":false");
      String done =
          cluster.runCli(
              "unsafe-recover",
              "--json",
              "--config",
              n1,
              "--config",
              n2,
              "--confirm-overrides",
              "P6-A1,P6-S1");
      assertThat(done).startsWith("0 ").contains("\"applied\":true");
      int chosen = done.contains("\"chosen\":\"n1\"") ? 0 : 1;
      int other = 1 - chosen;

      cluster.start(chosen);
      assertThat(cluster.awaitLeader(60_000)).isEqualTo(chosen);
      try (AeroClient client = AeroClient.connect(List.of(cluster.layout.apiAddress(chosen)))) {
        for (String id : acked) {
          GetReply g = client.get("docs", id);
          assertThat(g.getFound()).as(id).isTrue();
        }
        assertThat(client.insert("docs", "{\"_id\":\"after\",\"n\":1}").getCommitIndex())
            .isPositive();
        await("the audit record is in the replicated history")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .admin()
                        .events(cluster.layout.apiAddress(chosen), 0, 0, 1000)
                        .getHistoryJsonList()
                        .stream()
                        .anyMatch(
                            h ->
                                h.contains("\"kind\":\"unsafe-recovery\"")
                                    && h.contains("P6-A1,P6-S1")));
      }
      Path replicated = cluster.dataDir(chosen).resolve("unsafe-recovery-audit.json.replicated");
      // The file is renamed right after the record is applied.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(replicated).exists());
      assertThat(cluster.startDuplicateAndCollect(other))
          .startsWith("5 ")
          .contains("AERO_CONFIG_DATA_DIR_MISMATCH")
          .contains("superseded");
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
