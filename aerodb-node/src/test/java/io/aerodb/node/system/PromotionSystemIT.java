package io.aerodb.node.system;

import static io.aerodb.node.testing.TestTiers.LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.History;
import io.aerodb.node.testing.History.Op;
import io.aerodb.node.testing.History.Outcome;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.TransferLeaderReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion against real node processes, with real signals (SPEC §4, §8.5): a lagging target
 * (paused with SIGSTOP while writes commit) is denied TARGET_LAGGING and the term does not change;
 * a second transfer while one runs is refused [P6-A2]; a transfer whose target is killed or silent
 * after approval ends FAILED and is never retried [P6-F3]; kill -9 of the leader in the middle of a
 * transfer leaves exactly one leader, an epoch that names the abandoned request [P6-O1], and no
 * acknowledged write lost; and a minute of transfers every second while clients write loses nothing
 * (the test prints the transfer times and the longest write pause).
 */
class PromotionSystemIT {
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
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    cluster.close();
  }

  @Test
  void aLaggingTargetIsDeniedWithTheNumbersAndTheTermStays() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    int target = (leader + 1) % 3;
    long term = cluster.status(leader).orElseThrow().getTerm();
    AeroClientException denial = null;
    // The target must lag yet still count as healthy (it answered within the health bound, 1.6 s
    // here):
    // pause it, commit a few writes without it, ask at once. On a slow machine the ask can come too
    // late
    // (TARGET_UNHEALTHY); then the scenario is set up again (at most 3 times).
    for (int attempt = 0; attempt < 3 && denial == null; attempt++) {
      cluster.pause(target);
      try {
        for (int i = 0; i < 4; i++) {
          client.insert("docs", "{\"_id\":\"lag-" + attempt + "-" + i + "\",\"n\":" + i + "}");
        }
        AeroClientException e = failure(cluster.layout.ids.get(target), "t-lag-" + attempt);
        if (!e.code().equals("AERO_TRANSFER_TARGET_UNHEALTHY")) {
          denial = e;
        }
      } finally {
        cluster.resume(target);
      }
      // Resumed, the target catches up (and so answers again) before the next attempt pauses it.
      cluster.awaitMatched(leader, cluster.layout.ids.get(target), 30_000);
    }
    assertThat(denial).isNotNull();
    assertThat(denial.code()).isEqualTo("AERO_TRANSFER_TARGET_LAGGING");
    assertThat(denial.invariant()).isEqualTo("P6-S1");
    assertThat(denial.detailMessage())
        .matches("TARGET_LAGGING: match index \\d+ < commit index \\d+ \\[P6-S1]");
    assertThat(cluster.awaitLeader(30_000)).isEqualTo(leader);
    assertThat(cluster.status(leader).orElseThrow().getTerm()).isEqualTo(term);
  }

  @Test
  void aSecondTransferIsRefusedAndFailedTransfersAreNeverRetried() throws Exception {
    int leader = cluster.awaitLeader(30_000);
    int silent = (leader + 1) % 3;
    int other = (leader + 2) % 3;
    long term = cluster.status(leader).orElseThrow().getTerm();

    // Silent target (SIGSTOP): approved, then the transfer waits in vain while a second request
    // comes. On a slow machine the request can come after the health bound (denied UNHEALTHY): then
    // the
    // scenario is set up again, with a new request id (at most 3 times).
    String silentId = null;
    CompletableFuture<AeroClientException> first = null;
    List<String> denials = new ArrayList<>();
    for (int attempt = 0; attempt < 3 && silentId == null; attempt++) {
      String id = "t-silent-" + attempt;
      cluster.pause(silent);
      first = CompletableFuture.supplyAsync(() -> failure(cluster.layout.ids.get(silent), id));
      if (awaitEventUnless(leader, first, "\"to\":\"TRANSFERRING\"", id)) {
        silentId = id;
      } else {
        denials.add(first.join().getMessage());
        cluster.resume(silent);
        // Resumed, the target catches up (and so answers again) before the next attempt.
        cluster.awaitMatched(leader, cluster.layout.ids.get(silent), 30_000);
      }
    }
    assertThat(silentId)
        .as("a transfer to the silent target was approved; denials: %s", denials)
        .isNotNull();
    String inFlight = silentId;
    assertThatThrownBy(
            () ->
                client
                    .admin()
                    .transferLeader(
                        cluster.layout.ids.get(other), false, Duration.ofSeconds(5), "t-second"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("AERO_TRANSFER_IN_PROGRESS");
              assertThat(e.detailMessage()).contains(inFlight);
            });
    assertThat(first.get(60, TimeUnit.SECONDS).code()).isEqualTo("AERO_TRANSFER_FAILED");
    cluster.resume(silent);
    // The failure's outcome record is appended after the answer; the next target must hold it
    // (and everything before it) when it is killed, or it is rightly denied as lagging.
    awaitHistory(leader, "\"kind\":\"transfer-outcome\"", inFlight);
    cluster.awaitConverged(30_000);

    // Killed target (kill -9 right before the request): approved, fails at once, not retried.
    int killed = other;
    cluster.kill9(killed);
    assertThat(failure(cluster.layout.ids.get(killed), "t-killed").code())
        .isEqualTo("AERO_TRANSFER_FAILED");

    EventsReply ev = client.admin().events(cluster.layout.apiAddress(leader), 0, 0, 1000);
    for (String id : List.of(silentId, "t-killed")) {
      assertThat(count(ev, id, "\"to\":\"TRANSFERRING\"")).as(id).isEqualTo(1);
      assertThat(count(ev, id, "\"to\":\"FAILED\"")).as(id).isEqualTo(1);
    }
    assertThat(ev.getEventsJsonList())
        .anyMatch(e -> e.contains("TRANSFER_REFUSED") && e.contains("t-second"));
    cluster.start(killed);
    assertThat(cluster.awaitLeader(30_000)).isEqualTo(leader);
    assertThat(cluster.status(leader).orElseThrow().getTerm()).isEqualTo(term);
  }

  @Test
  void killNineOfTheLeaderMidTransferLeavesOneLeaderAndLosesNothing() throws Exception {
    History history = new History();
    AtomicBoolean stopWriting = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int writer = w;
      writers.add(pool.submit(() -> write(writer, history, stopWriting)));
    }
    // The transfer and the kill come while writes are being acknowledged: every writer had one.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                history.all().stream()
                        .filter(op -> op.outcome() == Outcome.ACKED)
                        .map(Op::writer)
                        .distinct()
                        .count()
                    == 2);
    int leader = cluster.awaitLeader(30_000);
    int target = (leader + 1) % 3;
    // Hold the writers so the target is caught up when the transfer is validated; then silence the
    // target
    // (SIGSTOP) so the approved transfer hangs in TRANSFERRING, and kill -9 the leader right there.
    hold.set(true);
    await().atMost(Duration.ofSeconds(30)).until(() -> holding.get() == 2);
    cluster.awaitMatched(leader, cluster.layout.ids.get(target), 30_000);
    cluster.pause(target);
    CompletableFuture.supplyAsync(() -> failure(cluster.layout.ids.get(target), "t-interrupted"));
    awaitHistory(leader, "\"kind\":\"transfer-intent\"", "t-interrupted");
    cluster.kill9(leader);
    cluster.resume(target);
    hold.set(false);
    int successor = cluster.awaitLeader(30_000);
    // [P6-S2] The successor never heard from the killed leader, and its view says so (Ratis' own
    // bookkeeping starts every follower as "answered one election timeout ago").
    assertThat(lastResponseMs(successor, cluster.layout.ids.get(leader))).isEqualTo(-1);
    cluster.start(leader);
    // The writers go on while the old leader restarts, until ten more writes were acknowledged
    // after it: the check below then covers writes from before, across and after the kill.
    long ackedAtRestart = history.count(Outcome.ACKED);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> history.count(Outcome.ACKED) >= ackedAtRestart + 10);
    stopWriting.set(true);
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    int now = cluster.awaitLeader(60_000);
    assertThat(now).isNotEqualTo(leader);
    // The next leader's epoch says the transfer was cut short [P6-O1].
    awaitHistory(now, "\"kind\":\"epoch\"", "\"abandonedRequestId\":\"t-interrupted\"");
    long min = history.maxAckedIndex();
    cluster.awaitConverged(60_000);
    for (int i = 0; i < 3; i++) {
      String address = cluster.layout.apiAddress(i);
      List<String> problems =
          history.violations(
              cluster.layout.ids.get(i),
              id -> {
                GetReply g = client.getAtLeast(address, "docs", id, min);
                return g.getFound() ? Optional.of(g.getDocumentJson()) : Optional.empty();
              });
      assertThat(problems).isEmpty();
    }
  }

  @Test
  @Tag(LONG) // a minute and a half; the fault harness' transfer-churn runs in the default run
  void transfersEverySecondForAMinuteLoseNoAcknowledgedWrite() throws Exception {
    History history = new History();
    AtomicBoolean stopWriting = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      writers.add(pool.submit(() -> write(writer, history, stopWriting)));
    }
    List<Long> transferMs = new ArrayList<>();
    int denied = 0;
    int failed = 0;
    long churnStart = System.nanoTime();
    long end = churnStart + 60_000_000_000L;
    for (int round = 0; round < 75 && System.nanoTime() < end; round++) {
      long roundStart = System.nanoTime();
      try {
        int leader = cluster.awaitLeader(30_000);
        String target = cluster.layout.ids.get((leader + 1 + round % 2) % 3);
        long requested = System.nanoTime();
        TransferLeaderReply r =
            client.admin().transferLeader(target, false, Duration.ofSeconds(5), "churn-" + round);
        transferMs.add(firstAckBy(history, r.getNewLeader(), requested, 20_000));
      } catch (AeroClientException e) {
        if (e.code().equals("AERO_TRANSFER_FAILED")) {
          failed++;
        } else {
          denied++; // e.g. a follower a few entries behind under load: TARGET_LAGGING
        }
      }
      long sleep = 1_000 - (System.nanoTime() - roundStart) / 1_000_000;
      if (sleep > 0) {
        Thread.sleep(sleep); // the workload's pace, not a wait: one transfer a second
      }
    }
    stopWriting.set(true);
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    List<Long> sorted = new ArrayList<>(transferMs);
    Collections.sort(sorted);
    long longestPause = longestPause(history, churnStart);
    System.out.printf(
        "churn: %d transfers succeeded, %d denied, %d failed; request->first write on the new leader ms:"
            + " median %d, max %d; longest write pause %d ms; %d writes acknowledged%n",
        transferMs.size(),
        denied,
        failed,
        sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2),
        sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1),
        longestPause,
        history.count(Outcome.ACKED));
    // Transfers may be denied (a follower a few entries behind) or, on a starved machine, time out:
    // both are
    // reported above; what must hold is that the churn really happened and nothing acknowledged is
    // lost.
    assertThat(transferMs.size()).isGreaterThan(10);

    cluster.awaitLeader(30_000);
    long min = history.maxAckedIndex();
    cluster.awaitConverged(60_000);
    for (int i = 0; i < 3; i++) {
      String address = cluster.layout.apiAddress(i);
      List<String> problems =
          history.violations(
              cluster.layout.ids.get(i),
              id -> {
                GetReply g = client.getAtLeast(address, "docs", id, min);
                return g.getFound() ? Optional.of(g.getDocumentJson()) : Optional.empty();
              });
      assertThat(problems).isEmpty();
    }
  }

  /** While set, writers wait between writes (bounded by the test's own time limits). */
  private final AtomicBoolean hold = new AtomicBoolean();

  /** How many writers are waiting because of {@link #hold} (none of their writes in flight). */
  private final AtomicInteger holding = new AtomicInteger();

  private void write(int writer, History history, AtomicBoolean stop) {
    try (AeroClient c = AeroClient.connect(cluster.layout.apiAddresses())) {
      for (int i = 0; i < 20_000 && !stop.get(); i++) {
        if (hold.get()) {
          holding.incrementAndGet();
          try {
            for (int waited = 0; hold.get() && waited < 6_000; waited++) {
              Thread.sleep(5); // polls the hold flag; the loop is bounded (30 s)
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } finally {
            holding.decrementAndGet();
          }
        }
        String id = "w" + writer + "-" + i;
        String json = "{\"_id\":\"" + id + "\",\"n\":" + i + "}";
        try {
          WriteReply r = c.insert("docs", json);
          history.record(
              new Op(
                  writer,
                  id,
                  json,
                  Outcome.ACKED,
                  r.getCommitIndex(),
                  System.nanoTime(),
                  "",
                  r.getNodeId()));
        } catch (AeroClientException e) {
          Outcome o = e.code().equals("AERO_OUTCOME_UNKNOWN") ? Outcome.UNKNOWN : Outcome.REFUSED;
          history.record(new Op(writer, id, json, o, 0, System.nanoTime(), e.code(), e.nodeId()));
        }
      }
    }
  }

  private AeroClientException failure(String target, String requestId) {
    try {
      client.admin().transferLeader(target, false, Duration.ofSeconds(3), requestId);
      throw new AssertionError(
          "transfer " + requestId + " to " + target + " unexpectedly succeeded");
    } catch (AeroClientException e) {
      return e;
    }
  }

  private static long count(EventsReply ev, String requestId, String fragment) {
    return ev.getEventsJsonList().stream()
        .filter(e -> e.contains("\"requestId\":\"" + requestId + "\"") && e.contains(fragment))
        .count();
  }

  /**
   * Waits for an event with all fragments; false if {@code request} completed first (it was
   * denied).
   */
  private boolean awaitEventUnless(int node, CompletableFuture<?> request, String... fragments)
      throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (String e :
          client.admin().events(cluster.layout.apiAddress(node), 0, 0, 1000).getEventsJsonList()) {
        if (List.of(fragments).stream().allMatch(e::contains)) {
          return true;
        }
      }
      if (request.isDone()) {
        return false;
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("no event with " + List.of(fragments));
  }

  /** The leader {@code node}'s view of {@code followerId}: ms since its last answer, -1 if none. */
  private long lastResponseMs(int node, String followerId) throws InterruptedException {
    for (int attempt = 0; attempt < 100; attempt++) {
      var view = cluster.clusterView(node); // empty while it is not serving yet: ask again
      for (var f : view.map(v -> v.getFollowersList()).orElse(List.of())) {
        if (f.getId().equals(followerId)) {
          return f.getLastResponseMs();
        }
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded to 100 attempts
    }
    throw new AssertionError("node " + node + " has no view of " + followerId);
  }

  private void awaitHistory(int node, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        for (String h :
            client
                .admin()
                .events(cluster.layout.apiAddress(node), 0, 0, 1000)
                .getHistoryJsonList()) {
          if (List.of(fragments).stream().allMatch(h::contains)) {
            return;
          }
        }
      } catch (AeroClientException e) {
        // the node may be restarting; ask again
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("no authority record with " + List.of(fragments));
  }

  /** Ms from the request to the first write acknowledged by the new leader. */
  private static long firstAckBy(History h, String node, long since, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<Long> first =
          h.all().stream()
              .filter(
                  op ->
                      op.outcome() == Outcome.ACKED
                          && op.node().equals(node)
                          && op.doneNanos() > since)
              .map(op -> (op.doneNanos() - since) / 1_000_000)
              .min(Long::compare);
      if (first.isPresent()) {
        return first.get();
      }
      Thread.sleep(10); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("no write acknowledged by " + node + " within " + timeoutMs + " ms");
  }

  /**
   * The longest gap between consecutive acknowledgements (any writer) after {@code since}, in ms.
   */
  private static long longestPause(History h, long since) {
    List<Long> times = new ArrayList<>();
    for (Op op : h.all()) {
      if (op.outcome() == Outcome.ACKED && op.doneNanos() > since) {
        times.add(op.doneNanos());
      }
    }
    Collections.sort(times);
    long longest = 0;
    for (int i = 1; i < times.size(); i++) {
      longest = Math.max(longest, times.get(i) - times.get(i - 1));
    }
    return longest / 1_000_000;
  }
}
