package io.aerodb.node.observe;

import io.aerodb.proto.v1.NodeStatusReply;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the standard gRPC health service true [P4-4] (docs/OPERATIONS.md, Health), re-evaluated
 * every 250 ms and on Raft events:
 *
 * <ul>
 *   <li>service {@value #LIVENESS}: SERVING while the process works (not FAILED, not stopping);
 *   <li>service "" and every API service: SERVING while the node serves — started, not failed,
 *       knows a leader (NOT_SERVING while it starts or recovers, has no leader, or refuses to serve
 *       after a fatal error);
 *   <li>service {@value #READINESS}: SERVING while it serves and is caught up: its applied index is
 *       within {@code readinessLagMax} entries of the commit index it knows.
 * </ul>
 *
 * Every change is one structured log line (event HEALTH_CHANGED).
 */
public final class HealthMonitor implements AutoCloseable {
  public static final String LIVENESS = "aerodb.liveness";
  public static final String READINESS = "aerodb.readiness";
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  private final HealthStatusManager manager;
  private final Supplier<NodeStatusReply> status;
  private final List<String> services;
  private final long readinessLagMax;
  private final ScheduledExecutorService timer;
  private volatile Health current = new Health(true, false, false, "starting");

  public HealthMonitor(
      HealthStatusManager manager,
      Supplier<NodeStatusReply> status,
      List<String> services,
      long readinessLagMax,
      String nodeId) {
    this.manager = manager;
    this.status = status;
    this.services = List.copyOf(services);
    this.readinessLagMax = readinessLagMax;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aerodb-health-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    apply(current);
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::update, 0, 250, TimeUnit.MILLISECONDS);
  }

  public Health current() {
    return current;
  }

  /** Re-evaluates now (also called on leader changes). */
  public synchronized void update() {
    NodeStatusReply s;
    try {
      s = status.get();
    } catch (RuntimeException e) {
      return; // the node is closing
    }
    Health next = evaluate(s, readinessLagMax);
    if (!next.equals(current)) {
      Health before = current;
      current = next;
      apply(next);
      LOG.atInfo()
          .addKeyValue("event", "HEALTH_CHANGED")
          .addKeyValue("live", next.live())
          .addKeyValue("serving", next.serving())
          .addKeyValue("ready", next.ready())
          .addKeyValue("reason", next.reason())
          .addKeyValue("wasServing", before.serving())
          .addKeyValue("wasReady", before.ready())
          .addKeyValue("commitIndex", s.getCommitIndex())
          .addKeyValue("appliedIndex", s.getAppliedIndex())
          .log("health: serving={} ready={} {}", next.serving(), next.ready(), next.reason());
    }
  }

  /** The health a status implies (pure) [P4-4, P4-5]. */
  public static Health evaluate(NodeStatusReply s, long readinessLagMax) {
    boolean live = s.getPhase().equals("SERVING") || s.getPhase().equals("STARTING");
    boolean serving = s.getPhase().equals("SERVING") && !s.getLeaderId().isEmpty();
    long lag = Math.max(0, s.getCommitIndex() - s.getAppliedIndex());
    boolean ready = serving && lag <= readinessLagMax;
    String reason;
    if (!s.getPhase().equals("SERVING")) {
      reason = "phase " + s.getPhase();
    } else if (s.getLeaderId().isEmpty()) {
      reason = "no leader known";
    } else if (!ready) {
      reason =
          "applied index "
              + s.getAppliedIndex()
              + " is "
              + lag
              + " entries behind commit index "
              + s.getCommitIndex()
              + " (readinessLagMax "
              + readinessLagMax
              + ")";
    } else {
      reason = "";
    }
    return new Health(live, serving, ready, reason);
  }

  private void apply(Health h) {
    manager.setStatus(LIVENESS, h.live() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    ServingStatus serving = h.serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    manager.setStatus("", serving);
    for (String service : services) {
      manager.setStatus(service, serving);
    }
    manager.setStatus(READINESS, h.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** Everything NOT_SERVING, then no more updates. */
  @Override
  public synchronized void close() {
    timer.shutdownNow();
    current = new Health(false, false, false, "stopped");
    apply(current);
    manager.enterTerminalState();
  }
}
