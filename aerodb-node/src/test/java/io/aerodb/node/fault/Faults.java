package io.aerodb.node.fault;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.node.testing.PowerDisk;
import io.aerodb.node.testing.ProcessCluster;
import io.aerodb.node.testing.TmpfsDisk;
import io.aerodb.proto.v1.NodeStatusReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nemesis's hands on a {@link ProcessCluster}: real signals (SIGKILL, SIGSTOP/SIGCONT,
 * SIGTERM), real partitions ({@link io.aerodb.node.testing.Network}), leadership transfers. It
 * keeps track of which nodes are down or paused so that {@link #restoreAll} can make the cluster
 * whole again, and records every fault as an {@link Event} (monotonic time, what, which nodes) for
 * the history file and for scenario checks. Figures a scenario measures (time until the majority
 * serves, transfers refused, ...) go into {@link #metrics}, reports into {@link #notes}.
 */
public final class Faults {
  /** One fault or repair, at a monotonic time. */
  public record Event(long nanos, String what, Set<Integer> nodes) {}

  private final ProcessCluster cluster;
  private final long startNanos;
  private final Set<Integer> down = new TreeSet<>();
  private final Set<Integer> paused = new TreeSet<>();
  private boolean partitioned;
  private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Long> metrics = Collections.synchronizedMap(new TreeMap<>());
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
  private final List<TmpfsDisk> disks;
  private final List<PowerDisk> powerDisks;
  private java.util.function.LongSupplier lastAckNanos = () -> Long.MIN_VALUE;
  private int probes;

  /**
   * {@code disks} / {@code powerDisks}: node i's data directory disk at index i, or empty if they
   * are plain.
   */
  public Faults(ProcessCluster cluster, List<TmpfsDisk> disks, List<PowerDisk> powerDisks) {
    this.cluster = cluster;
    this.disks = List.copyOf(disks);
    this.powerDisks = List.copyOf(powerDisks);
    this.startNanos = System.nanoTime();
  }

  /**
   * A power cut of {@code nodes} at once: the power goes on all their disks at one instant (nothing
   * becomes durable after it, not even an fsync in flight), each process is killed (SIGKILL), then
   * its disk drops everything that was not fsynced ({@link PowerDisk}) and is mounted again. The
   * nodes stay down until restarted. Adds what was dropped to {@code dropped_bytes}, {@code
   * dropped_files} and {@code undone_names}.
   */
  public void powerCut(Set<Integer> nodes) throws Exception {
    if (powerDisks.isEmpty()) {
      throw new IllegalStateException("this run has no power-failure disks");
    }
    List<PowerDisk> off = new ArrayList<>();
    for (int i : nodes) {
      off.add(powerDisks.get(i));
    }
    PowerDisk.powerOff(off);
    for (int i : nodes) {
      if (unpause(i)) {
        cluster.resume(i);
      }
      if (!down.contains(i)) {
        cluster.kill9(i);
      }
    }
    long bytes = 0;
    for (int i : nodes) {
      PowerDisk.Cut cut = powerDisks.get(i).cut();
      add("dropped_bytes", cut.bytes());
      add("dropped_files", cut.files());
      add("undone_names", cut.names());
      bytes += cut.bytes();
    }
    synchronized (this) {
      down.addAll(nodes);
    }
    event("power cut (" + bytes + " unsynced bytes dropped)", nodes);
  }

  /** Node i's tmpfs data disk (only for scenarios that asked for them). */
  public TmpfsDisk disk(int i) {
    if (disks.isEmpty()) {
      throw new IllegalStateException("this run has no tmpfs disks");
    }
    return disks.get(i);
  }

  /** Where {@link #awaitFreshAck} learns when the workload last had a write acknowledged. */
  public void lastAckFrom(java.util.function.LongSupplier supplier) {
    this.lastAckNanos = supplier;
  }

  /**
   * Waits (at most {@code timeoutMs}) until a write was acknowledged less than {@code freshMs} ago:
   * a power cut right after an acknowledgement hits the window in which a node that acknowledges
   * before its fsync finished would lose it. Returns whether it saw one.
   */
  public boolean awaitFreshAck(long freshMs, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (System.nanoTime() - lastAckNanos.getAsLong() < freshMs * 1_000_000) {
        return true;
      }
      Thread.sleep(1); // poll interval of a loop on the condition, bounded by its deadline
    }
    return false;
  }

  /** Books node i as down because its process exited by itself (reported by the caller). */
  public synchronized void exited(int i) {
    down.add(i);
    event("exited by itself", Set.of(i));
  }

  /**
   * Nodes the books say are up whose process is gone: they exited by themselves. Each is booked as
   * down (so {@link #restoreAll} restarts it) and returned.
   */
  public synchronized Set<Integer> selfExited() {
    Set<Integer> gone = new TreeSet<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (!down.contains(i) && !cluster.isAlive(i)) {
        gone.add(i);
        exited(i);
      }
    }
    return gone;
  }

  public ProcessCluster cluster() {
    return cluster;
  }

  public int size() {
    return cluster.size();
  }

  public synchronized Set<Integer> up() {
    Set<Integer> up = new TreeSet<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (!down.contains(i) && !paused.contains(i)) {
        up.add(i);
      }
    }
    return up;
  }

  private void event(String what, Set<Integer> nodes) {
    event(System.nanoTime(), what, nodes);
  }

  private void event(long nanos, String what, Set<Integer> nodes) {
    events.add(new Event(nanos, what, Collections.unmodifiableSet(new TreeSet<>(nodes))));
    List<String> ids = new ArrayList<>();
    for (int i : new TreeSet<>(nodes)) {
      ids.add(cluster.layout.ids.get(i));
    }
    System.out.printf(
        "nemesis +%dms %s %s%n", (System.nanoTime() - startNanos) / 1_000_000, what, ids);
  }

  /**
   * The node that leads among the nodes that are up and answer (the highest term wins if a deposed
   * leader still believes it leads); -1 if none is found within {@code timeoutMs}.
   */
  public int leader(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    do {
      int best = -1;
      long bestTerm = -1;
      for (int i : up()) {
        Optional<NodeStatusReply> s = cluster.status(i);
        if (s.isPresent() && s.get().getRole().equals("LEADER") && s.get().getTerm() > bestTerm) {
          best = i;
          bestTerm = s.get().getTerm();
        }
      }
      if (best >= 0) {
        return best;
      }
      Thread.sleep(50); // poll interval of a loop on the condition, bounded by its deadline
    } while (System.nanoTime() < deadline);
    return -1;
  }

  public void kill(int i) throws Exception {
    if (unpause(i)) {
      cluster.resume(i); // a stopped process dies of SIGKILL too, but keep the books simple
    }
    cluster.kill9(i);
    synchronized (this) {
      down.add(i);
    }
    event("kill -9", Set.of(i));
  }

  /** SIGTERM and wait: a clean stop. */
  public void terminate(int i) throws Exception {
    cluster.terminate(i);
    synchronized (this) {
      down.add(i);
    }
    event("terminate", Set.of(i));
  }

  public void restart(int i) throws Exception {
    cluster.start(i);
    synchronized (this) {
      down.remove(i);
    }
    event("restart", Set.of(i));
  }

  /** Books node i as no longer paused; whether it was. */
  private synchronized boolean unpause(int i) {
    return paused.remove(i);
  }

  public void killAll() throws Exception {
    Set<Integer> all = new TreeSet<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (!down.contains(i)) {
        if (unpause(i)) {
          cluster.resume(i);
        }
        cluster.kill9(i);
        all.add(i);
      }
    }
    synchronized (this) {
      down.addAll(all);
    }
    event("kill -9 all", all);
  }

  public void pause(int i) throws Exception {
    cluster.pause(i);
    synchronized (this) {
      paused.add(i);
    }
    event("SIGSTOP", Set.of(i));
  }

  public void resume(int i) throws Exception {
    cluster.resume(i);
    synchronized (this) {
      paused.remove(i);
    }
    event("SIGCONT", Set.of(i));
  }

  /** Cuts every link between {@code side} and the other nodes (both directions). */
  public void partition(Set<Integer> side) throws IOException {
    cluster.network().partition(side);
    partitioned = true;
    event("partition", side);
  }

  /** Cuts each pair's links (both directions); pairs are {a, b} arrays. */
  public void cut(List<int[]> pairs, String what) throws IOException {
    Set<Integer> touched = new TreeSet<>();
    for (int[] p : pairs) {
      cluster.network().cut(p[0], p[1]);
      touched.add(p[0]);
      touched.add(p[1]);
    }
    partitioned = true;
    event(what, touched);
  }

  /** Heals every partition; the event's time is taken before the rules go, a cut's after. */
  public void heal() throws IOException {
    long before = System.nanoTime();
    cluster.network().heal();
    partitioned = false;
    event(before, "heal", Set.of());
  }

  /** Heals the network, resumes every paused node and restarts every stopped one. */
  public void restoreAll() throws Exception {
    if (partitioned) {
      heal();
    }
    for (int i : new TreeSet<>(paused)) {
      resume(i);
    }
    for (int i : new TreeSet<>(down)) {
      restart(i);
    }
  }

  /**
   * Milliseconds from {@code sinceNanos} until a node outside {@code excluded} says it leads and
   * acknowledges a probe insert sent to it alone; -1 if not within {@code timeoutMs}. The probe
   * asks the roles itself: leader hints point at a cut-off leader until the majority has elected.
   */
  public long firstAckMs(Set<Integer> excluded, long sinceNanos, long timeoutMs)
      throws InterruptedException {
    AeroClient.Options quick =
        new AeroClient.Options(Duration.ofMillis(800), Duration.ofMillis(700), 1);
    while (System.nanoTime() - sinceNanos < timeoutMs * 1_000_000) {
      for (int i : up()) {
        if (excluded.contains(i)) {
          continue;
        }
        Optional<NodeStatusReply> s = cluster.status(i);
        if (s.isEmpty() || !s.get().getRole().equals("LEADER")) {
          continue;
        }
        try (AeroClient probe = AeroClient.connect(List.of(cluster.layout.apiAddress(i)), quick)) {
          probe.insert(
              RegisterWorkload.COLLECTION,
              "{\"_id\":\"probe-" + nextProbe() + "\",\"name\":\"p\"}");
          return (System.nanoTime() - sinceNanos) / 1_000_000;
        } catch (AeroClientException e) {
          // not yet: it may have lost the lead meanwhile
        }
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    return -1;
  }

  /** A number no probe or filler document of this run used before. */
  public synchronized int nextProbe() {
    return probes++;
  }

  /** Records the largest value seen for a figure (e.g. the slowest recovery of a run). */
  public void max(String metric, long value) {
    metrics.merge(metric, value, Math::max);
  }

  public void add(String metric, long value) {
    metrics.merge(metric, value, Long::sum);
  }

  public void note(String text) {
    notes.add(text);
    System.out.println("nemesis note: " + text);
  }

  public List<Event> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  public Map<String, Long> metrics() {
    synchronized (metrics) {
      return new TreeMap<>(metrics);
    }
  }

  public List<String> notes() {
    synchronized (notes) {
      return List.copyOf(notes);
    }
  }
}
