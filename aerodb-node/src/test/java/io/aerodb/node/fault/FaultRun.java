package io.aerodb.node.fault;

import io.aerodb.core.engine.StoreAudit;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.fault.RegisterWorkload.Recorded;
import io.aerodb.node.raft.RedGate;
import io.aerodb.node.storage.DataDirectory;
import io.aerodb.node.testing.History;
import io.aerodb.node.testing.Network;
import io.aerodb.node.testing.PowerDisk;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.node.testing.RegisterChecker;
import io.aerodb.node.testing.RegisterChecker.Kind;
import io.aerodb.node.testing.TmpfsDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of one {@link Scenario}: n real node processes on loopback (in cgroups, so that {@link
 * Network} can partition them), the register, insert-only set and bank workloads for a while and a
 * watch of the set, the scenario's nemesis meanwhile, then every fault repaired and the verdict:
 *
 * <ul>
 *   <li>every register's history linearizable ({@link RegisterChecker}) [R-LIN, SPEC §8.6, §8.9];
 *   <li>every acknowledged insert present with its content on every node, no refused one present
 *       (SPEC §5, §8.4);
 *   <li>the bank's accounts, read at one index on every node, hold the opening total: no batch is
 *       partially visible [TX1, TX2] (SPEC §8.4);
 *   <li>the watch of the set delivered every acknowledged insert once, in commit order, and no
 *       refused one, across every node it was moved to [W1];
 *   <li>equal state digests on every node once quiet (SPEC §8.7);
 *   <li>after every fault that leaves a majority, a write acknowledged again (within the scenario's
 *       bound), and no node exiting by itself unless the scenario allows it;
 *   <li>the workloads made progress (a run in which nothing happened proves nothing);
 *   <li>the scenario's own promises ({@link Scenario#check});
 *   <li>last, every node stopped: its store passes the offline audit ({@link StoreAudit}: versions,
 *       index entries, change feed, document heads), which covers what the state digest leaves out
 *       (the derived keys).
 * </ul>
 *
 * {@link Result#save} writes the histories, the fault events and the verdict into a directory.
 */
public final class FaultRun {
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** What to run. {@code gate} is a red gate (RedGate.NONE for the real product). */
  public record Spec(
      Scenario scenario,
      int nodes,
      long seed,
      Duration load,
      RedGate gate,
      Path workDir,
      PowerDisk.Mode powerMode) {
    /**
     * A run whose power-failure disks (if the scenario uses them) are {@link PowerDisk.Mode#LAZY}.
     */
    public Spec(
        Scenario scenario, int nodes, long seed, Duration load, RedGate gate, Path workDir) {
      this(scenario, nodes, seed, load, gate, workDir, PowerDisk.Mode.LAZY);
    }
  }

  /** What one run saw. */
  /** Snapshot every 500 entries, keep 200 behind, 1 MiB segments: purges within seconds. */
  static final String LIFECYCLE_RAFT =
      ",\"snapshotEveryEntries\":500,\"logRetainEntries\":200,\"logSegmentBytes\":1048576";

  /** The GC floor a thousand entries behind, raised every second. */
  static final String LIFECYCLE_GC = "{\"retainEntries\":1000,\"intervalMs\":1000}";

  public record Result(
      Spec spec,
      ProcessCluster cluster,
      RegisterWorkload register,
      SetWorkload set,
      Faults faults,
      List<RegisterChecker.Verdict> verdicts,
      List<String> violations,
      long longestUnavailableMs,
      String workloads) {

    public boolean passed() {
      return violations.isEmpty();
    }

    public long ops() {
      return register.history().size() + set.history().all().size();
    }

    public long count(Kind kind, History.Outcome outcome) {
      return register.history().stream().filter(r -> r.op().kind() == kind).count()
          + set.history().count(outcome);
    }

    /** The summary line of the run (docs/TESTING.md). */
    public String summaryLine() {
      StringBuilder sb = new StringBuilder();
      sb.append("scenario=")
          .append(spec.scenario().id)
          .append(" nodes=")
          .append(spec.nodes())
          .append(" seed=")
          .append(spec.seed());
      if (spec.gate() != RedGate.NONE) {
        sb.append(" gate=").append(spec.gate());
      }
      if (spec.scenario().disks() == Scenario.Disks.POWER) {
        sb.append(" disk=").append(spec.powerMode());
      }
      sb.append(" ops=")
          .append(ops())
          .append(" ok=")
          .append(count(Kind.OK, History.Outcome.ACKED))
          .append(" fail=")
          .append(count(Kind.FAIL, History.Outcome.REFUSED))
          .append(" unknown=")
          .append(count(Kind.INFO, History.Outcome.UNKNOWN))
          .append(" faults=")
          .append(faults.events().size())
          .append(" longest_unavailable_ms=")
          .append(longestUnavailableMs)
          .append(workloads.isEmpty() ? "" : " " + workloads);
      for (Map.Entry<String, Long> m : faults.metrics().entrySet()) {
        sb.append(' ').append(m.getKey()).append('=').append(m.getValue());
      }
      sb.append(" verdict=").append(passed() ? "PASS" : "FAIL");
      return sb.toString();
    }

    /** Writes the histories, the fault events, notes, violations and node logs into {@code dir}. */
    public void save(Path dir) throws IOException {
      Files.createDirectories(dir);
      register.save(dir.resolve("registers.txt"));
      set.save(dir.resolve("set.txt"));
      StringBuilder sb = new StringBuilder(summaryLine()).append('\n');
      for (Faults.Event e : faults.events()) {
        sb.append("event ").append(e.nanos()).append(' ').append(e.what()).append(' ');
        sb.append(e.nodes()).append('\n');
      }
      faults.notes().forEach(n -> sb.append("note ").append(n).append('\n'));
      violations.forEach(v -> sb.append("violation ").append(v).append('\n'));
      for (RegisterChecker.Verdict v : verdicts) {
        if (!v.linearizable()) {
          sb.append("minimal failing sub-history of ").append(v.key()).append(":\n");
          v.witness().forEach(op -> sb.append("  ").append(op).append('\n'));
        }
      }
      Files.writeString(dir.resolve("summary.txt"), sb, StandardCharsets.UTF_8);
      for (String id : cluster.layout.ids) {
        Path log = cluster.layout.root.resolve(id + ".log");
        if (Files.exists(log)) {
          Files.copy(
              log, dir.resolve(id + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private FaultRun() {}

  /**
   * Runs the scenario. The cluster is stopped, the partitions removed and the disks unmounted
   * before this returns (also when it throws).
   */
  public static Result run(Spec spec) throws Exception {
    if (!Network.available()) {
      throw new IllegalStateException(
          "the fault harness needs root, nftables and cgroup v2 (scripts/check installs nftables when run as root)");
    }
    if (spec.nodes() < spec.scenario().minNodes) {
      throw new IllegalArgumentException(
          spec.scenario().id + " needs at least " + spec.scenario().minNodes + " nodes");
    }
    String group =
        "aerodb-fault-"
            + ProcessHandle.current().pid()
            + "-"
            + RUNS.incrementAndGet()
            + "-"
            + spec.scenario().id;
    Path root = spec.workDir().resolve(group);
    List<TmpfsDisk> disks = new ArrayList<>();
    List<PowerDisk> powerDisks = new ArrayList<>();
    try {
      ProcessCluster cluster = new ProcessCluster(root, spec.nodes()).withNetwork(group);
      // The storage life cycle runs in every scenario: snapshots and log purge every few hundred
      // entries (so a node down for seconds comes back behind the purged log and installs a store),
      // and garbage collection a thousand entries behind (docs/adr/0007, 0008).
      cluster.layout.raftExtra = LIFECYCLE_RAFT;
      cluster.layout.gc = LIFECYCLE_GC;
      try (cluster) {
        for (int i = 0; i < spec.nodes(); i++) {
          switch (spec.scenario().disks()) {
            case TMPFS -> disks.add(new TmpfsDisk(cluster.dataDir(i), 160));
            case POWER ->
                powerDisks.add(
                    new PowerDisk(
                        cluster.dataDir(i),
                        root.resolve(cluster.layout.ids.get(i) + "-disk"),
                        spec.powerMode()));
            case PLAIN -> {}
          }
        }
        if (spec.gate() != RedGate.NONE) {
          cluster.nodeJvmArgs.add("-D" + RedGate.PROPERTY + "=" + spec.gate().name());
        }
        return runOn(spec, cluster, new Faults(cluster, disks, powerDisks));
      }
    } finally {
      closeAll(disks, powerDisks);
    }
  }

  /** Closes every disk, each in its own try: one that fails does not leave the others mounted. */
  private static void closeAll(List<TmpfsDisk> disks, List<PowerDisk> powerDisks)
      throws IOException {
    List<AutoCloseable> all = new ArrayList<>(disks);
    all.addAll(powerDisks);
    IOException first = null;
    for (AutoCloseable d : all) {
      try {
        d.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IOException("a test disk did not unmount", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static Result runOn(Spec spec, ProcessCluster cluster, Faults faults) throws Exception {
    cluster.startAll();
    cluster.awaitLeader(60_000);
    RegisterWorkload register = new RegisterWorkload(cluster.layout.apiAddresses(), 3, spec.seed());
    SetWorkload set = new SetWorkload(cluster.layout.apiAddresses());
    register.setUp();
    set.setUp();
    BankWorkload bank = new BankWorkload(cluster.layout.apiAddresses(), spec.seed());
    bank.setUp();
    faults.lastAckFrom(set::lastAckNanos);
    List<String> violations = new ArrayList<>();
    try (SetWatch watch = new SetWatch(cluster.layout.apiAddresses())) {
      if (spec.gate() == RedGate.NONE) {
        // a red gate's run keeps the load it was calibrated with (its bug must show in 3 runs)
        watch.start();
      }
      return runLoad(spec, cluster, faults, register, set, bank, watch, violations);
    }
  }

  private static Result runLoad(
      Spec spec,
      ProcessCluster cluster,
      Faults faults,
      RegisterWorkload register,
      SetWorkload set,
      BankWorkload bank,
      SetWatch watch,
      List<String> violations)
      throws Exception {
    ExecutorService load = Executors.newFixedThreadPool(3);
    long loadStart = System.nanoTime();
    Future<?> registers =
        load.submit(
            () -> {
              register.run(4, spec.load(), 40_000);
              return null;
            });
    Future<?> inserts =
        load.submit(
            () -> {
              set.run(2, spec.load(), 20_000);
              return null;
            });
    Future<?> transfers =
        load.submit(
            () -> {
              if (spec.gate() == RedGate.NONE) {
                bank.run(2, spec.load(), 10_000);
              }
              return null;
            });
    load.shutdown();
    long nemesisUntil = loadStart + spec.load().toNanos() - 4_000_000_000L;
    try {
      spec.scenario().nemesis(faults, new Random(spec.seed()), nemesisUntil);
    } catch (Exception | AssertionError e) {
      violations.add("the nemesis failed: " + e);
    }
    Set<Integer> exited = faults.selfExited();
    if (!exited.isEmpty() && !spec.scenario().allowsSelfExit()) {
      for (int i : exited) {
        violations.add(
            cluster.layout.ids.get(i)
                + " exited by itself; its log ends: "
                + NodeLog.firstProblem(cluster.logTail(i, 200)));
      }
    }
    try {
      faults.restoreAll();
    } catch (Exception | AssertionError e) {
      violations.add("the faults could not be repaired: " + e);
    }
    registers.get(spec.load().toSeconds() + 120, TimeUnit.SECONDS);
    inserts.get(60, TimeUnit.SECONDS);
    transfers.get(60, TimeUnit.SECONDS);
    long loadEnd = Math.min(System.nanoTime(), loadStart + spec.load().toNanos());

    // A cluster that does not come back is a verdict too (a red gate may leave one that cannot),
    // and the histories are still checked.
    try {
      cluster.awaitLeader(60_000);
      List<String> digests = cluster.digestsWhenQuiet(120_000);
      if (new TreeSet<>(digests).size() != 1) {
        violations.add("state digests differ once quiet (SPEC §8.7): " + digests);
      }
    } catch (AssertionError e) {
      violations.add(
          "the cluster did not recover after the faults were repaired: " + e.getMessage());
      for (int i = 0; i < cluster.size(); i++) {
        if (!cluster.isAlive(i)) {
          violations.add(
              cluster.layout.ids.get(i)
                  + " is not running; its log ends: "
                  + NodeLog.firstProblem(cluster.logTail(i, 200)));
        }
      }
    }
    List<RegisterChecker.Verdict> verdicts = register.check();
    for (RegisterChecker.Verdict v : verdicts) {
      if (!v.decided()) {
        violations.add(
            "register "
                + v.key()
                + " is undecided: the search ran out of its state budget (RegisterChecker)");
      } else if (!v.linearizable()) {
        violations.add(
            "register "
                + v.key()
                + " is not linearizable [R-LIN]; a failing sub-history of "
                + v.witness().size()
                + " operations"
                + (v.witness().size() <= 12 ? ": " + v.witness() : " (in summary.txt)"));
      }
    }
    violations.addAll(firstOf(set.violations(cluster), 10));
    if (spec.gate() == RedGate.NONE) {
      violations.addAll(firstOf(bank.violations(cluster), 10));
      long setAcked = set.history().maxAckedIndex();
      if (!watch.awaitProgress(setAcked, 60_000) && !watch.summary().contains("watch_refused")) {
        violations.add(
            "the watch of the set did not reach index " + setAcked + ": " + watch.summary());
      }
      violations.addAll(firstOf(watch.violations(set.history()), 10));
    }
    String workloads =
        "bank_ok="
            + bank.acked()
            + " bank_refused="
            + bank.refused()
            + " bank_unknown="
            + bank.unknown()
            + " "
            + watch.summary();
    if (faults.metrics().getOrDefault("flip_exit_unnamed", 0L) > 0) {
      violations.add(
          "a node that could not start on a damaged log did not name AERO_STORAGE_CORRUPTION"
              + " (SPEC §5)");
    }
    long noRecovery = faults.metrics().getOrDefault("no_recovery", 0L);
    if (noRecovery > 0) {
      violations.add(noRecovery + " fault(s) after which no write was acknowledged in time");
    }
    violations.addAll(progress(register, set));
    long longest = longestUnavailableMs(register, set, loadStart, loadEnd);
    Result partial =
        new Result(spec, cluster, register, set, faults, verdicts, violations, longest, workloads);
    violations.addAll(firstOf(spec.scenario().check(partial), 10));
    violations.addAll(storeAudits(cluster));
    return new Result(
        spec,
        cluster,
        register,
        set,
        faults,
        verdicts,
        List.copyOf(violations),
        longest,
        workloads);
  }

  /**
   * Stops every node (SIGTERM to all, SIGKILL after 15 s: either leaves a consistent store) and
   * audits its store offline; one line per node whose store has a problem, with the first few. A
   * node that needed the SIGKILL is reported on stderr, not judged here (shutdown is not what a
   * scenario checks); one that survives even that is not audited and is a violation.
   */
  private static List<String> storeAudits(ProcessCluster cluster) throws Exception {
    List<String> problems = new ArrayList<>();
    List<String> killed = cluster.stopAll();
    if (!killed.isEmpty()) {
      System.err.println("fault run: " + killed + " did not stop within 15 s of SIGTERM");
    }
    for (int i = 0; i < cluster.size(); i++) {
      String id = cluster.layout.ids.get(i);
      if (cluster.isAlive(i)) {
        problems.add(id + " survived SIGTERM and SIGKILL: its store was not audited");
        continue;
      }
      Path store = DataDirectory.storeDir(cluster.dataDir(i));
      if (!Files.isDirectory(store)) {
        continue; // the node never started
      }
      try (RocksKvStore s = RocksKvStore.openReadOnly(store)) {
        StoreAudit.Report r = StoreAudit.audit(s, 3);
        if (!r.ok()) {
          problems.add(
              id
                  + "'s store fails its audit: "
                  + r.problemCount()
                  + " problem(s): "
                  + r.problems());
        }
      } catch (RuntimeException e) {
        problems.add(id + "'s store cannot be audited: " + e.getMessage());
      }
    }
    return problems;
  }

  /** The first {@code n} problems, and how many more there were (a history can have thousands). */
  private static List<String> firstOf(List<String> problems, int n) {
    if (problems.size() <= n) {
      return problems;
    }
    List<String> out = new ArrayList<>(problems.subList(0, n));
    out.add("... and " + (problems.size() - n) + " more like these");
    return out;
  }

  private static List<String> progress(RegisterWorkload register, SetWorkload set) {
    long okWrites = 0;
    long okReads = 0;
    for (Recorded r : register.history()) {
      if (r.op().kind() == Kind.OK && r.op().process() >= 0) {
        if (r.op().write()) {
          okWrites++;
        } else {
          okReads++;
        }
      }
    }
    long acked = set.history().count(History.Outcome.ACKED);
    List<String> problems = new ArrayList<>();
    if (okWrites < 20 || okReads < 20 || acked < 20) {
      problems.add(
          "too little happened to prove anything: "
              + okWrites
              + " register writes, "
              + okReads
              + " reads, "
              + acked
              + " inserts acknowledged (at least 20 each)");
    }
    return problems;
  }

  /** The longest time within the load in which no write of either workload was acknowledged. */
  static long longestUnavailableMs(
      RegisterWorkload register, SetWorkload set, long loadStart, long loadEnd) {
    List<Long> acks = new ArrayList<>();
    for (Recorded r : register.history()) {
      if (r.op().write() && r.op().kind() == Kind.OK && r.op().process() >= 0) {
        acks.add(r.op().completeNanos());
      }
    }
    for (History.Op op : set.history().all()) {
      if (op.outcome() == History.Outcome.ACKED) {
        acks.add(op.doneNanos());
      }
    }
    acks.add(loadEnd);
    acks.sort(null);
    long previous = loadStart;
    long longest = 0;
    for (long t : acks) {
      if (t >= loadStart && t <= loadEnd) {
        longest = Math.max(longest, t - previous);
        previous = t;
      }
    }
    return longest / 1_000_000;
  }
}
