package io.aerodb.node.testing;

import io.aerodb.core.error.AeroError;
import io.aerodb.node.config.NodeConfigLoader;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.MemberView;
import io.aerodb.node.server.AeroNode;
import io.aerodb.proto.v1.NodeStatusReply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * n real AeroNodes (real Ratis over gRPC on loopback, real RocksDB, real API servers) in this JVM.
 * Stopping a node closes it (a clean stop, not a crash: crash tests use real processes, see
 * ProcessCluster).
 */
public final class InProcessCluster implements AutoCloseable {
  public final ClusterLayout layout;
  private final List<AeroNode> nodes = new ArrayList<>();
  public final List<AeroError> fatals = new CopyOnWriteArrayList<>();

  public InProcessCluster(Path root, int n) throws Exception {
    this(root, n, 5_000);
  }

  /** A cluster whose reads "at least index N" wait at most {@code readTimeoutMs} for N. */
  public InProcessCluster(Path root, int n, int readTimeoutMs) throws Exception {
    this(root, n, readTimeoutMs, "");
  }

  /**
   * A cluster whose nodes' "raft" config objects get {@code raftExtra} (see {@link
   * ClusterLayout#raftExtra}).
   */
  public InProcessCluster(Path root, int n, int readTimeoutMs, String raftExtra) throws Exception {
    this(
        root,
        n,
        l -> {
          l.readTimeoutMs = readTimeoutMs;
          l.raftExtra = raftExtra;
        });
  }

  /** A cluster whose layout {@code setup} adjusts before any node starts. */
  public InProcessCluster(Path root, int n, java.util.function.Consumer<ClusterLayout> setup)
      throws Exception {
    this.layout = new ClusterLayout(root, "inproc", n);
    setup.accept(layout);
    for (int i = 0; i < n; i++) {
      nodes.add(null);
      start(i);
    }
  }

  public void start(int i) throws Exception {
    nodes.set(i, AeroNode.start(NodeConfigLoader.load(layout.writeConfig(i)), fatals::add));
  }

  /** Starts a new node in join mode (it waits to be added with add-learner); returns its index. */
  public int startJoiner() throws Exception {
    int i = layout.addJoiner();
    nodes.add(null);
    start(i);
    return i;
  }

  public int size() {
    return nodes.size();
  }

  public void stop(int i) {
    AeroNode n = nodes.get(i);
    if (n != null) {
      n.close();
      nodes.set(i, null);
    }
  }

  public AeroNode node(int i) {
    return nodes.get(i);
  }

  /** Waits for exactly one running node to be leader and every running node to know it. */
  public int awaitLeader(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<Integer> leader = leaderIndex();
      if (leader.isPresent()) {
        return leader.get();
      }
      Thread.sleep(50); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError("no leader within " + timeoutMs + " ms");
  }

  /**
   * Waits until the leader {@code leader}'s view has {@code followerId}'s match index at its commit
   * index: a write is acknowledged once a majority holds it, so one follower may still lack it.
   */
  public void awaitMatched(int leader, String followerId, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<ClusterView> view = nodes.get(leader).leaderView();
      if (view.isPresent()) {
        MemberView m = view.get().members().get(followerId);
        if (m != null && m.matchIndex() >= view.get().commitIndex()) {
          return;
        }
      }
      Thread.sleep(20); // poll interval of a loop on the condition, bounded by its deadline
    }
    throw new AssertionError(followerId + " did not match the leader within " + timeoutMs + " ms");
  }

  private Optional<Integer> leaderIndex() {
    Integer leader = null;
    String leaderId = null;
    for (int i = 0; i < nodes.size(); i++) {
      AeroNode n = nodes.get(i);
      if (n == null) {
        continue;
      }
      NodeStatusReply s = n.status();
      if (s.getMembership().equals("NONE")) {
        continue; // a joiner that was not added (or a removed node)
      }
      if (s.getRole().equals("LEADER")) {
        if (leader != null) {
          return Optional.empty();
        }
        leader = i;
      }
      if (s.getLeaderId().isEmpty() || (leaderId != null && !leaderId.equals(s.getLeaderId()))) {
        return Optional.empty();
      }
      leaderId = s.getLeaderId();
    }
    return Optional.ofNullable(leader);
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.size(); i++) {
      stop(i);
    }
  }
}
