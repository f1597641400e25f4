package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.History;
import io.aerodb.node.testing.History.Op;
import io.aerodb.node.testing.History.Outcome;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.node.testing.Promotions;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion on a real in-process cluster (Ratis over gRPC on loopback, RocksDB): a transfer to an
 * up-to-date follower succeeds with one leader in a higher term and every event carrying the one
 * request id; denials change nothing; a second transfer while one runs is refused [P6-A2]; a
 * transfer whose target died after approval ends FAILED and is not tried again [P6-F3]; a learner
 * is added, refused as a transfer target, promoted, and a voter removed, all while clients write,
 * and no acknowledged write is lost.
 */
class PromotionIT {
  static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"n\":{\"type\":\"int\",\"required\":true}}}";

  @TempDir Path dir;
  InProcessCluster cluster;
  AeroClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = new InProcessCluster(dir, 3);
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("docs", SCHEMA);
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void aTransferToAnUpToDateFollowerSucceedsAndIsOnTheRecord() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    int target = (leader + 1) % 3;
    String targetId = cluster.layout.ids.get(target);
    long termBefore = cluster.node(leader).currentTerm();
    client.insert("docs", "{\"_id\":\"before\",\"n\":1}");
    // Acknowledged by a majority, which need not include the target: wait until it holds
    // everything, or the transfer is rightly denied TARGET_LAGGING [P6-S1].
    cluster.awaitMatched(leader, targetId, 10_000);

    TransferLeaderReply r =
        client.admin().transferLeader(targetId, false, Duration.ofSeconds(5), "req-up-to-date");
    assertThat(r.getOutcome()).isEqualTo("SUCCEEDED");
    assertThat(r.getTermAfter()).isGreaterThan(termBefore);
    assertThat(cluster.awaitLeader(10_000)).isEqualTo(target); // exactly one leader, the target
    assertThat(cluster.node(target).currentTerm()).isEqualTo(r.getTermAfter());

    // Every state change on the old leader carries the one request id, in the table's order
    // [P6-O1].
    EventsReply ev = client.admin().events(cluster.layout.apiAddress(leader), 0, 0, 500);
    List<String> states = new ArrayList<>();
    for (String e : ev.getEventsJsonList()) {
      if (e.contains("\"event\":\"TRANSFER_STATE\"")) {
        assertThat(e).contains("\"requestId\":\"req-up-to-date\"");
        states.add(e.replaceAll(".*\"to\":\"([A-Z]+)\".*", "$1"));
      }
    }
    assertThat(states)
        .containsExactly(
            "REQUESTED", "VALIDATING", "APPROVED", "TRANSFERRING", "SUCCEEDED", "STEADY");
    // The new leader's epoch names the transfer as its cause, in the replicated history [P6-D2].
    awaitHistory(target, "\"cause\":\"transfer\"", "\"requestId\":\"req-up-to-date\"");
    WriteReply after = client.insert("docs", "{\"_id\":\"after\",\"n\":2}");
    assertThat(after.getNodeId()).isEqualTo(targetId);
    assertThat(client.get("docs", "before").getFound()).isTrue();
  }

  @Test
  void deniedTransfersNameTheReasonAndChangeNothing() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    String leaderId = cluster.layout.ids.get(leader);
    long term = cluster.node(leader).currentTerm();
    expectDenied(leaderId, "AERO_TRANSFER_TARGET_IS_SELF", "P6-A3");
    expectDenied("n9", "AERO_TRANSFER_TARGET_UNKNOWN", "P6-A3");
    String target = cluster.layout.ids.get((leader + 1) % 3);
    cluster.awaitMatched(leader, target, 10_000); // or rightly denied TARGET_LAGGING [P6-S1]
    TransferLeaderReply dry =
        client.admin().transferLeader(target, true, Duration.ofSeconds(5), "dry-1");
    assertThat(dry.getOutcome()).isEqualTo("APPROVED");
    assertThat(cluster.awaitLeader(5_000)).isEqualTo(leader);
    assertThat(cluster.node(leader).currentTerm()).isEqualTo(term);
  }

  @Test
  void learnersJoinArePromotedAndVotersRemovedWhileClientsWrite() throws Exception {
    History history = new History();
    AtomicBoolean stopWriting = new AtomicBoolean();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(history, stopWriting));
    try {
      int joiner = cluster.startJoiner();
      String joinerId = cluster.layout.ids.get(joiner);
      MembershipReply added =
          client.admin().addLearner(joinerId, cluster.layout.apiAddress(joiner), false, "m-add");
      assertThat(added.getOutcome()).isEqualTo("APPLIED");
      assertThat(added.getLearnersList()).containsExactly(joinerId);

      // A learner cannot lead [P6-A3].
      assertThatThrownBy(
              () ->
                  client
                      .admin()
                      .transferLeader(joinerId, false, Duration.ofSeconds(3), "t-learner"))
          .isInstanceOfSatisfying(
              AeroClientException.class,
              e -> assertThat(e.code()).isEqualTo("AERO_TRANSFER_TARGET_IS_LEARNER"));

      // It catches up from the log, then becomes a voter.
      long target = history.maxAckedIndex();
      GetReply caughtUp =
          client.getAtLeast(cluster.layout.apiAddress(joiner), "docs", "none", target);
      assertThat(caughtUp.getReceipt().getIndex()).isGreaterThanOrEqualTo(target);
      MembershipReply promoted = Promotions.awaitPromotion(client, joinerId);
      assertThat(promoted.getVotersList()).hasSize(4).contains(joinerId);

      // Removing a voter from 4 keeps tolerance 1. The operator then stops the removed node.
      int leader = cluster.awaitLeader(10_000);
      int victim = leader == 0 ? 1 : 0;
      String victimId = cluster.layout.ids.get(victim);
      MembershipReply removed = client.admin().remove(victimId, false, "m-remove");
      assertThat(removed.getVotersList()).hasSize(3).doesNotContain(victimId);
      cluster.stop(victim);

      // From 3 voters, removing another one is refused with the numbers [P6-F1].
      int leaderNow = cluster.awaitLeader(10_000);
      String another =
          promoted.getVotersList().stream()
              .filter(id -> !id.equals(victimId) && !id.equals(cluster.layout.ids.get(leaderNow)))
              .findFirst()
              .orElseThrow();
      assertThatThrownBy(() -> client.admin().remove(another, false, "m-remove-2"))
          .isInstanceOfSatisfying(
              AeroClientException.class,
              e -> {
                assertThat(e.code()).isEqualTo("AERO_MEMBERSHIP_REFUSED");
                assertThat(e.details()).containsEntry("reason", "FAULT_TOLERANCE_REDUCED");
                assertThat(e.detailMessage())
                    .isEqualTo(
                        "FAULT_TOLERANCE_REDUCED: fault tolerance 0 with 2 voters < 1 with 3 voters [P6-F1]");
              });
    } finally {
      stopWriting.set(true);
      writer.get(60, TimeUnit.SECONDS);
    }
    assertThat(history.count(Outcome.ACKED)).isGreaterThan(20);
    int leader = cluster.awaitLeader(10_000);
    List<String> problems =
        history.violations(
            "leader",
            id -> {
              GetReply g = client.get("docs", id);
              return g.getFound() ? Optional.of(g.getDocumentJson()) : Optional.empty();
            });
    assertThat(problems).isEmpty();
    assertThat(cluster.node(leader).status().getMembersList()).hasSize(3);
  }

  private void write(History history, AtomicBoolean stop) {
    try (AeroClient c = AeroClient.connect(cluster.layout.apiAddresses())) {
      for (int i = 0; i < 5_000 && !stop.get(); i++) {
        String id = "w-" + i;
        String json = "{\"_id\":\"" + id + "\",\"n\":" + i + "}";
        try {
          WriteReply r = c.insert("docs", json);
          history.record(
              new Op(
                  0,
                  id,
                  json,
                  Outcome.ACKED,
                  r.getCommitIndex(),
                  System.nanoTime(),
                  "",
                  r.getNodeId()));
        } catch (AeroClientException e) {
          Outcome o = e.code().equals("AERO_OUTCOME_UNKNOWN") ? Outcome.UNKNOWN : Outcome.REFUSED;
          history.record(new Op(0, id, json, o, 0, System.nanoTime(), e.code(), e.nodeId()));
        }
      }
    }
  }

  private void expectDenied(String target, String code, String invariant) {
    assertThatThrownBy(
            () ->
                client.admin().transferLeader(target, false, Duration.ofSeconds(3), "req-" + code))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.invariant()).isEqualTo(invariant);
              assertThat(e.details())
                  .containsKey("decision")
                  .containsEntry("requestId", "req-" + code);
            });
  }

  private void awaitHistory(int node, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      EventsReply ev = client.admin().events(cluster.layout.apiAddress(node), 0, 0, 1000);
      for (String h : ev.getHistoryJsonList()) {
        boolean all = true;
        for (String f : fragments) {
          all &= h.contains(f);
        }
        if (all) {
          return;
        }
      }
      Thread.sleep(50); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("no authority record with " + List.of(fragments));
  }
}
