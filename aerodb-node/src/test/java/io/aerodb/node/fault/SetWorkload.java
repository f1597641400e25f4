package io.aerodb.node.fault;

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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The insert-only set: concurrent writers insert documents with ids no one used before into
 * collection {@code set}, through a client of every node, and record each outcome in a {@link
 * History}: ACKED (with its commit index), REFUSED (a REJECT: definitely not applied) or UNKNOWN
 * (any other failure: it may have committed). The check, once the cluster is whole again: every
 * acknowledged insert is present with its exact content on every node, and no refused insert is
 * present on any (SPEC §5, §8.4).
 *
 * <p>Bounded in time and count.
 */
public final class SetWorkload {
  public static final String COLLECTION = "set";
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"writer\":{\"type\":\"int\",\"required\":true},"
          + "\"seq\":{\"type\":\"int\",\"required\":true}}}";

  private final List<String> endpoints;
  private final History history = new History();
  private final java.util.concurrent.atomic.AtomicLong lastAckNanos =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  public SetWorkload(List<String> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  public void setUp() {
    try (AeroClient c = AeroClient.connect(endpoints)) {
      c.createCollection(COLLECTION, SCHEMA);
      WorkloadSetup.awaitVisible(c, COLLECTION);
    }
  }

  /** Runs {@code writers} inserting threads until {@code duration} passed or each made opsMax. */
  public void run(int writers, Duration duration, int opsMax) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    for (int w = 0; w < writers; w++) {
      final int writer = w;
      pool.execute(() -> insertLoop(writer, end, opsMax));
    }
    pool.shutdown();
    if (!pool.awaitTermination(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      throw new AssertionError("set writers did not stop");
    }
  }

  private void insertLoop(int writer, long end, int opsMax) {
    AeroClient.Options options =
        new AeroClient.Options(Duration.ofSeconds(4), Duration.ofSeconds(2), 20);
    try (AeroClient c = AeroClient.connect(endpoints, options)) {
      for (int seq = 1; seq <= opsMax && System.nanoTime() < end; seq++) {
        String id = "s" + writer + "-" + seq;
        String json = "{\"_id\":\"" + id + "\",\"writer\":" + writer + ",\"seq\":" + seq + "}";
        String expected =
            CanonicalJson.toText(
                JsonReader.parse(json.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON));
        try {
          var r = c.insert(COLLECTION, json);
          lastAckNanos.accumulateAndGet(System.nanoTime(), Math::max);
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
          Outcome o = e.isReject() ? Outcome.REFUSED : Outcome.UNKNOWN;
          history.record(
              new Op(writer, id, expected, o, 0, System.nanoTime(), e.code(), e.nodeId()));
          RegisterWorkload.backOff();
        }
      }
    }
  }

  /** When an insert was last acknowledged (monotonic nanos; Long.MIN_VALUE before the first). */
  public long lastAckNanos() {
    return lastAckNanos.get();
  }

  public History history() {
    return history;
  }

  /**
   * Every violation of the set on every node of {@code cluster} (each read at least at the highest
   * acknowledged index, so a node that lags is waited for, not blamed); empty means it holds.
   */
  public List<String> violations(ProcessCluster cluster) {
    long minIndex = history.maxAckedIndex();
    List<String> problems = new ArrayList<>();
    try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
      for (int i = 0; i < cluster.size(); i++) {
        String address = cluster.layout.apiAddress(i);
        try {
          problems.addAll(
              history.violations(
                  cluster.layout.ids.get(i),
                  id -> {
                    GetReply g = client.getAtLeast(address, COLLECTION, id, minIndex);
                    return g.getFound() ? Optional.of(g.getDocumentJson()) : Optional.empty();
                  }));
        } catch (AeroClientException e) {
          problems.add(cluster.layout.ids.get(i) + ": the set could not be read: " + e.code());
        }
      }
    }
    return problems;
  }

  /** Writes the history, one insert a line. */
  public void save(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder sb = new StringBuilder();
    for (Op op : history.all()) {
      sb.append(op.writer())
          .append(' ')
          .append(op.id())
          .append(' ')
          .append(op.outcome())
          .append(" index=")
          .append(op.commitIndex())
          .append(" done=")
          .append(op.doneNanos())
          .append(" node=")
          .append(op.node())
          .append(op.error().isEmpty() ? "" : " error=" + op.error())
          .append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }
}
