package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.Watch;
import io.aerodb.client.WatchListener;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.proto.v1.DocumentChange;
import io.aerodb.proto.v1.WriteReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch [W1] on an in-process 3-node cluster: the stream of a collection's committed changes is
 * exactly the acknowledged writes in commit order; it survives the kill of the node serving it (the
 * client resumes on another node) without a gap or a repeat, checked against a fresh stream of the
 * whole history from a node that never stopped; a start below the GC floor fails loudly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchIT {
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true}}}";

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;

  @BeforeAll
  void start() throws Exception {
    cluster = new InProcessCluster(dir, 3);
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("items", SCHEMA);
    client.createCollection("noise", SCHEMA);
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

  /** Collects a watch's changes as "index kind id json" lines, and its progress. */
  private static final class Collector implements WatchListener {
    final List<String> changes = new CopyOnWriteArrayList<>();
    final AtomicLong progress = new AtomicLong();
    final AtomicReference<AeroClientException> error = new AtomicReference<>();
    final List<String> resumes = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(DocumentChange c) {
      changes.add(c.getIndex() + " " + c.getKind() + " " + c.getId() + " " + c.getDocumentJson());
    }

    @Override
    public void onProgress(long index) {
      progress.set(index);
    }

    @Override
    public void onResume(String endpoint, long from, String after, AeroClientException cause) {
      resumes.add(endpoint + " " + from + " " + after + " " + cause.code());
    }

    @Override
    public void onError(AeroClientException e) {
      error.set(e);
    }

    void awaitProgress(long index) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (progress.get() < index && error.get() == null && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(error.get()).as("watch error").isNull();
      assertThat(progress.get()).as("progress").isGreaterThanOrEqualTo(index);
    }
  }

  private static String item(String id, int n) {
    return "{\"_id\":\"" + id + "\",\"n\":" + n + "}";
  }

  @Test
  @Order(1)
  void theStreamIsExactlyTheAcknowledgedWritesInCommitOrder() throws Exception {
    List<String> expected = new ArrayList<>();
    Collector live = new Collector();
    long first;
    try (Watch w = client.watch("items", 1, live)) {
      WriteReply r = client.insert("items", item("a", 1));
      first = r.getCommitIndex();
      expected.add(r.getCommitIndex() + " INSERT a {\"_id\":\"a\",\"n\":1}");
      client.insert("noise", item("z", 0)); // another collection: not in the stream
      r = client.update("items", item("a", 2));
      expected.add(r.getCommitIndex() + " UPDATE a {\"_id\":\"a\",\"n\":2}");
      var b = client.batch().insert("items", item("c", 3)).insert("items", item("b", 4)).commit();
      expected.add(b.getCommitIndex() + " INSERT b {\"_id\":\"b\",\"n\":4}"); // by _id in an index
      expected.add(b.getCommitIndex() + " INSERT c {\"_id\":\"c\",\"n\":3}");
      r = client.delete("items", "a");
      expected.add(r.getCommitIndex() + " DELETE a ");
      client.delete("items", "never"); // deleting an absent document changes nothing
      live.awaitProgress(r.getCommitIndex());
      assertThat(live.changes).containsExactlyElementsOf(expected);
      assertThat(w.resumeIndex()).isGreaterThan(r.getCommitIndex()); // past the last progress
      assertThat(w.resumeAfterId()).isEmpty();
    }
    // a watch that starts later replays the same history, and resuming after any change joins up
    Collector later = new Collector();
    try (Watch w = client.watch("items", first, later)) {
      later.awaitProgress(client.get("items", "b").getReceipt().getIndex());
      assertThat(w.resumeIndex()).isGreaterThan(first);
    }
    assertThat(later.changes).containsExactlyElementsOf(expected);
    Collector resumed = new Collector();
    String third = expected.get(2);
    long thirdIndex = Long.parseLong(third.split(" ")[0]);
    try (Watch w = client.watch("items", thirdIndex, "b", resumed)) {
      resumed.awaitProgress(client.get("items", "b").getReceipt().getIndex());
      assertThat(w.resumeIndex()).isGreaterThan(thirdIndex);
    }
    assertThat(resumed.changes).containsExactlyElementsOf(expected.subList(3, expected.size()));
  }

  @Test
  @Order(2)
  void theKillOfTheServingNodeLeavesNoGapAndNoRepeat() throws Exception {
    int leader = cluster.awaitLeader(10_000);
    List<String> order = new ArrayList<>(cluster.layout.apiAddresses());
    String serving = order.remove(leader);
    order.add(0, serving); // the watch starts on the leader
    long from = client.get("items", "b").getReceipt().getIndex() + 1;
    Collector live = new Collector();
    List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
    try (AeroClient watching = AeroClient.connect(order);
        Watch w = watching.watch("items", from, live)) {
      AtomicReference<Throwable> writerFailed = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 150; i++) {
                    acknowledged.add(client.insert("items", item("k" + i, i)).getCommitIndex());
                  }
                } catch (RuntimeException e) {
                  writerFailed.set(e);
                }
              });
      writer.start();
      while (live.changes.size() < 30) {
        Thread.sleep(5);
      }
      cluster.stop(leader); // the node serving the stream, and the leader
      writer.join(120_000);
      assertThat(writer.isAlive()).isFalse();
      assertThat(writerFailed.get()).as("the writer's error").isNull();
      long last = acknowledged.get(acknowledged.size() - 1);
      live.awaitProgress(last);
      assertThat(live.resumes).isNotEmpty();
      assertThat(w.resumeIndex()).isGreaterThan(last);
    }
    cluster.start(leader);
    // the whole history from a node that never stopped
    int other = (leader + 1) % 3;
    Collector fresh = new Collector();
    try (AeroClient c = AeroClient.connect(List.of(cluster.layout.apiAddress(other)));
        Watch w = c.watch("items", from, fresh)) {
      fresh.awaitProgress(acknowledged.get(acknowledged.size() - 1));
      assertThat(w.resumeIndex()).isGreaterThan(acknowledged.get(acknowledged.size() - 1));
    }
    assertThat(live.changes).containsExactlyElementsOf(fresh.changes);
    assertThat(live.changes).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(150);
    List<Long> seen = new ArrayList<>();
    live.changes.forEach(l -> seen.add(Long.parseLong(l.split(" ")[0])));
    assertThat(seen).isSorted().containsAll(acknowledged);
  }

  @Test
  @Order(3)
  void aStartBelowTheGcFloorFailsLoudly() throws Exception {
    long index = client.insert("items", item("f", 1)).getCommitIndex();
    var set = client.admin().setGcFloor(index);
    long floor = set.getFloor();
    for (String node : cluster.layout.apiAddresses()) { // every node applied the floor
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // the node restarted by the test before may still be starting
          .until(() -> client.getAtLeast(node, "items", "f", set.getCommitIndex()) != null);
    }
    Collector refused = new Collector();
    try (Watch w = client.watch("items", floor, refused)) {
      assertThat(w.await(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(refused.error.get().code()).isEqualTo("AERO_MVCC_SNAPSHOT_TOO_OLD");
    assertThat(refused.error.get().details()).containsEntry("gcFloor", Long.toString(floor));
    assertThat(refused.changes).isEmpty();
  }
}
