package io.aerodb.node.fault;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.node.testing.RegisterChecker;
import io.aerodb.node.testing.RegisterChecker.Kind;
import io.aerodb.node.testing.RegisterChecker.Op;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.WriteReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Concurrent clients on single-document registers (documents {@code r0..r(K-1)} of collection
 * {@code registers}; the value is the {@code name} field), recording every operation as invoke and
 * ok / fail / info with monotonic times, for {@link RegisterChecker}.
 *
 * <p>Writers update a random register to a value no one wrote before, through a client of every
 * node (it follows the leader). Readers read a random register linearizably (the default), each
 * through one node only, so that every node, a partitioned one included, is asked. Outcomes: a
 * write that returned is OK; one refused with a REJECT code FAIL (nothing written); any other
 * failure INFO (it may have committed, e.g. AERO_OUTCOME_UNKNOWN). A read that returned is OK with
 * the value and the node that served it; a failed read tells nothing and is recorded FAIL.
 *
 * <p>Bounded in time and count; the operation choices come from the seed.
 */
public final class RegisterWorkload {
  public static final String COLLECTION = "registers";
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true}}}";

  /** An operation of the history, with the node that answered (or "" if none did). */
  public record Recorded(Op op, String node, long commitIndex) {}

  private final List<String> endpoints;
  private final int registers;
  private final long seed;
  private final List<Recorded> history = Collections.synchronizedList(new ArrayList<>());

  public RegisterWorkload(List<String> endpoints, int registers, long seed) {
    this.endpoints = List.copyOf(endpoints);
    this.registers = registers;
    this.seed = seed;
  }

  /** Creates the collection and every register with the value "init" (recorded as writes). */
  public void setUp() {
    try (AeroClient c = AeroClient.connect(endpoints)) {
      c.createCollection(COLLECTION, SCHEMA);
      WorkloadSetup.awaitVisible(c, COLLECTION);
      for (int k = 0; k < registers; k++) {
        long t0 = System.nanoTime();
        WriteReply r = c.insert(COLLECTION, doc("r" + k, "init-r" + k));
        history.add(
            new Recorded(
                new Op(-1, "r" + k, true, "init-r" + k, t0, System.nanoTime(), Kind.OK),
                r.getNodeId(),
                r.getCommitIndex()));
      }
    }
  }

  /**
   * Runs {@code writers} writer threads and one reader per endpoint until {@code duration} passed
   * (or {@code opsMax} operations were recorded), then returns.
   */
  public void run(int writers, Duration duration, int opsMax) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    int threads = writers + endpoints.size();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      final int process = t;
      final boolean writer = t < writers;
      pool.execute(
          () -> {
            Random random = new Random(seed * 1_000 + process);
            List<String> mine =
                writer ? endpoints : List.of(endpoints.get((process - writers) % endpoints.size()));
            AeroClient.Options options =
                writer
                    ? new AeroClient.Options(Duration.ofSeconds(4), Duration.ofSeconds(2), 20)
                    : new AeroClient.Options(Duration.ofSeconds(2), Duration.ofSeconds(1), 2);
            try (AeroClient c = AeroClient.connect(mine, options)) {
              int n = 0;
              while (System.nanoTime() < end && history.size() < opsMax) {
                String key = "r" + random.nextInt(registers);
                if (writer) {
                  write(c, process, key, "p" + process + "-" + n++);
                } else {
                  read(c, process, key);
                }
              }
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      throw new AssertionError("workload threads did not stop");
    }
  }

  private void write(AeroClient c, int process, String key, String value) {
    long t0 = System.nanoTime();
    try {
      WriteReply r = c.update(COLLECTION, doc(key, value));
      history.add(
          new Recorded(
              new Op(process, key, true, value, t0, System.nanoTime(), Kind.OK),
              r.getNodeId(),
              r.getCommitIndex()));
    } catch (AeroClientException e) {
      Kind kind = e.isReject() ? Kind.FAIL : Kind.INFO;
      history.add(
          new Recorded(
              new Op(
                  process,
                  key,
                  true,
                  value,
                  t0,
                  kind == Kind.INFO ? Long.MAX_VALUE : System.nanoTime(),
                  kind),
              e.nodeId(),
              0));
      backOff();
    }
  }

  /** After a failure: a node that is down refuses at once, and its client must not spin. */
  static void backOff() {
    try {
      Thread.sleep(50); // the workload's back-off after a failure, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(AeroClient c, int process, String key) {
    long t0 = System.nanoTime();
    try {
      GetReply r = c.get(COLLECTION, key);
      String value = r.getFound() ? name(r.getDocumentJson()) : null;
      history.add(
          new Recorded(
              new Op(process, key, false, value, t0, System.nanoTime(), Kind.OK),
              r.getReceipt().getNodeId(),
              r.getReceipt().getIndex()));
    } catch (AeroClientException e) {
      history.add(
          new Recorded(
              new Op(process, key, false, null, t0, System.nanoTime(), Kind.FAIL), e.nodeId(), 0));
      backOff();
    }
  }

  public List<Recorded> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  public List<Op> ops() {
    List<Op> ops = new ArrayList<>();
    for (Recorded r : history()) {
      ops.add(r.op());
    }
    return ops;
  }

  /** Writes the history, one operation a line, to {@code file}. */
  public void save(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder sb = new StringBuilder("# seed " + seed + "\n");
    for (Recorded r : history()) {
      sb.append(r.op())
          .append(" node=")
          .append(r.node())
          .append(" index=")
          .append(r.commitIndex())
          .append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  private static String doc(String id, String name) {
    return "{\"_id\":\"" + id + "\",\"name\":\"" + name + "\"}";
  }

  private static String name(String json) {
    JsonValue.Obj o =
        (JsonValue.Obj)
            JsonReader.parse(json.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON);
    return ((JsonValue.Str) o.get("name")).value();
  }

  /** The checker's verdicts over this history. */
  public List<RegisterChecker.Verdict> check() {
    return RegisterChecker.check(ops());
  }
}
