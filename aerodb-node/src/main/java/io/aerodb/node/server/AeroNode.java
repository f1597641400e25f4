package io.aerodb.node.server;

import io.aerodb.core.command.AppliedState;
import io.aerodb.core.command.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.api.ClusterServiceImpl;
import io.aerodb.node.api.DocumentServiceImpl;
import io.aerodb.node.api.QueryServiceImpl;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.config.Peer;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.RaftEvents;
import io.aerodb.ratis.RaftSettings;
import io.aerodb.ratis.RatisConfig;
import io.aerodb.ratis.RatisMetrics;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AeroDB node: data directory lock, RocksDB store and engine, the Ratis server around the state
 * machine, and the gRPC API server. Start order is the order of trust: config (already validated) →
 * lock and identity → store → Raft (RECOVER: replays the log after the store's applied index) →
 * client API. Stop is the reverse.
 */
public final class AeroNode implements NodeContext, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AeroNode.class);

  private final NodeConfig config;
  private final FatalHandler fatalHandler;
  private final DataDirectory dataDir;
  private final Engine engine;
  private final AeroStateMachine stateMachine;
  private final RaftGroupId groupId;
  private final RaftServer raftServer;
  private final RaftGateway gateway;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server apiServer;
  private volatile Phase phase = Phase.STARTING;
  private volatile String failure = "";

  private AeroNode(NodeConfig config, FatalHandler fatalHandler)
      throws ConfigException, IOException {
    this.config = config;
    this.fatalHandler = fatalHandler;
    this.dataDir = DataDirectory.open(config); // refuses before any data file is touched
    Engine opened = null;
    RaftServer raft = null;
    try {
      RatisMetrics.install();
      opened = Engine.open(RocksKvStore.open(dataDir.storeDir()));
      this.engine = opened;
      this.stateMachine = new AeroStateMachine(engine, new Events(), config.queryLimits());
      this.groupId = groupId(config.clusterName());
      RatisConfig ratis =
          RatisConfig.server(
              new RaftSettings(
                  dataDir.raftDir(),
                  config.self().host(),
                  config.self().raftPort(),
                  config.electionTimeoutMinMs(),
                  config.electionTimeoutMaxMs(),
                  config.raftRequestTimeoutMs(),
                  config.logSync()));
      LOG.info("ratis settings {}", ratis.describe());
      raft =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(config.nodeId()))
              .setGroup(group(config, groupId))
              .setProperties(ratis.properties())
              .setStateMachine(stateMachine)
              .setOption(RaftStorage.StartupOption.RECOVER)
              .build();
      this.raftServer = raft;
      this.gateway = new RaftGateway(raftServer, groupId, stateMachine, config);
      this.apiServer =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(config.self().host(), config.self().apiPort()))
              .maxInboundMessageSize(config.requestBytesMax() + 64 * 1024)
              .addService(new DocumentServiceImpl(this))
              .addService(new ClusterServiceImpl(this))
              .addService(new QueryServiceImpl(this))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .build();
    } catch (IOException | RuntimeException e) {
      if (raft != null) {
        raft.close();
      }
      if (opened != null) {
        opened.close();
      }
      dataDir.close();
      throw e;
    }
  }

  /**
   * Starts a node; refuses with ConfigException before touching data if the data directory is
   * unusable.
   */
  public static AeroNode start(NodeConfig config, FatalHandler fatalHandler)
      throws ConfigException, IOException {
    AeroNode node = new AeroNode(config, fatalHandler);
    try {
      node.setHealth(false);
      node.raftServer.start();
      node.apiServer.start();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    node.phase = Phase.SERVING;
    AppliedState a = node.engine.applied();
    LOG.info(
        "node {} serving: api {} raft {} applied index {} data {}",
        config.nodeId(),
        config.self().apiAddress(),
        config.self().raftAddress(),
        a.index(),
        config.dataDir());
    return node;
  }

  static RaftGroupId groupId(String clusterName) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("aerodb-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8)));
  }

  private static RaftGroup group(NodeConfig config, RaftGroupId groupId) {
    List<RaftPeer> peers =
        config.peers().stream()
            .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build())
            .collect(Collectors.toList());
    return RaftGroup.valueOf(groupId, peers);
  }

  @Override
  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public NodeConfig config() {
    return config;
  }

  @Override
  public RaftGateway gateway() {
    return gateway;
  }

  public Phase phase() {
    return phase;
  }

  public int apiPort() {
    return apiServer.getPort();
  }

  @Override
  public long currentTerm() {
    try {
      return raftServer.getDivision(groupId).getInfo().getCurrentTerm();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public NodeStatusReply status() {
    NodeStatusReply.Builder b =
        NodeStatusReply.newBuilder()
            .setNodeId(config.nodeId())
            .setClusterName(config.clusterName())
            .setPhase(phase.name())
            .setStateDigest(engine.applied().digestHex());
    for (Peer p : config.peers()) {
      b.addMembers(
          Member.newBuilder()
              .setId(p.id())
              .setApiAddress(p.apiAddress())
              .setRaftAddress(p.raftAddress()));
    }
    try {
      RaftServer.Division d = raftServer.getDivision(groupId);
      DivisionInfo info = d.getInfo();
      b.setRole(info.getCurrentRole().name())
          .setTerm(info.getCurrentTerm())
          .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()))
          .setAppliedIndex(Math.max(0, info.getLastAppliedIndex()));
      RaftPeerId leader = info.getLeaderId();
      if (leader != null) {
        b.setLeaderId(leader.toString());
        config.peer(leader.toString()).ifPresent(p -> b.setLeaderAddress(p.apiAddress()));
      }
    } catch (IOException e) {
      b.setRole("UNKNOWN");
    }
    return b.build();
  }

  private void setHealth(boolean serving) {
    ServingStatus s = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", s);
    health.setStatus(DocumentServiceGrpc.SERVICE_NAME, s);
    health.setStatus(ClusterServiceGrpc.SERVICE_NAME, s);
    health.setStatus(QueryServiceGrpc.SERVICE_NAME, s);
  }

  /** Raft events → health and fatal handling. Called on Ratis threads; never blocks. */
  private final class Events implements RaftEvents {
    @Override
    public void leaderChanged(String leaderId) {
      LOG.info("node {} sees leader '{}' (term {})", config.nodeId(), leaderId, currentTerm());
      if (phase == Phase.SERVING || phase == Phase.STARTING) {
        setHealth(!leaderId.isEmpty());
      }
    }

    @Override
    public void serverShutdown() {
      if (phase == Phase.STOPPING) {
        return;
      }
      fail(
          AeroError.of(
              ErrorCode.AERO_STORAGE_IO,
              "the Raft server of node " + config.nodeId() + " stopped unexpectedly"));
    }

    @Override
    public void logFailed(Throwable cause) {
      fail(
          AeroError.of(
              ErrorCode.AERO_STORAGE_IO,
              "the Raft log of node " + config.nodeId() + " failed: " + cause));
    }
  }

  private void fail(AeroError error) {
    if (phase == Phase.FAILED || phase == Phase.STOPPING) {
      return;
    }
    phase = Phase.FAILED;
    failure = error.toString();
    setHealth(false);
    LOG.error("FATAL {}", error);
    fatalHandler.fatal(error);
  }

  /** The state machine (for tests and status). */
  public AeroStateMachine stateMachine() {
    return stateMachine;
  }

  /** The reason the node failed, or "". */
  public String failure() {
    return failure;
  }

  @Override
  public void close() {
    phase = Phase.STOPPING;
    setHealth(false);
    health.enterTerminalState();
    apiServer.shutdown();
    try {
      apiServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    apiServer.shutdownNow();
    try {
      raftServer.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing the Raft server of {}: {}", config.nodeId(), e.toString());
    }
    try {
      engine.close();
    } catch (AeroException e) {
      LOG.warn("closing the store of {}: {}", config.nodeId(), e.toString());
    }
    dataDir.close();
    LOG.info("node {} stopped", config.nodeId());
  }
}
