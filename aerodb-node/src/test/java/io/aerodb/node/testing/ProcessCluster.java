package io.aerodb.node.testing;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.ClusterViewReply;
import io.aerodb.proto.v1.ClusterViewRequest;
import io.aerodb.proto.v1.FollowerProgress;
import io.aerodb.proto.v1.NodeStatusReply;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * n AeroDB nodes as real JVM processes on loopback, controlled by PID with real signals: SIGKILL
 * (kill -9), SIGSTOP/SIGCONT, SIGTERM. Each node logs to root/&lt;id&gt;.log. Every process started
 * is stopped by its PID in {@link #close}.
 */
public final class ProcessCluster implements AutoCloseable {
  public final ClusterLayout layout;
  private final List<Process> processes = new ArrayList<>();
  private final AeroClient statusClient;

  /** Extra JVM arguments of every node started from now on (e.g. a red gate's switch). */
  public final List<String> nodeJvmArgs = new ArrayList<>();

  /** Real partitions between the nodes, when {@link #withNetwork} was called before starting. */
  private Network network;

  public ProcessCluster(Path root, int n) throws IOException {
    this.layout = new ClusterLayout(root, "proc", n);
    for (int i = 0; i < n; i++) {
      processes.add(null);
    }
    this.statusClient = AeroClient.connect(layout.apiAddresses());
  }

  /** Adds a node in join mode (ClusterLayout.addJoiner), starts it and returns its index. */
  public int startJoiner() throws IOException {
    int i = layout.addJoiner();
    processes.add(null);
    start(i);
    return i;
  }

  public void startAll() throws IOException {
    for (int i = 0; i < processes.size(); i++) {
      start(i);
    }
  }

  /**
   * Starts every node from now on in its own cgroup so that {@link #network()} can partition them
   * (nftables; needs root — see {@link Network#available}). Removed in {@link #close}.
   */
  public ProcessCluster withNetwork(String group) throws IOException {
    this.network = new Network(group, layout.raftPorts, layout.apiPorts);
    return this;
  }

  public Network network() {
    if (network == null) {
      throw new IllegalStateException("withNetwork was not called");
    }
    return network;
  }

  public Process start(int i) throws IOException {
    Path config = layout.writeConfig(i);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    if (network != null) {
      cmd.addAll(network.launchPrefix(i));
    }
    cmd.addAll(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(nodeJvmArgs);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.aerodb.node.cli.AeroCli",
            "node",
            "--config",
            config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    File log = layout.root.resolve(layout.ids.get(i) + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    Process p = pb.start();
    processes.set(i, p);
    return p;
  }

  /**
   * Runs a second node process on node i's config and data directory; returns its exit code and
   * output.
   */
  public String startDuplicateAndCollect(int i) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.aerodb.node.cli.AeroCli",
                "node",
                "--json",
                "--config",
                layout.root.resolve(layout.ids.get(i) + ".json").toString())
            .redirectErrorStream(false)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      signal(p.pid(), "KILL");
      throw new AssertionError("duplicate node did not exit");
    }
    return p.exitValue() + " " + new String(p.getInputStream().readAllBytes()).trim();
  }

  /** Runs the aerodb CLI in a separate JVM; returns "exit stdout". Bounded to 120 s. */
  public String runCli(String... args) throws Exception {
    return runCliProcess(args);
  }

  /** Starts the aerodb CLI in a separate JVM (output discarded); the caller stops it by its PID. */
  public static Process startCliProcess(String... args) throws IOException {
    return new ProcessBuilder(cliCommand(args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Runs the aerodb CLI in a separate JVM; returns "exit stdout". Bounded to 120 s. */
  public static String runCliProcess(String... args) throws Exception {
    Process p =
        new ProcessBuilder(cliCommand(args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      signal(p.pid(), "KILL");
      throw new AssertionError("aerodb " + List.of(args) + " did not finish");
    }
    return p.exitValue() + " " + new String(p.getInputStream().readAllBytes()).trim();
  }

  private static List<String> cliCommand(String... args) {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                "io.aerodb.node.cli.AeroCli"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  public Path configPath(int i) {
    return layout.root.resolve(layout.ids.get(i) + ".json");
  }

  public Path dataDir(int i) {
    return layout.root.resolve(layout.ids.get(i) + "-data");
  }

  public long pid(int i) {
    return processes.get(i).pid();
  }

  public boolean isAlive(int i) {
    return processes.get(i) != null && processes.get(i).isAlive();
  }

  /** kill -9: the process gets no chance to flush or clean up. */
  public void kill9(int i) throws Exception {
    Process p = processes.get(i);
    signal(p.pid(), "KILL");
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("node " + layout.ids.get(i) + " survived SIGKILL");
    }
  }

  /** SIGTERM: the node shuts down in order; waits until it exited. */
  public void terminate(int i) throws Exception {
    Process p = processes.get(i);
    signal(p.pid(), "TERM");
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      signal(p.pid(), "KILL");
      p.waitFor(15, TimeUnit.SECONDS);
      throw new AssertionError("node " + layout.ids.get(i) + " ignored SIGTERM for 30 s");
    }
  }

  /** The number of nodes of the layout (started or not). */
  public int size() {
    return processes.size();
  }

  public void pause(int i) throws Exception {
    signal(pid(i), "STOP");
  }

  public void resume(int i) throws Exception {
    signal(pid(i), "CONT");
  }

  private static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (k.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + pid + " failed");
    }
  }

  public Optional<NodeStatusReply> status(int i) {
    try {
      return Optional.of(
          statusClient.admin().nodeStatus(layout.apiAddress(i), Duration.ofSeconds(2)));
    } catch (AeroClientException e) {
      return Optional.empty();
    }
  }

  /**
   * Waits until exactly one live node is LEADER and all live nodes agree on it; returns its index.
   */
  public int awaitLeader(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Integer leader = null;
      String leaderId = null;
      boolean agreed = true;
      for (int i = 0; i < processes.size() && agreed; i++) {
        if (!isAlive(i)) {
          continue;
        }
        Optional<NodeStatusReply> s = status(i);
        if (s.isEmpty() || s.get().getLeaderId().isEmpty()) {
          agreed = false;
          break;
        }
        if (leaderId != null && !leaderId.equals(s.get().getLeaderId())) {
          agreed = false;
        }
        leaderId = s.get().getLeaderId();
        if (s.get().getRole().equals("LEADER")) {
          leader = leader == null ? i : -1;
        }
      }
      if (agreed && leader != null && leader >= 0) {
        return leader;
      }
      Thread.sleep(100); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError(
        "no agreed leader within " + timeoutMs + " ms; logs in " + layout.root);
  }

  /** Waits until every live node applied the same index, then returns that index. */
  public long awaitConverged(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Long applied = null;
      boolean same = true;
      for (int i = 0; i < processes.size(); i++) {
        if (processes.get(i) != null && !processes.get(i).isAlive()) {
          // a node that exited cannot converge: no point waiting out the deadline
          throw new AssertionError(
              "nodes cannot converge: " + layout.ids.get(i) + " is not running");
        }
        Optional<NodeStatusReply> s = status(i);
        if (s.isEmpty()) {
          same = false;
          break;
        }
        if (applied != null && applied != s.get().getAppliedIndex()) {
          same = false;
        }
        applied = s.get().getAppliedIndex();
      }
      if (same && applied != null) {
        return applied;
      }
      Thread.sleep(100); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("nodes did not converge within " + timeoutMs + " ms");
  }

  /**
   * Waits until the applied index stops moving and every node has applied it, then returns the
   * state digest of each node at that index (one entry per node, in node order): equal digests mean
   * equal states.
   */
  public List<String> digestsWhenQuiet(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    long previous = -1;
    while (System.nanoTime() < deadline) {
      long converged = awaitConverged(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (converged == previous) {
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
          Optional<NodeStatusReply> s = status(i);
          digests.add(
              s.map(r -> r.getAppliedIndex() + ":" + r.getStateDigest()).orElse("unreachable"));
        }
        return digests;
      }
      previous = converged;
      Thread.sleep(500); // the quiet interval: the index must not move in it (bounded by deadline)
    }
    throw new AssertionError("the applied index never stopped moving within " + timeoutMs + " ms");
  }

  /**
   * Waits until the leader {@code leader}'s view has {@code followerId}'s match index at its commit
   * index: a write is acknowledged once a majority holds it, so one follower may still lack it.
   */
  public void awaitMatched(int leader, String followerId, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<ClusterViewReply> view = clusterView(leader);
      if (view.isPresent()) {
        for (FollowerProgress f : view.get().getFollowersList()) {
          if (f.getId().equals(followerId) && f.getMatchIndex() >= view.get().getCommitIndex()) {
            return;
          }
        }
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError(followerId + " did not match the leader within " + timeoutMs + " ms");
  }

  /**
   * Node {@code i}'s cluster view (followers' progress when it leads); empty if it does not answer.
   */
  public Optional<ClusterViewReply> clusterView(int i) {
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(layout.apiAddress(i)).usePlaintext().build();
    try {
      return Optional.of(
          ClusterServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .clusterView(ClusterViewRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    } finally {
      ch.shutdownNow();
    }
  }

  /** The size of node i's log file now (to read what it logs from here on: {@link #logFrom}). */
  public long logSize(int i) {
    try {
      return Files.size(layout.root.resolve(layout.ids.get(i) + ".log"));
    } catch (IOException e) {
      return 0;
    }
  }

  /** What node i logged from byte {@code offset} of its log file on. */
  public String logFrom(int i, long offset) {
    try {
      byte[] all = Files.readAllBytes(layout.root.resolve(layout.ids.get(i) + ".log"));
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String logTail(int i, int lines) {
    try {
      List<String> all = Files.readAllLines(layout.root.resolve(layout.ids.get(i) + ".log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Stops every running node by its PID, all at once: SIGCONT (in case it is paused) and SIGTERM to
   * each, then SIGKILL to any still running 15 s later. Returns the ids that needed the SIGKILL.
   */
  public List<String> stopAll() throws IOException, InterruptedException {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        signal(p.pid(), "CONT");
        signal(p.pid(), "TERM");
      }
    }
    List<String> killed = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      if (p != null && !p.waitFor(15, TimeUnit.SECONDS)) {
        signal(p.pid(), "KILL");
        p.waitFor(15, TimeUnit.SECONDS);
        killed.add(layout.ids.get(i));
      }
    }
    return killed;
  }

  /** Stops every node process by its PID ({@link #stopAll}), then removes the network rules. */
  @Override
  public void close() throws IOException {
    statusClient.close();
    try {
      stopAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (Process p : processes) {
        if (p != null) {
          p.destroyForcibly();
        }
      }
    } finally {
      if (network != null) {
        network.close();
      }
    }
  }
}
