package io.aerodb.node.server;

import io.aerodb.core.engine.Engine;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.install.InstallProgress;
import io.aerodb.node.observe.Health;
import io.aerodb.node.observe.HealthMonitor;
import io.aerodb.node.raft.PeerDirectory;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.StoreInstall;
import io.aerodb.ratis.AeroStateMachine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Reads a node's status ({@code cluster status}, /v1/status, health): identity, phase, membership
 * and role, term, log range, commit and applied index, leader, snapshot and store figures, and the
 * health that follows from them. A pure read of the node's state, never a change [P4-1].
 */
final class NodeStatusReader {
  private final NodeConfig config;
  private final RaftDivision raft;
  private final PeerDirectory peers;
  private final Engine engine;
  private final AeroStateMachine stateMachine;
  private final LongSupplier storeBytes;
  private final LongSupplier requestsTotal;
  private final LongSupplier logBytes;
  private final InstallProgress install;
  private final java.util.function.Supplier<Engine.GcProgress> gc;

  NodeStatusReader(
      NodeConfig config,
      RaftDivision raft,
      PeerDirectory peers,
      Engine engine,
      AeroStateMachine stateMachine,
      LongSupplier storeBytes,
      LongSupplier requestsTotal,
      LongSupplier logBytes,
      InstallProgress install,
      java.util.function.Supplier<Engine.GcProgress> gc) {
    this.gc = gc;
    this.logBytes = logBytes;
    this.install = install;
    this.config = config;
    this.raft = raft;
    this.peers = peers;
    this.engine = engine;
    this.stateMachine = stateMachine;
    this.storeBytes = storeBytes;
    this.requestsTotal = requestsTotal;
  }

  /**
   * @param healthKnown false while the node is still being built (health is then "starting")
   */
  NodeStatusReply read(Phase phase, String metricsAddress, boolean healthKnown) {
    NodeStatusReply.Builder b =
        NodeStatusReply.newBuilder()
            .setNodeId(config.nodeId())
            .setClusterName(config.clusterName())
            .setPhase(phase.name())
            .setStateDigest(engine.applied().digestHex())
            .setRaftAddress(config.self().raftAddress());
    raft.division().ifPresentOrElse(d -> division(b, d), () -> b.setRole("UNKNOWN"));
    b.setSnapshotIndex(stateMachine.snapshotIndex())
        .setStoreBytes(storeBytes.getAsLong())
        .setRequestsTotal(requestsTotal.getAsLong())
        .setLogBytes(logBytes.getAsLong())
        .setInstall(install(install))
        .setGcFloor(engine.gcFloor())
        .setGcCollected(gc.get().collected())
        .setMetricsAddress(metricsAddress);
    NodeStatusReply partial = b.build();
    Health h =
        healthKnown
            ? HealthMonitor.evaluate(partial, config.readinessLagMax())
            : new Health(true, false, false, "starting");
    return partial.toBuilder()
        .setLive(h.live())
        .setServing(h.serving())
        .setReady(h.ready())
        .setNotReadyReason(h.reason())
        .build();
  }

  static StoreInstall install(InstallProgress p) {
    return StoreInstall.newBuilder()
        .setPhase(p.phase().name())
        .setSource(p.source())
        .setIndex(p.index())
        .setBytesReceived(p.bytesReceived())
        .setBytesTotal(p.bytesTotal())
        .setFilesDone(p.filesDone())
        .setFilesTotal(p.filesTotal())
        .setAttempts(p.attempts())
        .setFailures(p.failures())
        .setInstalls(p.installs())
        .setLastError(p.lastError())
        .setSendsActive(p.sendsActive())
        .build();
  }

  private void division(NodeStatusReply.Builder b, RaftServer.Division d) {
    RaftConfiguration conf = d.getRaftConf();
    String membership = "NONE";
    for (RaftPeerRole role : new RaftPeerRole[] {RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER}) {
      List<RaftPeer> ofRole = new ArrayList<>(conf.getCurrentPeers(role));
      ofRole.sort(Comparator.comparing(p -> p.getId().toString()));
      String name = role == RaftPeerRole.FOLLOWER ? "VOTER" : "LEARNER";
      for (RaftPeer p : ofRole) {
        String id = p.getId().toString();
        b.addMembers(
            Member.newBuilder()
                .setId(id)
                .setApiAddress(peers.apiAddress(id).orElse(""))
                .setRaftAddress(p.getAddress() == null ? "" : p.getAddress())
                .setRole(name));
        if (id.equals(config.nodeId())) {
          membership = name;
        }
      }
    }
    b.setMembership(membership);
    b.setLogStartIndex(Math.max(0, d.getRaftLog().getStartIndex()))
        .setLogLastIndex(
            d.getRaftLog().getLastEntryTermIndex() == null
                ? 0
                : d.getRaftLog().getLastEntryTermIndex().getIndex());
    DivisionInfo info = d.getInfo();
    b.setRole(membership.equals("LEARNER") ? "LEARNER" : info.getCurrentRole().name())
        .setTerm(info.getCurrentTerm())
        .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()))
        .setAppliedIndex(Math.max(0, info.getLastAppliedIndex()));
    if (info.getLeaderId() != null) {
      String leader = info.getLeaderId().toString();
      b.setLeaderId(leader);
      peers.apiAddress(leader).ifPresent(b::setLeaderAddress);
    }
  }
}
