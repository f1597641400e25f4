package io.aerodb.node.server;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.api.AdminContext;
import io.aerodb.node.api.AdminServiceImpl;
import io.aerodb.node.api.ClusterServiceImpl;
import io.aerodb.node.api.DocumentServiceImpl;
import io.aerodb.node.api.PeerServiceImpl;
import io.aerodb.node.api.QueryServiceImpl;
import io.aerodb.node.api.RequestGuard;
import io.aerodb.node.api.TransportThreadCalls;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.gc.GcPolicy;
import io.aerodb.node.gc.GcRunner;
import io.aerodb.node.install.InstallProgress;
import io.aerodb.node.install.StoreFetcher;
import io.aerodb.node.install.StoreSender;
import io.aerodb.node.install.StoreSwap;
import io.aerodb.node.observe.Health;
import io.aerodb.node.observe.HealthMonitor;
import io.aerodb.node.observe.MetricsExporter;
import io.aerodb.node.observe.MetricsHttpServer;
import io.aerodb.node.observe.ObservableNode;
import io.aerodb.node.observe.RecoveryReport;
import io.aerodb.node.observe.RpcMetricsInterceptor;
import io.aerodb.node.observe.StatusRoutes;
import io.aerodb.node.promotion.AuthorityWriter;
import io.aerodb.node.promotion.ChangeGate;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.ClusterViewReader;
import io.aerodb.node.promotion.Decision;
import io.aerodb.node.promotion.EpochRecorder;
import io.aerodb.node.promotion.MembershipCoordinator;
import io.aerodb.node.promotion.TransferCoordinator;
import io.aerodb.node.raft.PeerDirectory;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.node.raft.RaftGateway;
import io.aerodb.node.raft.RedGate;
import io.aerodb.node.recover.UnsafeRecovery;
import io.aerodb.node.storage.DataDirectory;
import io.aerodb.node.storage.Directories;
import io.aerodb.node.storage.DirectorySyncer;
import io.aerodb.proto.v1.AdminServiceGrpc;
import io.aerodb.proto.v1.ClusterServiceGrpc;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.QueryServiceGrpc;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.RaftSettings;
import io.aerodb.ratis.RatisConfig;
import io.aerodb.ratis.RatisMetrics;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AeroDB node, the composition root: it builds the parts, starts them in the order of trust and
 * stops them in reverse. Config (already validated) → data directory lock and identity → RocksDB
 * store and engine → the Ratis server around the state machine (RECOVER: replays the log after the
 * store's applied index) → the gateway, coordinators and client API. The parts do the work: {@link
 * RaftGateway} (writes and reads), {@link RaftEventHandler} (Raft events), {@link NodeStatusReader}
 * (status), the promotion coordinators, the API services.
 */
public final class AeroNode implements AdminContext, ObservableNode, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AeroNode.class);

  /** Threads of {@link #apiExecutor}: {@code -Daerodb.api.executorThreads=N} for experiments. */
  static final int API_THREADS =
      Math.max(
          1,
          Integer.getInteger(
              "aerodb.api.executorThreads",
              Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));

  private final NodeConfig config;
  private final FatalHandler fatalHandler;
  private final DataDirectory dataDir;
  private final Engine engine;
  private final AeroStateMachine stateMachine;
  private final RaftServer raftServer;
  private final RaftDivision raft;
  private final RaftGateway gateway;
  private final io.aerodb.node.api.WatchStreams watches = new io.aerodb.node.api.WatchStreams();
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server apiServer;
  private final MetricRegistry metrics = new MetricRegistry();
  private final EventLog events;
  private final ExecutorService adminExecutor;

  /**
   * Runs the client API's handlers: a fixed pool with a queue, not gRPC's default cached pool,
   * whose hand-off through a SynchronousQueue parks and wakes a thread for every call event
   * (measured: half of the leader's API-thread CPU and twice the context switches at 64 clients).
   * Handlers never block (every call is answered from a future), so a few threads per core suffice.
   */
  private final ExecutorService apiExecutor;

  private final TransferCoordinator transfers;
  private final MembershipCoordinator membership;
  private final CompletableFuture<String> terminated = new CompletableFuture<>();
  private final PrometheusRegistry histograms = new PrometheusRegistry();
  private final RpcMetricsInterceptor rpcMetrics = new RpcMetricsInterceptor(metrics, histograms);
  private final HealthMonitor healthMonitor;
  private final MetricsHttpServer httpServer;
  private final ClusterViewReader views;
  private final NodeStatusReader statusReader;
  private final RaftEventHandler raftEvents;
  private final InstallProgress installs = new InstallProgress();
  private final StoreFetcher storeFetcher;
  private final StoreSender storeSender;
  private final GcRunner gcRunner;
  private volatile GcPolicy gcPolicy;
  private volatile DirectorySyncer directorySyncer;
  private volatile long logStartAtStart;
  private volatile long logLastAtStart;
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
    RaftServer server = null;
    try {
      RatisMetrics.install();
      StoreSwap swap = new StoreSwap(dataDir.root(), dataDir.storeDir());
      // a crash mid-install: finish the swap, or discard what is incomplete or stale
      StoreSwap.Recovered install =
          swap.recover(
              dir -> {
                try (RocksKvStore s = RocksKvStore.openReadOnly(dir)) {
                  return Engine.appliedIn(s).index();
                }
              });
      installs.recoveredAtStart(install == StoreSwap.Recovered.FINISHED_SWAP);
      phase(config, "install-recovery", install.name());
      StoreSender.discardLeftovers(dataDir.checkpointsDir());
      opened = Engine.open(RocksKvStore.open(dataDir.storeDir()));
      if (opened.headsDerivedAtOpen() >= 0) {
        phase(
            config,
            "store-upgrade",
            "derived the heads of "
                + opened.headsDerivedAtOpen()
                + " live documents from their versions (store layout 1 -> 2)");
      }
      this.engine = opened;
      // a damaged or failing store stops the node, whoever meets it (SPEC §5)
      engine.onStorageFailure(this::storeFailed);
      this.events = new EventLog(config.nodeId(), metrics, System::currentTimeMillis, 2048);
      PeerDirectory peers = new PeerDirectory(config, engine);
      this.stateMachine = new AeroStateMachine(engine);
      this.storeFetcher =
          new StoreFetcher(
              config.nodeId(), config.clusterName(), peers, swap, dataDir.storeDir(), installs);
      stateMachine.setInstaller(storeFetcher);
      this.gcRunner = new GcRunner(config.nodeId(), engine);
      this.storeSender =
          new StoreSender(
              engine,
              dataDir.checkpointsDir(),
              config.nodeId(),
              config.clusterName(),
              STORE_SENDS_MAX,
              installs,
              this::storeFailed);
      stateMachine.setSnapshotHold(storeSender::oldestSent);
      RatisConfig ratis = ratisConfig(config, dataDir);
      logConfig(config, engine, ratis);
      RaftGroupId groupId = RaftDivision.groupIdOf(config.clusterName());
      server =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(config.nodeId()))
              .setGroup(config.join() ? RaftGroup.valueOf(groupId) : group(config, groupId))
              .setProperties(ratis.properties())
              .setStateMachine(stateMachine)
              .setOption(RaftStorage.StartupOption.RECOVER)
              .build();
      this.raftServer = server;
      this.raft = new RaftDivision(server, groupId);
      stateMachine.setLocalLog(raft::logTermAt);
      this.gateway = new RaftGateway(raft, stateMachine, config, peers, metrics);
      this.apiExecutor = threads(API_THREADS, "aerodb-api-" + config.nodeId() + "-");
      this.adminExecutor = threads(4, "aerodb-admin-" + config.nodeId() + "-");
      this.views =
          new ClusterViewReader(
              raft,
              config.nodeId(),
              peers,
              // A follower silent for two maximal election timeouts is not a safe target.
              2 * config.electionTimeoutMaxMs());
      AuthorityWriter authority = new AuthorityWriter(gateway);
      ChangeGate gate = new ChangeGate();
      this.transfers =
          new TransferCoordinator(
              views, events, authority, server, groupId, config.nodeId(), gate, adminExecutor);
      this.membership =
          new MembershipCoordinator(
              views,
              gate,
              events,
              authority,
              server,
              groupId,
              config.nodeId(),
              config.clusterName(),
              Math.max(10_000, config.writeTimeoutMs()),
              adminExecutor);
      EpochRecorder epochs =
          new EpochRecorder(
              config.nodeId(),
              engine,
              authority,
              events,
              raft::currentTerm,
              adminExecutor,
              views,
              // One ask = one call with a short deadline; the recorder asks again until its bound.
              (node, request) -> gateway.askHandover(node, request, 300),
              dataDir.root().resolve(UnsafeRecovery.AUDIT_FILE));
      this.statusReader =
          new NodeStatusReader(
              config,
              raft,
              peers,
              engine,
              stateMachine,
              this::storeSizeBytes,
              rpcMetrics::total,
              this::logBytes,
              installs,
              gcRunner::progress);
      this.raftEvents =
          new RaftEventHandler(
              config.nodeId(), events, raft, engine, transfers, epochs, new Control());
      stateMachine.setEvents(raftEvents); // before the Raft server starts
      this.apiServer = apiServer(config, apiExecutor, rpcMetrics, health);
      this.healthMonitor =
          new HealthMonitor(
              health,
              this::status,
              List.of(
                  DocumentServiceGrpc.SERVICE_NAME,
                  ClusterServiceGrpc.SERVICE_NAME,
                  QueryServiceGrpc.SERVICE_NAME,
                  AdminServiceGrpc.SERVICE_NAME),
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
      if (server != null) {
        server.close();
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
    node.raftEvents.seedFromHistory();
    try {
      node.startDirectorySyncer(); // before Raft writes its first vote or segment
      node.raftServer.start();
      Directories.fsyncTree(node.dataDir.root()); // what Ratis created at start, before serving
      node.logStartAtStart = node.raft.logStartIndex();
      node.logLastAtStart = node.raft.logLastIndex();
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
    node.gcRunner.start(); // finishes a collection a crash interrupted, then follows the floor
    node.verifyStoreInBackground();
    node.gcPolicy =
        new GcPolicy(
            config.nodeId(),
            node.raft,
            node.gateway,
            node.engine,
            config.gcRetainEntries(),
            config.gcIntervalMs());
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

  /** A store failure met anywhere: the node stops serving (once its handlers are wired). */
  private void storeFailed(AeroError error) {
    RaftEventHandler events = this.raftEvents; // null until the constructor wired it
    if (events != null) {
      events.storeFailed(error);
    }
  }

  /**
   * Reads the whole store once after start and checks the checksums of every file (RocksDB's
   * verifyChecksum), so damage that start-up did not read is found now rather than when a read or
   * apply hits it; a mismatch stops the node with AERO_STORAGE_CORRUPTION naming the file (SPEC
   * §5). Holds the store's read lock meanwhile (an install's swap and a stop wait for it).
   */
  private void verifyStoreInBackground() {
    Thread t =
        new Thread(
            () -> {
              long t0 = System.nanoTime();
              try {
                engine.withStore(
                    s -> {
                      s.verifyChecksums();
                      return null;
                    });
                LOG.atInfo()
                    .addKeyValue("event", "STORE_VERIFIED")
                    .addKeyValue("millis", (System.nanoTime() - t0) / 1_000_000)
                    .log(
                        "the store's checksums verified in {} ms",
                        (System.nanoTime() - t0) / 1_000_000);
              } catch (AeroException e) {
                if (phase != Phase.STOPPING) {
                  raftEvents.storeFailed(e.error()); // (the store's listener did already)
                } else {
                  LOG.atError()
                      .addKeyValue("event", "STORE_DAMAGED")
                      .addKeyValue("code", e.code().name())
                      .log("while stopping, the store's verification found: {}", e.getMessage());
                }
              } catch (RuntimeException e) {
                LOG.warn("the store's checksums could not be verified: {}", e.toString());
              }
            },
            "aerodb-store-verify-" + config.nodeId());
    t.setDaemon(true);
    t.start();
  }

  // ---------------------------------------------------------------------------------- wiring

  private static RatisConfig ratisConfig(NodeConfig config, DataDirectory dataDir) {
    RatisConfig ratis =
        RatisConfig.server(
            new RaftSettings(
                dataDir.raftDir(),
                config.self().host(),
                config.self().raftPort(),
                config.electionTimeoutMinMs(),
                config.electionTimeoutMaxMs(),
                config.raftRequestTimeoutMs(),
                config.logSync(),
                config.snapshotEveryEntries(),
                config.logRetainEntries(),
                config.logSegmentBytes()));
    if (RedGate.UNSAFE_FLUSH.on()) {
      ratis.redGateUnsafeFlush();
    }
    return ratis;
  }

  private static void logConfig(NodeConfig config, Engine engine, RatisConfig ratis) {
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
  }

  private Server apiServer(
      NodeConfig config,
      ExecutorService executor,
      RpcMetricsInterceptor rpcMetrics,
      HealthStatusManager health) {
    NettyServerBuilder api =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.self().host(), config.self().apiPort()))
            .maxInboundMessageSize(RequestGuard.TRANSPORT_BYTES_MAX)
            .intercept(new RequestGuard(config.nodeId(), config.requestBytesMax()))
            .intercept(rpcMetrics) // runs first: it also counts what the guard refuses
            .addService(new DocumentServiceImpl(this))
            .addService(new ClusterServiceImpl(this))
            .addService(new AdminServiceImpl(this))
            .addService(new QueryServiceImpl(this))
            .addService(new PeerServiceImpl(this))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance());
    // The executors last: nothing after may set another one.
    if (Boolean.getBoolean("aerodb.api.directExecutor")) {
      api.directExecutor(); // performance experiment: handlers on the event loop (no hop)
    } else {
      TransportThreadCalls.wire(api, executor); // memory-only handlers without a hop
    }
    return api.build();
  }

  private static ExecutorService threads(int count, String namePrefix) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        count,
        r -> {
          Thread t = new Thread(r, namePrefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Keeps every name in the data directory durable (Ratis fsyncs no directory; {@link
   * Directories}): a {@link DirectorySyncer} on the directories that change while the node runs —
   * the data directory, Ratis' group and log directories, the store — started before the Raft
   * server, so it also covers what Ratis creates at its first start.
   */
  private void startDirectorySyncer() {
    Path group = dataDir.raftDir().resolve(raft.groupId().getUuid().toString());
    directorySyncer =
        new DirectorySyncer(
            "aerodb-dirsync-" + config.nodeId(),
            List.of(
                dataDir.root(),
                dataDir.raftDir(),
                group,
                group.resolve("current"),
                group.resolve("sm"),
                dataDir.storeDir()),
            DIRECTORY_POLL_MS);
  }

  /** Stores this node sends to installing members at once (each is a checkpoint on its disk). */
  static final int STORE_SENDS_MAX = 2;

  /**
   * The directory syncer's backstop poll (a stat per directory per period); changes are fsynced as
   * the file system reports them, and every 10 ms where it reports none ({@link DirectorySyncer}).
   */
  static final long DIRECTORY_POLL_MS = 1000;

  private static void phase(NodeConfig config, String phase, String detail) {
    LOG.atInfo()
        .addKeyValue("event", "STARTUP_PHASE")
        .addKeyValue("phase", phase)
        .addKeyValue("detail", detail)
        .log("node {} {}: {}", config.nodeId(), phase, detail);
  }

  private static RaftGroup group(NodeConfig config, RaftGroupId groupId) {
    List<RaftPeer> peers =
        config.peers().stream()
            .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build())
            .collect(Collectors.toList());
    return RaftGroup.valueOf(groupId, peers);
  }

  /** What the Raft event handler may do to this node. */
  private final class Control implements RaftEventHandler.Node {
    @Override
    public Phase phase() {
      return phase;
    }

    @Override
    public void healthChanged() {
      healthMonitor.update();
    }

    @Override
    public void fail(AeroError error) {
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
          .addKeyValue("details", error.details().toString())
          .log("FATAL {}", error);
      fatalHandler.fatal(error);
    }

    @Override
    public void removed() {
      LOG.warn("node {} was removed from the cluster; stopping", config.nodeId());
      CompletableFuture.runAsync(
          () -> {
            close();
            terminated.complete("removed from the cluster");
          });
    }
  }

  // -------------------------------------------------------------------------- what it serves

  @Override
  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public NodeConfig config() {
    return config;
  }

  @Override
  public io.aerodb.node.api.WatchStreams watches() {
    return watches;
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
    return raft.currentTerm();
  }

  @Override
  public NodeStatusReply status() {
    return statusReader.read(phase, metricsAddress(), healthMonitor != null);
  }

  private String metricsAddress() {
    return httpServer == null ? "" : "127.0.0.1:" + httpServer.port();
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
    return engine.withStore(s -> s instanceof RocksKvStore r ? r.approximateSizeBytes() : 0L);
  }

  /** Bytes of the Raft log directory now (files may vanish while it is walked: a purge). */
  long logBytes() {
    long[] total = {0};
    try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dataDir.raftDir())) {
      walk.forEach(
          p -> {
            try {
              if (java.nio.file.Files.isRegularFile(p)) {
                total[0] += java.nio.file.Files.size(p);
              }
            } catch (IOException gone) {
              // purged while we looked
            }
          });
    } catch (IOException | java.io.UncheckedIOException e) {
      // a directory purged while we looked: the sum so far
    }
    return total[0];
  }

  @Override
  public CompletableFuture<io.aerodb.core.command.CommandResult> setIdempotencyHorizon(
      long entries) {
    return gateway.write(
        io.aerodb.core.command.Write.NO_REQUEST_ID,
        new io.aerodb.core.command.SetIdempotencyHorizon(entries));
  }

  @Override
  public CompletableFuture<io.aerodb.core.command.CommandResult> setGcFloor(long floor) {
    return gateway.write(
        io.aerodb.core.command.Write.NO_REQUEST_ID, new io.aerodb.core.command.SetGcFloor(floor));
  }

  @Override
  public DigestAt stateDigestAt(long index) {
    long applied = Math.max(raft.appliedIndex(), engine.applied().index()); // Raft's counts config
    Optional<byte[]> digest = index > applied ? Optional.empty() : engine.digestAt(index);
    // the floor after the digest: a digest collected meanwhile is reported as below the floor
    return new DigestAt(index, digest, applied, engine.gcFloor());
  }

  @Override
  public StoreSender storeSender() {
    return storeSender;
  }

  @Override
  public CompletableFuture<Long> takeSnapshot() {
    return raft.takeSnapshot(Math.max(10_000, config.writeTimeoutMs()));
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

  @Override
  public Decision explainTransfer(String target) {
    return transfers.explain(target);
  }

  @Override
  public QueryExplanation explainQuery(QueryRequest request) {
    long view = engine.applied().index();
    return new QueryExplanation(view, engine.explain(request, view, config.queryLimits()));
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
  @Override
  public MetricRegistry metrics() {
    return metrics;
  }

  @Override
  public PrometheusRegistry histograms() {
    return histograms;
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
    watches.closeAll(); // a watch never ends by itself: its client resumes on another node
    apiServer.shutdown();
    try {
      apiServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    apiServer.shutdownNow();
    apiExecutor.shutdownNow();
    if (gcPolicy != null) {
      gcPolicy.close();
    }
    gcRunner.close();
    storeSender.close();
    storeFetcher.close();
    gateway.close();
    adminExecutor.shutdownNow();
    try {
      raftServer.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing the Raft server of {}: {}", config.nodeId(), e.toString());
    }
    if (directorySyncer != null) {
      directorySyncer.close();
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
