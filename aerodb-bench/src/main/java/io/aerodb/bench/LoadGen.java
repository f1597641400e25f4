package io.aerodb.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The closed-loop load generator of the benchmarks (scripts/bench.sh runs it once per system and
 * run; scripts/bench-ratis.sh also for Ratis alone).
 *
 * <p>{@code --clients N} threads each issue one synchronous request at a time through ONE shared
 * client (AeroDB: {@code AeroClient}; etcd: jetcd; {@code --system ratis}: a Ratis client of the
 * no-op members of {@link io.aerodb.bench.ratis.EchoServer}), like an application with N worker
 * threads. Bounded by {@code --ops-max} (total requests issued) AND {@code --measure-s} (after
 * {@code --warmup-s}); a request is recorded if it finishes after the warm-up (so a stall that
 * straddles the boundary is not hidden), and ops/s = recorded requests / (last completion - end of
 * warm-up). Latencies go to one HdrHistogram per thread (microseconds, 3 significant digits),
 * merged at the end.
 *
 * <p>Workloads:
 *
 * <ul>
 *   <li>{@code insert}: new documents of {@code --doc-bytes} (default 1024) with unique ids
 *       (AeroDB: schema-validated insert; etcd: put of the same bytes);
 *   <li>{@code get}: first writes {@code --preload} documents (not measured), then linearizable
 *       point reads of random ones among them;
 *   <li>{@code update}: first writes {@code --preload} documents (not measured), then replaces them
 *       in turn (each once per round, starting at the {@code --update-from}th), new content each
 *       time: the MVCC history and GC path;
 *   <li>{@code load}: small documents (about 40 bytes), no warm-up, for filling a node (the restart
 *       measurement); prints how many were written.
 * </ul>
 *
 * <p>Before measuring, it waits (at most {@code --gate-max-s}) until processes that are not part of
 * the benchmark use less than {@code --gate-pct} of one core, and it records the CPU used by
 * everyone during the measured window ({@link ProcCpu}), the servers' context switches per
 * operation (thread hand-offs), and with {@code --thread-cpu true} each server's CPU per operation
 * by thread group ({@link ThreadCpu}; read from /proc at the window's ends, named by {@code jcmd}
 * after it). Prints exactly one JSON line on stdout.
 */
public final class LoadGen {
  private LoadGen() {}

  /** What every row of one invocation shares. */
  private record Setup(
      String system,
      long opsMax,
      double warmupS,
      double measureS,
      int docBytes,
      int preload,
      double preloadMaxS,
      long updateFrom,
      String prefix,
      double gatePct,
      double gateMaxS,
      List<Long> serverPids,
      List<String> serverNames,
      String label,
      String extra,
      int watchers,
      boolean threadCpu) {
    /**
     * An unmeasured slice of {@code seconds} (the prime, the warm-up curve): no warm-up, no gate,
     * unbounded count, documents under {@code slicePrefix}, {@code preloadDocs} to read from.
     */
    Setup slice(
        String slicePrefix,
        double seconds,
        int preloadDocs,
        double preloadSeconds,
        String sliceLabel) {
      return new Setup(
          system,
          Long.MAX_VALUE / 4,
          0,
          seconds,
          docBytes,
          preloadDocs,
          preloadSeconds,
          0,
          slicePrefix,
          100,
          0,
          serverPids,
          serverNames,
          sliceLabel,
          "",
          0,
          false);
    }

    Setup withWatchers(int w) {
      return new Setup(
          system,
          opsMax,
          warmupS,
          measureS,
          docBytes,
          preload,
          preloadMaxS,
          updateFrom,
          prefix,
          gatePct,
          gateMaxS,
          serverPids,
          serverNames,
          label,
          extra,
          w,
          threadCpu);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    String system = o.getOrDefault("system", "aerodb");
    if (!List.of("aerodb", "etcd", "ratis").contains(system)) {
      throw new IllegalArgumentException("system must be aerodb, etcd or ratis: " + system);
    }
    String endpoints = o.getOrDefault("endpoints", "127.0.0.1:7701");
    List<String> workloads =
        strings(o.getOrDefault("workloads", o.getOrDefault("workload", "insert")));
    List<Integer> clientCounts =
        strings(o.getOrDefault("clients", "1")).stream().map(Integer::parseInt).toList();
    String collection = o.getOrDefault("collection", "bench");
    // Prime (unmeasured): at least prime-min-s, at most prime-s, until the servers' JIT compiler
    // threads used less than prime-jit-pct (of one core, summed over servers) in two slices in a
    // row.
    double primeS = Double.parseDouble(o.getOrDefault("prime-s", "0"));
    double primeMinS = Math.min(primeS, Double.parseDouble(o.getOrDefault("prime-min-s", "20")));
    double primeJitPct = Double.parseDouble(o.getOrDefault("prime-jit-pct", "15"));
    Setup setup =
        new Setup(
            system,
            Long.parseLong(o.getOrDefault("ops-max", "300000")),
            Double.parseDouble(o.getOrDefault("warmup-s", "2")),
            Double.parseDouble(o.getOrDefault("measure-s", "10")),
            Integer.parseInt(o.getOrDefault("doc-bytes", "1024")),
            Integer.parseInt(o.getOrDefault("preload", "2000")),
            Double.parseDouble(o.getOrDefault("preload-max-s", "120")),
            Long.parseLong(o.getOrDefault("update-from", "0")),
            o.getOrDefault("prefix", "r" + Long.toString(System.currentTimeMillis(), 36)),
            Double.parseDouble(o.getOrDefault("gate-pct", "10")),
            Double.parseDouble(o.getOrDefault("gate-max-s", "30")),
            longs(o.getOrDefault("server-pids", "")),
            strings(o.getOrDefault("server-names", "")),
            o.getOrDefault("label", ""),
            o.getOrDefault("extra", ""), // k=v,k=v copied into every output line
            0,
            // the servers' CPU per thread group in each measured row (their names from jcmd)
            Boolean.parseBoolean(o.getOrDefault("thread-cpu", "false")));
    // watchers of the collection running during a row (their events are counted): each row is run
    // once per count, e.g. --watchers 0,10 for the fan-out's effect on the same workload
    List<Integer> watcherCounts =
        strings(o.getOrDefault("watchers", "0")).stream().map(Integer::parseInt).toList();
    if (system.equals("ratis") && watcherCounts.stream().anyMatch(w -> w > 0)) {
      throw new IllegalArgumentException("Ratis alone has no watchers: --watchers 0");
    }
    List<String> markers = strings(o.getOrDefault("markers", ""));
    // Processes under these PIDs (e.g. the bench script) are part of the benchmark, not foreign.
    List<Long> scopePids = longs(o.getOrDefault("scope-pids", ""));

    for (String h : endpoints.replace("http://", "").split(",")) {
      String host = h.split(":")[0];
      if (!host.startsWith("127.") && !host.equals("localhost")) {
        throw new IllegalArgumentException("loopback only: " + h);
      }
    }
    for (int c : clientCounts) {
      if (c < 1 || c > 1024) {
        throw new IllegalArgumentException("clients must be 1..1024");
      }
    }
    for (int w : watcherCounts) {
      if (w < 0 || w > 100) {
        throw new IllegalArgumentException("watchers: 0..100");
      }
    }
    if (setup.measureS() > 1800
        || setup.warmupS() > 600
        || primeS > 600
        || setup.opsMax() > 20_000_000
        || setup.preloadMaxS() > 3600) {
      throw new IllegalArgumentException(
          "bounds: measure <= 1800 s, warm-up <= 600 s, preload <= 3600 s, ops <= 20M");
    }
    for (String w : workloads) {
      if (!List.of("insert", "get", "load", "update", "batch10", "ping").contains(w)) {
        throw new IllegalArgumentException(
            "workload must be insert, get, load, update, batch10 or ping: " + w);
      }
      if (system.equals("ratis") && !List.of("insert", "get", "batch10").contains(w)) {
        throw new IllegalArgumentException("Ratis alone runs insert, get and batch10 only: " + w);
      }
    }

    ProcCpu cpu = new ProcCpu(markers, scopePids);
    BenchDocs docs = new BenchDocs(setup.docBytes());
    try (Driver driver =
        switch (system) {
          case "etcd" -> new EtcdDriver(endpoints, "/aerodb-bench/" + collection);
          case "ratis" -> new RatisDriver(endpoints);
          default -> new AeroDriver(endpoints, collection); // "aerodb", checked above
        }) {
      // One write before anything else: checks the setup and opens the connection. Small documents
      // only when the collection is the small-document one (the restart fill).
      String firstId = setup.prefix() + "-first-" + Long.toString(System.nanoTime(), 36);
      boolean small = workloads.equals(List.of("load"));
      driver.insert(firstId, small ? BenchDocs.small(firstId, 0) : docs.document(firstId, 0));
      double curveS = Double.parseDouble(o.getOrDefault("curve-s", "0"));
      if (curveS > 0) {
        System.out.println(
            warmupCurve(
                driver,
                docs,
                cpu,
                setup,
                clientCounts.get(0),
                curveS,
                Double.parseDouble(o.getOrDefault("curve-slice-s", "5"))));
        System.out.flush();
        System.exit(0);
      }
      if (primeS > 0) {
        prime(driver, docs, cpu, setup, primeS, primeMinS, primeJitPct);
      }
      // --preloaded true: the --preload documents exist from an earlier run with the same --prefix
      boolean preloaded = Boolean.parseBoolean(o.getOrDefault("preloaded", "false"));
      for (String workload : workloads) {
        if ((workload.equals("get") || workload.equals("update")) && !preloaded) {
          long t = System.nanoTime();
          preload(driver, docs, setup.prefix() + "-p", setup.preload(), 16, setup.preloadMaxS());
          System.err.printf(
              Locale.ROOT,
              "preloaded %d documents in %d ms%n",
              setup.preload(),
              (System.nanoTime() - t) / 1_000_000);
          preloaded = true;
        }
        for (int clients : clientCounts) {
          for (int w : watcherCounts) {
            System.out.println(
                runRow(driver, docs, cpu, setup.withWatchers(w), workload, clients, false));
            System.out.flush();
          }
        }
      }
    }
    System.exit(0);
  }

  /**
   * Unmeasured load before the rows: 8 clients, slices of 10 s (two of inserts, one of reads),
   * until {@code maxS}, or after {@code minS} once the servers' JIT threads used less than {@code
   * jitPct} of one core in two slices in a row (a fresh JVM compiles for minutes on 2 cores; the
   * rows should measure the compiled program). Logs each slice on stderr and a summary line.
   */
  private static void prime(
      Driver driver,
      BenchDocs docs,
      ProcCpu cpu,
      Setup setup,
      double maxS,
      double minS,
      double jitPct)
      throws InterruptedException {
    long t0 = System.nanoTime();
    preload(driver, docs, setup.prefix() + "-prime-p", 500, 8, 120);
    int quietSlices = 0;
    int slice = 0;
    double lastJit = Double.NaN;
    while (true) {
      double elapsed = (System.nanoTime() - t0) / 1e9;
      if (elapsed >= maxS || (elapsed >= minS && quietSlices >= 2)) {
        break;
      }
      double sliceS = Math.min(10, Math.max(1, maxS - elapsed));
      boolean read = slice % 3 == 2;
      // reads find the documents preloaded above; inserts need fresh ids per slice
      Setup prime =
          setup.slice(
              read ? setup.prefix() + "-prime" : setup.prefix() + "-prime" + slice,
              sliceS,
              500,
              120,
              "prime");
      JsonLine r = runRow(driver, docs, cpu, prime, read ? "get" : "insert", 8, true);
      lastJit = r.number("server_jit_cpu_pct");
      quietSlices = lastJit < jitPct ? quietSlices + 1 : 0;
      slice++;
    }
    System.err.printf(
        Locale.ROOT,
        "prime done: %.0f s, %d slices, servers' JIT CPU in the last slice %.0f%%%n",
        (System.nanoTime() - t0) / 1e9,
        slice,
        lastJit);
    primeSeconds = (System.nanoTime() - t0) / 1e9;
    primeLastJitPct = lastJit;
  }

  /**
   * The warm-up curve of a fresh cluster (issue 16): inserts from the first second on, in
   * consecutive slices of {@code sliceS} with {@code clients} clients, for {@code totalS}. Steady
   * throughput is the median of the last 30 s of slices; {@code time_to_90_s} is the end (wall time
   * from the curve's start) of the first slice at 90 % of it or more (the time a fresh cluster
   * needs to serve at nine tenths of its speed). Returns one JSON line with the slices' ops/s.
   */
  private static JsonLine warmupCurve(
      Driver driver,
      BenchDocs docs,
      ProcCpu cpu,
      Setup setup,
      int clients,
      double totalS,
      double sliceS)
      throws InterruptedException {
    if (totalS > 900 || sliceS < 1 || sliceS > 60 || totalS < 6 * sliceS) {
      throw new IllegalArgumentException("curve: 6 slices or more, slice 1..60 s, total <= 900 s");
    }
    int slices = (int) Math.floor(totalS / sliceS);
    List<Double> opsPerS = new ArrayList<>();
    List<Double> jitPct = new ArrayList<>();
    List<Double> endS = new ArrayList<>(); // each slice's end, from the curve's start (wall time)
    long start = System.nanoTime();
    for (int i = 0; i < slices; i++) {
      Setup slice = setup.slice(setup.prefix() + "-curve" + i, sliceS, 0, 0, "curve");
      JsonLine r = runRow(driver, docs, cpu, slice, "insert", clients, true);
      opsPerS.add(r.number("ops_per_s"));
      jitPct.add(r.number("server_jit_cpu_pct"));
      endS.add((System.nanoTime() - start) / 1e9);
      System.err.printf(
          Locale.ROOT,
          "curve %5.0f s: %8.1f ops/s, servers' JIT %.0f%%%n",
          endS.get(i),
          r.number("ops_per_s"),
          r.number("server_jit_cpu_pct"));
    }
    int tail = Math.min(slices, Math.max(1, (int) Math.round(30 / sliceS)));
    List<Double> last = new ArrayList<>(opsPerS.subList(opsPerS.size() - tail, opsPerS.size()));
    last.sort(null);
    double steady = last.get(last.size() / 2);
    double t90 = Double.NaN;
    for (int i = 0; i < opsPerS.size(); i++) {
      if (opsPerS.get(i) >= 0.9 * steady) {
        t90 = endS.get(i);
        break;
      }
    }
    return JsonLine.of("kind", "warmup_curve")
        .put("system", setup.system())
        .put("clients", clients)
        .put("slice_s", sliceS)
        .put("steady_ops_per_s", steady)
        .put("time_to_90_s", t90)
        .put("ops_per_s", opsPerS)
        .put("server_jit_cpu_pct", jitPct);
  }

  /**
   * The update workload's position: the n-th update of this process (from --update-from, carried
   * from row to row so that no row repeats another's writes); -1 until the first update row.
   */
  private static final AtomicLong UPDATES = new AtomicLong(-1);

  /** Documents per operation of the batch10 workload (one AeroDB batch, one etcd Txn). */
  static final int BATCH_DOCS = 10;

  private static double primeSeconds;
  private static double primeLastJitPct = Double.NaN;

  /** {@code count} per operation; NaN (JSON null) when unknown (negative) or without operations. */
  private static double perOp(long count, long operations) {
    return count < 0 || operations <= 0 ? Double.NaN : (double) count / operations;
  }

  /** Per-thread CPU ticks of a server; empty if its /proc entry cannot be read (it ended). */
  private static Map<Long, Long> threadTicks(long pid) {
    try {
      return ThreadCpu.ticks(pid);
    } catch (IOException gone) {
      return Map.of();
    }
  }

  /** Runs one closed-loop row and returns its JSON line. */
  private static JsonLine runRow(
      Driver driver,
      BenchDocs docs,
      ProcCpu cpu,
      Setup setup,
      String workload,
      int clients,
      boolean quiet)
      throws InterruptedException {
    final boolean load = workload.equals("load");
    final double warmupS = load ? 0 : setup.warmupS();
    final long opsMax = setup.opsMax();
    double[] gate =
        quiet
            ? new double[] {0, Double.NaN}
            : waitQuiet(cpu, setup.serverPids(), setup.gatePct(), setup.gateMaxS());

    Histogram[] hs = new Histogram[clients];
    long[] measured = new long[clients];
    long[] lastDone = new long[clients];
    AtomicLong issued = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>("");
    final long t0 = System.nanoTime();
    final long warmEnd = t0 + (long) (warmupS * 1e9);
    final long end = warmEnd + (long) (setup.measureS() * 1e9);
    final boolean isGet = workload.equals("get");
    final boolean isUpdate = workload.equals("update");
    final boolean isBatch = workload.equals("batch10");
    final boolean isPing = workload.equals("ping");
    final int perOp = isBatch ? BATCH_DOCS : 1;
    AtomicLong watched = new AtomicLong();
    List<AutoCloseable> watches = new ArrayList<>();
    for (int w = 0; w < setup.watchers(); w++) {
      try {
        watches.add(driver.watch(watched));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start a watcher: " + e, e);
      }
    }
    UPDATES.compareAndSet(-1, setup.updateFrom()); // one sequence for every row of this process
    final AtomicLong updates = UPDATES;
    // fresh ids per row: the same workload and clients with another count of watchers too
    final String pfx =
        setup.prefix()
            + "-"
            + workload
            + clients
            + (setup.watchers() > 0 ? "w" + setup.watchers() : "");
    final String getPfx = setup.prefix() + "-p";
    final int preloaded = setup.preload();
    Thread[] ts = new Thread[clients];
    for (int c = 0; c < clients; c++) {
      final int cid = c;
      hs[c] = new Histogram(60_000_000L, 3);
      ts[c] =
          new Thread(
              () -> {
                long seq = 0;
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                  long now = System.nanoTime();
                  if (now >= end || issued.incrementAndGet() > opsMax) {
                    break;
                  }
                  long s = System.nanoTime();
                  try {
                    if (isPing) {
                      driver.ping();
                    } else if (isGet) {
                      driver.get(getPfx + rnd.nextInt(preloaded));
                    } else if (isBatch) {
                      List<String> ids = new ArrayList<>(BATCH_DOCS);
                      List<String> bodies = new ArrayList<>(BATCH_DOCS);
                      for (int j = 0; j < BATCH_DOCS; j++) {
                        String id = pfx + "-c" + cid + "-" + seq + "-" + j;
                        ids.add(id);
                        bodies.add(docs.document(id, seq * BATCH_DOCS + j));
                      }
                      driver.insertAll(ids, bodies);
                    } else if (isUpdate) {
                      // the preloaded documents in turn, every one once per round; document k
                      // of round r gets seq k + 1001 (r + 1): the indexed "tag" (seq % 1000)
                      // moves by one each round and no update repeats the preloaded body
                      long n = updates.getAndIncrement();
                      long k = n % preloaded;
                      String id = getPfx + k;
                      driver.update(id, docs.document(id, k + 1001 * (n / preloaded + 1)));
                    } else {
                      String id = pfx + "-c" + cid + "-" + seq;
                      driver.insert(id, load ? BenchDocs.small(id, seq) : docs.document(id, seq));
                    }
                  } catch (Exception | Error e) {
                    if (errors.incrementAndGet() == 1) {
                      firstError.set(String.valueOf(e));
                    }
                    if (errors.get() > 1000) {
                      break;
                    }
                    continue;
                  } finally {
                    seq++;
                  }
                  long f = System.nanoTime();
                  if (f >= warmEnd) {
                    hs[cid].recordValue(Math.max(1, (f - s) / 1000));
                    measured[cid]++;
                    lastDone[cid] = f;
                  }
                }
              },
              "client-" + c);
    }
    for (Thread t : ts) {
      t.start();
    }
    // The CPU window is the measured window (it starts at the end of the warm-up).
    long sleepMs = (warmEnd - System.nanoTime()) / 1_000_000;
    if (sleepMs > 0) {
      Thread.sleep(sleepMs);
    }
    ProcCpu.Snapshot before = cpu.snapshot();
    long[] jitBefore = new long[setup.serverPids().size()];
    List<Map<Long, ProcCpu.Switches>> switchesBefore = new ArrayList<>();
    for (int i = 0; i < jitBefore.length; i++) {
      jitBefore[i] = ProcCpu.jitTicks(setup.serverPids().get(i));
      switchesBefore.add(ProcCpu.threadSwitches(setup.serverPids().get(i)));
    }
    List<Map<Long, Long>> threadTicksBefore = new ArrayList<>();
    if (setup.threadCpu() && !quiet) {
      for (long pid : setup.serverPids()) {
        threadTicksBefore.add(threadTicks(pid));
      }
    }
    for (Thread t : ts) {
      t.join((long) ((warmupS + setup.measureS() + 60) * 1000));
    }
    ProcCpu.Snapshot after = cpu.snapshot();
    ProcCpu.Usage u = cpu.usage(before, after, setup.serverPids());
    // per server: its switches in the window, or null if it was gone at the window's end
    List<ProcCpu.Switches> switches = new ArrayList<>();
    for (int i = 0; i < switchesBefore.size(); i++) {
      Map<Long, ProcCpu.Switches> now = ProcCpu.threadSwitches(setup.serverPids().get(i));
      switches.add(now.isEmpty() ? null : ProcCpu.switchesBetween(switchesBefore.get(i), now));
    }
    List<Map<Long, Long>> threadTicksAfter = new ArrayList<>();
    for (int i = 0; i < threadTicksBefore.size(); i++) {
      threadTicksAfter.add(threadTicks(setup.serverPids().get(i)));
    }
    if (!watches.isEmpty()) {
      Thread.sleep(2_000); // let the watchers drain what was committed
    }
    for (AutoCloseable w : watches) {
      try {
        w.close();
      } catch (Exception e) {
        // closing a watcher at the end of a row: nothing to do about it
      }
    }
    long jitTicks = 0;
    for (int i = 0; i < jitBefore.length; i++) {
      jitTicks += ProcCpu.jitTicks(setup.serverPids().get(i)) - jitBefore[i];
    }

    long stop = 0;
    long n = 0;
    Histogram all = new Histogram(60_000_000L, 3);
    for (int c = 0; c < clients; c++) {
      all.add(hs[c]);
      n += measured[c];
      stop = Math.max(stop, lastDone[c]);
    }
    double secs = stop > warmEnd ? (stop - warmEnd) / 1e9 : Double.NaN;
    double opsPerS = n / secs;
    Map<String, Object> servers = new LinkedHashMap<>();
    double serverPct = 0;
    ProcCpu.Switches serverSwitches = ProcCpu.Switches.NONE;
    boolean switchesKnown = n > 0;
    for (int i = 0; i < setup.serverPids().size(); i++) {
      long pid = setup.serverPids().get(i);
      String name = i < setup.serverNames().size() ? setup.serverNames().get(i) : "" + pid;
      double pct = u.perPidPct().getOrDefault(pid, Double.NaN);
      serverPct += pct;
      ProcCpu.Switches sw = switches.get(i);
      if (sw == null) {
        switchesKnown = false;
      } else {
        serverSwitches = serverSwitches.plus(sw);
      }
      JsonLine server =
          JsonLine.of("pid", pid)
              .put("cpu_pct", pct)
              .put("context_switches_per_op", perOp(sw == null ? -1 : sw.total(), n))
              .put("voluntary_switches_per_op", perOp(sw == null ? -1 : sw.voluntary(), n))
              .put("rss_mib", ProcCpu.rssMib(pid, "VmRSS"));
      if (i < threadTicksAfter.size() && threadTicksAfter.get(i).isEmpty()) {
        server.put("threads_us_per_op", "process gone");
      } else if (i < threadTicksAfter.size() && n > 0) {
        try {
          server.put(
              "threads_us_per_op",
              ThreadCpu.perOperation(
                  ThreadCpu.groupTicks(pid, threadTicksBefore.get(i), threadTicksAfter.get(i)), n));
        } catch (IOException gone) {
          server.put("threads_us_per_op", "unreadable: " + gone.getMessage());
        }
      }
      servers.put(name, server);
    }
    JsonLine out =
        JsonLine.of("type", "row")
            .put("system", setup.system())
            .put("workload", setup.watchers() > 0 ? workload + "+w" + setup.watchers() : workload)
            .put("clients", clients)
            .put("doc_bytes", load ? 40 : setup.docBytes())
            .put("ops", n)
            .put("secs", secs)
            .put("ops_per_s", opsPerS)
            .put("docs_per_op", perOp)
            .put("docs_per_s", opsPerS * perOp)
            .put("watchers", setup.watchers())
            .put("watch_events", watched.get())
            .put("p50_ms", all.getValueAtPercentile(50) / 1000.0)
            .put("p90_ms", all.getValueAtPercentile(90) / 1000.0)
            .put("p99_ms", all.getValueAtPercentile(99) / 1000.0)
            .put("p999_ms", all.getValueAtPercentile(99.9) / 1000.0)
            .put("max_ms", all.getMaxValue() / 1000.0)
            .put("mean_ms", all.getMean() / 1000.0)
            .put("errors", errors.get())
            .put("first_error", truncate(firstError.get(), 300))
            .put("bounded_by", issued.get() > opsMax ? "count" : "time")
            .put("warmup_s", warmupS)
            .put("measure_s", setup.measureS())
            .put("ops_max", opsMax)
            .put("gate_wait_s", gate[0])
            .put("gate_foreign_pct", gate[1])
            .put("machine_busy_pct", u.busyPct())
            .put("foreign_cpu_pct", u.foreignPct())
            .put("ours_cpu_pct", u.oursPct())
            .put("kernel_cpu_pct", u.kernelPct())
            .put(
                "loadgen_cpu_pct",
                u.perPidPct().getOrDefault(ProcessHandle.current().pid(), Double.NaN))
            .put("server_cpu_pct", serverPct)
            .put("server_cpu_us_per_op", n > 0 ? serverPct / 100.0 * secs * 1e6 / n : Double.NaN)
            // JIT compiler threads of the servers (JVMs only; 0 for etcd): high = not warmed up.
            .put("server_jit_cpu_pct", ProcCpu.ticksToPct(jitTicks, u.seconds()))
            // Thread hand-offs: the servers' context switches per operation — all of them, and the
            // voluntary ones (a thread waited: hand-offs, locks, I/O), without preemptions.
            .put(
                "server_context_switches_per_op",
                perOp(switchesKnown ? serverSwitches.total() : -1, n))
            .put(
                "server_voluntary_switches_per_op",
                perOp(switchesKnown ? serverSwitches.voluntary() : -1, n))
            .put("servers", servers)
            .put("prime_s", primeSeconds)
            .put("prime_last_jit_cpu_pct", primeLastJitPct)
            .put("top_foreign", u.topForeign())
            .put("label", setup.label())
            .put("time", Instant.now().toString());
    for (String kv : strings(setup.extra())) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        String v = kv.substring(eq + 1);
        out.put(
            kv.substring(0, eq),
            v.equals("true") || v.equals("false") ? (Object) Boolean.valueOf(v) : v);
      }
    }
    if (!quiet) {
      System.err.printf(
          Locale.ROOT,
          "  %-6s %-6s %3d clients: %8.0f ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  foreign CPU"
              + " %3.0f%%  server CPU %4.0f%% (JIT %3.0f%%, %.0f us/op, %.1f switches/op, %.1f"
              + " voluntary)%n",
          setup.system(),
          workload,
          clients,
          opsPerS,
          out.number("p50_ms"),
          out.number("p99_ms"),
          errors.get(),
          u.foreignPct(),
          serverPct,
          out.number("server_jit_cpu_pct"),
          out.number("server_cpu_us_per_op"),
          out.number("server_context_switches_per_op"),
          out.number("server_voluntary_switches_per_op"));
    }
    if (quiet) {
      System.err.printf(
          Locale.ROOT,
          "prime %s: %.0f ops/s, servers' CPU %.0f%% (JIT %.0f%%), foreign %.0f%%%n",
          workload,
          opsPerS,
          serverPct,
          out.number("server_jit_cpu_pct"),
          u.foreignPct());
    }
    return out;
  }

  /**
   * Writes {@code count} documents with ids {@code <prefix><i>}, with {@code threads}, within
   * {@code maxS} seconds (or fails).
   */
  private static void preload(
      Driver driver, BenchDocs docs, String prefix, int count, int threads, double maxS)
      throws InterruptedException {
    AtomicLong next = new AtomicLong();
    AtomicReference<Exception> failed = new AtomicReference<>();
    long deadline = System.nanoTime() + (long) (maxS * 1e9);
    Thread[] ts = new Thread[Math.min(threads, 64)];
    for (int i = 0; i < ts.length; i++) {
      ts[i] =
          new Thread(
              () -> {
                long k;
                while ((k = next.getAndIncrement()) < count
                    && failed.get() == null
                    && System.nanoTime() < deadline) {
                  String id = prefix + k;
                  try {
                    driver.insert(id, docs.document(id, k));
                  } catch (Exception e) {
                    failed.compareAndSet(null, e);
                  }
                }
              });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join((long) (maxS * 1000) + 10_000);
    }
    if (failed.get() != null) {
      throw new IllegalStateException("preload failed: " + failed.get(), failed.get());
    }
    if (next.get() < count) {
      throw new IllegalStateException("preload did not finish within " + maxS + " s");
    }
  }

  /**
   * Waits until foreign processes use less than {@code pct} of one core over a 2 s window, at most
   * {@code maxS} seconds. Returns {seconds waited, last foreign %}.
   */
  private static double[] waitQuiet(ProcCpu cpu, List<Long> own, double pct, double maxS)
      throws InterruptedException {
    long t0 = System.nanoTime();
    double f;
    while (true) {
      ProcCpu.Snapshot a = cpu.snapshot();
      Thread.sleep(2000);
      f = cpu.usage(a, cpu.snapshot(), own).foreignPct();
      double waited = (System.nanoTime() - t0) / 1e9;
      if (f < pct || waited >= maxS) {
        if (f >= pct) {
          System.err.printf(
              Locale.ROOT,
              "WARN: foreign CPU still %.0f%% after %.0f s; measuring anyway%n",
              f,
              waited);
        }
        return new double[] {waited, f};
      }
    }
  }

  private static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }

  static Map<String, String> parse(String[] a) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < a.length; i++) {
      if (!a[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a[i]);
      }
      String k = a[i].substring(2);
      int eq = k.indexOf('=');
      if (eq >= 0) {
        o.put(k.substring(0, eq), k.substring(eq + 1));
      } else if (i + 1 < a.length) {
        o.put(k, a[++i]);
      } else {
        throw new IllegalArgumentException("missing value for --" + k);
      }
    }
    return o;
  }

  static List<String> strings(String csv) {
    List<String> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  static List<Long> longs(String csv) {
    return strings(csv).stream().map(Long::parseLong).toList();
  }
}
