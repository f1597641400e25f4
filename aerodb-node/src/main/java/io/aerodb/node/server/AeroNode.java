package io.aerodb.node.server;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.command.AppliedState;
import io.aerodb.core.command.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.api.AdminServiceImpl;
import io.aerodb.node.api.ClusterServiceImpl;
import io.aerodb.node.api.DocumentServiceImpl;
import io.aerodb.node.api.PeerServiceImpl;
import io.aerodb.node.api.QueryServiceImpl;
import io.aerodb.node.api.RequestGuard;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.events.EventType;
import io.aerodb.node.observe.Health;
import io.aerodb.node.observe.HealthMonitor;
import io.aerodb.node.observe.MetricsExporter;
import io.aerodb.node.observe.MetricsHttpServer;
import io.aerodb.node.observe.ObservableNode;
import io.aerodb.node.observe.RecoveryReport;
import io.aerodb.node.observe.RpcMetricsInterceptor;
import io.aerodb.node.promotion.AuthorityWriter;
import io.aerodb.node.promotion.ChangeGate;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.ClusterViewReader;
import io.aerodb.node.promotion.EpochRecorder;
import io.aerodb.node.promotion.MembershipCoordinator;
import io.aerodb.node.promotion.TransferCoordinator;
import io.aerodb.node.promotion.TransferState;
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
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
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
public final class AeroNode implements AdminContext, ObservableNode, AutoCloseable {
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
  private final MetricRegistry metrics = new MetricRegistry();
  private final EventLog events;
  private final PeerDirectory peers;
  private final ExecutorService adminExecutor;

  /**
   * Runs the client API's handlers: a fixed pool with a queue, not gRPC's default cached pool,
   * whose hand-off through a SynchronousQueue parks and wakes a thread for every call event
   * (measured: half of the leader's API-thread CPU and twice the context switches at 64 clients).
   * Handlers never block (every call is answered from a future), so a few threads per core suffice.
   */
  private final ExecutorService apiExecutor;

  /** Threads of {@link #apiExecutor}: {@code -Daerodb.api.executorThreads=N} for experiments. */
  static final int API_THREADS =
      Math.max(
          1,
          Integer.getInteger(
              "aerodb.api.executorThreads",
              Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));

  private static ExecutorService newApiExecutor(String nodeId) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return Executors.newFixedThreadPool(
        API_THREADS,
        r -> {
          Thread t = new Thread(r, "aerodb-api-" + nodeId + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private final TransferCoordinator transfers;
  private final MembershipCoordinator membership;
  private final EpochRecorder epochs;
  private final CompletableFuture<String> terminated = new CompletableFuture<>();
  private final RpcMetricsInterceptor rpcMetrics = new RpcMetricsInterceptor(metrics);
  private final HealthMonitor healthMonitor;
  private final MetricsHttpServer httpServer;
  private final ClusterViewReader views;
  private volatile long logStartAtStart;
  private volatile long logLastAtStart;
  private final AtomicLong lastSeenTerm = new AtomicLong();
  private volatile String lastSeenLeader = "";
  private volatile boolean removed;
  private volatile Phase phase = Phase.STARTING;
  private volatile String failure = "";

  private AeroNode(NodeConfig config, FatalHandler fatalHandler)
      throws ConfigException, IOException {
    this.config = config;
    this.fatalHandler = fatalHandler;
    this.dataDir = DataDirectory.open(config); // refuses before any data file is touched
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
      ctx.putProperty("node", config.nodeId()); // the "node" of every JSON log line (JsonLogLayout)
    }
    Engine opened = null;
    RaftServer raft = null;
    try {
      RatisMetrics.install();
      opened = Engine.open(RocksKvStore.open(dataDir.storeDir()));
      this.engine = opened;
      this.events = new EventLog(config.nodeId(), metrics, System::currentTimeMillis, 2048);
      this.peers = new PeerDirectory(config, engine);
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
      if (RedGate.UNSAFE_FLUSH.on()) {
        ratis.redGateUnsafeFlush();
      }
      LOG.atInfo()
          .addKeyValue("event", "STARTUP_PHASE")
          .addKeyValue("phase", "store-opened")
          .addKeyValue("storeAppliedIndex", engine.applied().index())
          .addKeyValue("dataDir", config.dataDir().toString())
          .log("store opened at applied index {}", engine.applied().index());
      LOG.atInfo()
          .addKeyValue("event", "CONFIG")
          .addKeyValue("nodeId", config.nodeId())
          .addKeyValue("clusterName", config.clusterName())
          .addKeyValue("api", config.self().apiAddress())
          .addKeyValue("raft", config.self().raftAddress())
          .addKeyValue("metricsPort", config.metricsPort())
          .addKeyValue("peers", config.peers().toString())
          .addKeyValue("join", config.join())
          .addKeyValue("ratis", ratis.describe().toString())
          .log("config and Ratis settings");
      raft =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(config.nodeId()))
              .setGroup(config.join() ? RaftGroup.valueOf(groupId) : group(config, groupId))
              .setProperties(ratis.properties())
              .setStateMachine(stateMachine)
              .setOption(RaftStorage.StartupOption.RECOVER)
              .build();
      this.raftServer = raft;
      this.gateway = new RaftGateway(raftServer, groupId, stateMachine, config, peers, metrics);
      this.apiExecutor = newApiExecutor(config.nodeId());
      this.adminExecutor =
          Executors.newFixedThreadPool(
              4,
              r -> {
                Thread t = new Thread(r, "aerodb-admin-" + config.nodeId());
                t.setDaemon(true);
                return t;
              });
      this.views =
          new ClusterViewReader(
              ClusterViewReader.divisionOf(raftServer, groupId),
              config.nodeId(),
              peers,
              // A follower silent for two maximal election timeouts is not a safe target.
              2 * config.electionTimeoutMaxMs());
      AuthorityWriter authority = new AuthorityWriter(gateway);
      ChangeGate gate = new ChangeGate();
      this.transfers =
          new TransferCoordinator(
              views, events, authority, raftServer, groupId, config.nodeId(), gate, adminExecutor);
      this.membership =
          new MembershipCoordinator(
              views,
              gate,
              events,
              authority,
              raftServer,
              groupId,
              config.nodeId(),
              config.clusterName(),
              Math.max(10_000, config.writeTimeoutMs()),
              adminExecutor);
      this.epochs =
          new EpochRecorder(
              config.nodeId(),
              engine,
              authority,
              events,
              this::currentTerm,
              adminExecutor,
              views,
              // One ask = one call with a short deadline; the recorder asks again until its bound.
              (node, request) -> gateway.askHandover(node, request, 300),
              dataDir.root().resolve(io.aerodb.node.recover.UnsafeRecovery.AUDIT_FILE));
      NettyServerBuilder api =
          NettyServerBuilder.forAddress(
              new InetSocketAddress(config.self().host(), config.self().apiPort()));
      if (Boolean.getBoolean("aerodb.api.directExecutor")) {
        api.directExecutor(); // performance experiment: handlers on the event loop (no hop)
      } else {
        api.executor(apiExecutor);
      }
      this.apiServer =
          api.maxInboundMessageSize(RequestGuard.TRANSPORT_BYTES_MAX)
              .intercept(new RequestGuard(config.nodeId(), config.requestBytesMax()))
              .intercept(rpcMetrics) // runs first: it also counts what the guard refuses
              .addService(new DocumentServiceImpl(this))
              .addService(new ClusterServiceImpl(this))
              .addService(new AdminServiceImpl(this))
              .addService(new QueryServiceImpl(this))
              .addService(new PeerServiceImpl(this))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .build();
      this.healthMonitor =
          new HealthMonitor(
              health,
              this::status,
              List.of(
                  DocumentServiceGrpc.SERVICE_NAME,
                  ClusterServiceGrpc.SERVICE_NAME,
                  QueryServiceGrpc.SERVICE_NAME,
                  io.aerodb.proto.v1.AdminServiceGrpc.SERVICE_NAME),
              config.readinessLagMax(),
              config.nodeId());
      this.httpServer =
          config.metricsPort() == 0
              ? null
              : new MetricsHttpServer(
                  config.metricsPort(),
                  config.nodeId(),
                  new MetricsExporter(this),
                  StatusRoutes.of(this));
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
    node.seedEventsFromHistory();
    try {
      node.raftServer.start();
      node.recordLogRange();
      phase(config, "raft-started", "log " + node.logStartAtStart + ".." + node.logLastAtStart);
      node.apiServer.start();
      if (node.httpServer != null) {
        node.httpServer.start();
      }
      phase(config, "api-started", config.self().apiAddress());
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    node.phase = Phase.SERVING;
    node.healthMonitor.start();
    AppliedState a = node.engine.applied();
    LOG.atInfo()
        .addKeyValue("event", "STARTUP_PHASE")
        .addKeyValue("phase", "serving")
        .addKeyValue("api", config.self().apiAddress())
        .addKeyValue("raft", config.self().raftAddress())
        .addKeyValue("metrics", node.metricsAddress())
        .addKeyValue("storeAppliedIndex", a.index())
        .log("node {} serving", config.nodeId());
    if (RedGate.ACTIVE != RedGate.NONE) {
      LOG.atError()
          .addKeyValue("event", "RED_GATE")
          .addKeyValue("gate", RedGate.ACTIVE.name())
          .log(
              "node {} runs with the red gate {}: it is deliberately broken",
              config.nodeId(),
              RedGate.ACTIVE);
    }
    return node;
  }

  private static void phase(NodeConfig config, String phase, String detail) {
    LOG.atInfo()
        .addKeyValue("event", "STARTUP_PHASE")
        .addKeyValue("phase", phase)
        .addKeyValue("detail", detail)
        .log("node {} {}: {}", config.nodeId(), phase, detail);
  }

  private void recordLogRange() {
    try {
      var log = raftServer.getDivision(groupId).getRaftLog();
      logStartAtStart = Math.max(0, log.getStartIndex());
      logLastAtStart =
          log.getLastEntryTermIndex() == null ? 0 : log.getLastEntryTermIndex().getIndex();
    } catch (IOException e) {
      logStartAtStart = 0;
      logLastAtStart = 0;
    }
  }

  private String metricsAddress() {
    return httpServer == null ? "" : "127.0.0.1:" + httpServer.port();
  }

  /** The Raft group of a cluster: a name-based UUID of "aerodb-cluster:" + clusterName. */
  public static RaftGroupId groupId(String clusterName) {
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
    b.setRaftAddress(config.self().raftAddress());
    try {
      RaftServer.Division d = raftServer.getDivision(groupId);
      RaftConfiguration conf = d.getRaftConf();
      String membership = "NONE";
      for (RaftPeerRole role : new RaftPeerRole[] {RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER}) {
        List<RaftPeer> ofRole = new ArrayList<>(conf.getCurrentPeers(role));
        ofRole.sort(java.util.Comparator.comparing(p -> p.getId().toString()));
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
      RaftPeerId leader = info.getLeaderId();
      if (leader != null) {
        b.setLeaderId(leader.toString());
        peers.apiAddress(leader.toString()).ifPresent(b::setLeaderAddress);
      }
    } catch (IOException e) {
      b.setRole("UNKNOWN");
    }
    b.setSnapshotIndex(stateMachine.snapshotIndex())
        .setStoreBytes(storeSizeBytes())
        .setRequestsTotal(rpcMetrics.total())
        .setMetricsAddress(metricsAddress());
    NodeStatusReply partial = b.build();
    Health h =
        healthMonitor == null
            ? new Health(true, false, false, "starting")
            : HealthMonitor.evaluate(partial, config.readinessLagMax());
    return partial.toBuilder()
        .setLive(h.live())
        .setServing(h.serving())
        .setReady(h.ready())
        .setNotReadyReason(h.reason())
        .build();
  }

  @Override
  public Optional<ClusterView> leaderView() {
    try {
      ClusterView v = views.read(transfers.workflow().requestId(), false);
      return v.selfIsLeader() ? Optional.of(v) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public long storeSizeBytes() {
    return engine.store() instanceof RocksKvStore r ? r.approximateSizeBytes() : 0;
  }

  @Override
  public Health health() {
    return healthMonitor == null
        ? new Health(true, false, false, "starting")
        : healthMonitor.current();
  }

  @Override
  public RecoveryReport recovery() {
    AppliedState loaded = stateMachine.loadedAtStart();
    return new RecoveryReport(
        loaded.index(),
        loaded.term(),
        loaded.digestHex(),
        logStartAtStart,
        logLastAtStart,
        stateMachine.firstAppliedSinceStart(),
        stateMachine.appliedEntriesSinceStart() == 0 ? 0 : engine.applied().index(),
        stateMachine.appliedEntriesSinceStart());
  }

  /**
   * Raft events → events, health, epochs and fatal handling. Called on Ratis threads; never blocks.
   */
  private final class Events implements RaftEvents {
    @Override
    public void leaderChanged(String leaderId) {
      long termAfter = currentTerm();
      long termBefore = lastSeenTerm.getAndSet(termAfter);
      String leaderBefore = lastSeenLeader;
      lastSeenLeader = leaderId;
      var pending = engine.authority().pendingTransfer();
      String cause =
          pending.isPresent() && pending.get().field("to").equals(leaderId)
              ? "transfer " + pending.get().field("requestId")
              : "election (the new leader's epoch record names the cause)";
      events.emit(
          EventType.LEADER_CHANGED,
          "leaderBefore",
          leaderBefore,
          "leaderAfter",
          leaderId,
          "termBefore",
          Long.toString(termBefore),
          "termAfter",
          Long.toString(termAfter),
          "commitIndex",
          Long.toString(commitIndex()),
          "cause",
          leaderId.isEmpty() ? "no leader known" : cause);
      if (phase == Phase.SERVING || phase == Phase.STARTING) {
        healthMonitor.update();
      }
    }

    @Override
    public void leaderReady() {
      events.emit(
          EventType.LEADER_READY,
          "term",
          Long.toString(currentTerm()),
          "commitIndex",
          Long.toString(commitIndex()));
      epochs.leaderReady();
    }

    @Override
    public void steppedDown(int pendingEntries) {
      var w = transfers.workflow();
      events.emit(
          EventType.STEPPED_DOWN,
          "term",
          Long.toString(currentTerm()),
          "pendingEntries",
          Integer.toString(pendingEntries),
          "commitIndex",
          Long.toString(commitIndex()),
          "why",
          w.state() == TransferState.TRANSFERRING
              ? "transfer " + w.requestId() + " to " + w.target()
              : "a higher term or lost quorum");
    }

    @Override
    public void configurationChanged(
        long term, long index, List<String> voters, List<String> learners) {
      events.emit(
          EventType.CONFIGURATION_CHANGED,
          "term",
          Long.toString(term),
          "index",
          Long.toString(index),
          "voters",
          String.join(",", voters),
          "learners",
          String.join(",", learners));
    }

    @Override
    public void authorityApplied(AuthorityRecord record) {
      events.emit(EventType.AUTHORITY_RECORD, authorityFields(record, false));
    }

    @Override
    public void groupRemoved() {
      removed = true;
      events.emit(EventType.REMOVED, "term", Long.toString(currentTerm()));
      LOG.warn("node {} was removed from the cluster; stopping", config.nodeId());
      CompletableFuture.runAsync(
          () -> {
            close();
            terminated.complete("removed from the cluster");
          });
    }

    @Override
    public void serverShutdown() {
      if (phase == Phase.STOPPING || removed) {
        return;
      }
      if (removedFromConfiguration()) {
        groupRemoved(); // Ratis stops a removed voter itself (through its election thread)
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
    healthMonitor.update();
    LOG.atError()
        .addKeyValue("event", "FATAL")
        .addKeyValue("code", error.code().name())
        .addKeyValue("reason", error.message())
        .log("FATAL {}", error);
    fatalHandler.fatal(error);
  }

  /** Whether the latest configuration this node knows no longer contains it (it was removed). */
  private boolean removedFromConfiguration() {
    try {
      RaftConfiguration conf = raftServer.getDivision(groupId).getRaftConf();
      RaftPeerId self = RaftPeerId.valueOf(config.nodeId());
      // A joiner that was never added has an empty configuration: that is not a removal.
      return !conf.getCurrentPeers(RaftPeerRole.FOLLOWER).isEmpty()
          && conf.getPeer(self, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER) == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private long commitIndex() {
    try {
      return Math.max(0, raftServer.getDivision(groupId).getRaftLog().getLastCommittedIndex());
    } catch (IOException e) {
      return 0;
    }
  }

  private static java.util.SortedMap<String, String> authorityFields(
      AuthorityRecord r, boolean replayed) {
    java.util.TreeMap<String, String> f = new java.util.TreeMap<>(r.fields());
    f.put("kind", r.kind());
    f.put("index", Long.toString(r.index()));
    f.put("term", Long.toString(r.term()));
    if (replayed) {
      f.put("fromHistory", "true");
    }
    return f;
  }

  /**
   * After a restart the ring starts with the latest records of the replicated history (P6-O1,
   * audits).
   */
  private void seedEventsFromHistory() {
    List<AuthorityRecord> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<AuthorityRecord> page = engine.authorityHistory(after, 512);
      all.addAll(page);
      if (page.size() < 512) {
        break;
      }
      after = page.get(page.size() - 1).index();
    }
    for (AuthorityRecord r : all.subList(Math.max(0, all.size() - 100), all.size())) {
      events.emit(EventType.AUTHORITY_RECORD, authorityFields(r, true));
    }
  }

  @Override
  public TransferCoordinator transfers() {
    return transfers;
  }

  @Override
  public MembershipCoordinator membership() {
    return membership;
  }

  @Override
  public EventLog events() {
    return events;
  }

  @Override
  public List<AuthorityRecord> authorityHistory(long afterIndex, int limit) {
    return engine.authorityHistory(afterIndex, limit);
  }

  /** The node's Dropwizard registry (events, transfers; exported by the metrics endpoint). */
  public MetricRegistry metrics() {
    return metrics;
  }

  /** Completes when the node stops on its own (removed from the cluster), with the reason. */
  public CompletableFuture<String> terminated() {
    return terminated;
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
  public synchronized void close() {
    if (phase == Phase.STOPPING) {
      return;
    }
    phase = Phase.STOPPING;
    healthMonitor.close();
    if (httpServer != null) {
      httpServer.close();
    }
    apiServer.shutdown();
    try {
      apiServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    apiServer.shutdownNow();
    apiExecutor.shutdownNow();
    gateway.close();
    adminExecutor.shutdownNow();
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
    LOG.atInfo().addKeyValue("event", "STOPPED").log("node {} stopped", config.nodeId());
  }
}
