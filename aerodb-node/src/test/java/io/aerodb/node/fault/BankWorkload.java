package io.aerodb.node.fault;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.QueryHit;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank [TX1, TX2]: {@link #ACCOUNTS} accounts of {@link #OPENING} each; concurrent clients move
 * money between two of them with one atomic batch of two updates, each guarded by the version the
 * client read, so a transfer computed from a stale read is refused rather than applied. Whatever
 * the faults do, every node's view of all accounts, read at one index, must hold the opening total
 * (SPEC §8.4: no batch is partially visible). Bounded in time and count.
 */
public final class BankWorkload {
  public static final String COLLECTION = "bank";
  static final int ACCOUNTS = 5;
  static final long OPENING = 1_000;
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"balance\":{\"type\":\"int\",\"required\":true}}}";

  private final List<String> endpoints;
  private final long seed;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong maxAckedIndex = new AtomicLong();

  public BankWorkload(List<String> endpoints, long seed) {
    this.endpoints = List.copyOf(endpoints);
    this.seed = seed;
  }

  public void setUp() {
    try (AeroClient c = AeroClient.connect(endpoints)) {
      c.createCollection(COLLECTION, SCHEMA);
      WorkloadSetup.awaitVisible(c, COLLECTION);
      var batch = c.batch();
      for (int i = 0; i < ACCOUNTS; i++) {
        batch.insert(COLLECTION, account(i, OPENING));
      }
      maxAckedIndex.set(batch.commit().getCommitIndex());
    }
  }

  private static String account(int i, long balance) {
    return "{\"_id\":\"a" + i + "\",\"balance\":" + balance + "}";
  }

  private static long balance(String json) {
    int at = json.indexOf("\"balance\":") + 10;
    int end = at;
    while (end < json.length()
        && (json.charAt(end) == '-' || Character.isDigit(json.charAt(end)))) {
      end++;
    }
    return Long.parseLong(json.substring(at, end));
  }

  /**
   * Runs {@code clients} transferring threads until {@code duration} passed or each made opsMax.
   */
  public void run(int clients, Duration duration, int opsMax) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int t = 0; t < clients; t++) {
      final long s = seed * 31 + t;
      pool.execute(() -> transfers(new Random(s), end, opsMax));
    }
    pool.shutdown();
    if (!pool.awaitTermination(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      throw new AssertionError("bank clients did not stop");
    }
  }

  private void transfers(Random random, long end, int opsMax) {
    AeroClient.Options options =
        new AeroClient.Options(Duration.ofSeconds(4), Duration.ofSeconds(2), 60);
    try (AeroClient c = AeroClient.connect(endpoints, options)) {
      for (int n = 0; n < opsMax && System.nanoTime() < end; n++) {
        int from = random.nextInt(ACCOUNTS);
        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(100);
        GetReply a;
        GetReply b;
        try {
          a = c.get(COLLECTION, "a" + from);
          b = c.get(COLLECTION, "a" + to);
        } catch (AeroClientException e) {
          RegisterWorkload.backOff();
          continue;
        }
        try {
          long index =
              c.batch()
                  .update(
                      COLLECTION,
                      account(from, balance(a.getDocumentJson()) - amount),
                      a.getVersionIndex())
                  .update(
                      COLLECTION,
                      account(to, balance(b.getDocumentJson()) + amount),
                      b.getVersionIndex())
                  .commit()
                  .getCommitIndex();
          acked.incrementAndGet();
          maxAckedIndex.accumulateAndGet(index, Math::max);
        } catch (AeroClientException e) {
          (e.isReject() ? refused : unknown).incrementAndGet();
          RegisterWorkload.backOff();
        }
      }
    }
  }

  public long acked() {
    return acked.get();
  }

  public long refused() {
    return refused.get();
  }

  public long unknown() {
    return unknown.get();
  }

  /**
   * Every node whose view of the accounts, all read at one index at least the highest acknowledged
   * transfer's, does not hold the opening total; empty means the bank holds.
   */
  public List<String> violations(ProcessCluster cluster) {
    List<String> problems = new ArrayList<>();
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < ACCOUNTS; i++) {
      ids.append(i == 0 ? "" : ",").append("\"a").append(i).append('"');
    }
    QueryRequest all =
        QueryRequest.newBuilder()
            .setCollection(COLLECTION)
            .setFilterJson("{\"_id\":{\"in\":[" + ids + "]}}")
            .setLimit(ACCOUNTS)
            .setConsistency(Consistency.AT_LEAST_INDEX)
            .setMinIndex(maxAckedIndex.get())
            .build();
    try (AeroClient client = AeroClient.connect(cluster.layout.apiAddresses())) {
      for (int i = 0; i < cluster.size(); i++) {
        String node = cluster.layout.ids.get(i);
        try {
          QueryReply r = client.queryAt(cluster.layout.apiAddress(i), all);
          long total = 0;
          for (QueryHit h : r.getResultsList()) {
            total += balance(h.getDocumentJson());
          }
          if (r.getResultsCount() != ACCOUNTS || total != ACCOUNTS * OPENING) {
            problems.add(
                node
                    + ": the bank holds "
                    + total
                    + " in "
                    + r.getResultsCount()
                    + " accounts at index "
                    + r.getReceipt().getIndex()
                    + ", not "
                    + ACCOUNTS * OPENING
                    + " in "
                    + ACCOUNTS
                    + " [TX1]");
          }
        } catch (AeroClientException e) {
          problems.add(node + ": the bank could not be read: " + e.code());
        }
      }
    }
    return problems;
  }
}
