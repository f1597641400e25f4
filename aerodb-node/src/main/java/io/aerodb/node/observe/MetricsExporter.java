package io.aerodb.node.observe;

import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import io.aerodb.node.promotion.MemberView;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.ratis.RatisMetrics;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;

/**
 * Collects a node's metrics for {@code /metrics}: AeroDB's own series (aerodb_*), computed from the
 * node's state and its Dropwizard registry, and Ratis' own (ratis_*), renamed to Prometheus
 * conventions with the member and peer ids moved into labels. docs/OPERATIONS.md (Metrics) lists
 * the key series; docs/ops names only series a live scrape has [P4-6].
 */
public final class MetricsExporter {
  private static final Pattern FOLLOWER =
      Pattern.compile("follower_(.+?)_(next_index|match_index|rpc_response_time)");
  private static final Pattern PEER =
      Pattern.compile("(.+?)_(peerCommitIndex|lastHeartbeatElapsedTime)");

  /** Ratis' gRPC log appender metrics per follower: {@code <peer>_latency[_heartbeat]} etc. */
  private static final Pattern APPENDER =
      Pattern.compile("(.+?)_(latency|success_reply_count|pending_log_requests_count)(.*)");

  private final ObservableNode node;

  public MetricsExporter(ObservableNode node) {
    this.node = node;
  }

  public String scrape() {
    PrometheusText p = new PrometheusText();
    Map<String, String> none = Map.of();
    NodeStatusReply s = node.status();
    p.gauge("aerodb_raft_term", "Current Raft term of this node.", none, s.getTerm());
    p.gauge("aerodb_raft_commit_index", "Commit index this node knows.", none, s.getCommitIndex());
    p.gauge(
        "aerodb_raft_applied_index",
        "Last log index applied by this node.",
        none,
        s.getAppliedIndex());
    p.gauge(
        "aerodb_apply_lag_entries",
        "Commit index minus applied index on this node.",
        none,
        Math.max(0, s.getCommitIndex() - s.getAppliedIndex()));
    p.gauge(
        "aerodb_raft_leader",
        "1 if this node is the leader.",
        none,
        s.getRole().equals("LEADER") ? 1 : 0);
    p.gauge(
        "aerodb_raft_leader_known",
        "1 if this node knows a leader.",
        none,
        s.getLeaderId().isEmpty() ? 0 : 1);
    for (String phase : new String[] {"STARTING", "SERVING", "STOPPING", "FAILED"}) {
      p.gauge(
          "aerodb_node_phase",
          "1 for the node's lifecycle phase.",
          Map.of("phase", phase),
          s.getPhase().equals(phase) ? 1 : 0);
    }
    Health h = node.health();
    p.gauge("aerodb_health_live", "1 while the process is live.", none, h.live() ? 1 : 0);
    p.gauge(
        "aerodb_health_serving", "1 while the node serves requests.", none, h.serving() ? 1 : 0);
    p.gauge(
        "aerodb_health_ready",
        "1 while the node is serving and caught up.",
        none,
        h.ready() ? 1 : 0);
    p.gauge(
        "aerodb_store_size_bytes",
        "Approximate RocksDB size (SST files and memtables).",
        none,
        node.storeSizeBytes());
    p.gauge(
        "aerodb_snapshot_index",
        "Index up to which the store is durable (the Raft snapshot).",
        none,
        s.getSnapshotIndex());
    p.gauge(
        "aerodb_gc_floor",
        "The MVCC garbage-collection floor (reads below it are refused).",
        none,
        s.getGcFloor());
    p.gauge(
        "aerodb_gc_collected_floor",
        "The floor up to which this node collected old versions.",
        none,
        s.getGcCollected());
    p.gauge(
        "aerodb_raft_log_start_index",
        "First index in this node's Raft log.",
        none,
        s.getLogStartIndex());
    p.gauge(
        "aerodb_raft_log_bytes",
        "Bytes of this node's Raft log directory (bounded by snapshots and purge).",
        none,
        s.getLogBytes());
    p.gauge(
        "aerodb_store_install_active",
        "1 while this node fetches a store or waits to swap one in.",
        none,
        s.getInstall().getPhase().equals("FETCHING") || s.getInstall().getPhase().equals("STAGED")
            ? 1
            : 0);
    p.gauge(
        "aerodb_store_install_bytes_received",
        "Bytes received of the store being installed.",
        none,
        s.getInstall().getBytesReceived());
    p.gauge(
        "aerodb_store_install_bytes_total",
        "Size of the store being installed (0 before its manifest).",
        none,
        s.getInstall().getBytesTotal());
    p.counter(
        "aerodb_store_installs_total",
        "Store installs completed since start.",
        none,
        s.getInstall().getInstalls());
    p.counter(
        "aerodb_store_install_failures_total",
        "Store install attempts that failed since start.",
        none,
        s.getInstall().getFailures());
    p.gauge(
        "aerodb_store_sends_active",
        "Stores this node is sending to other members now.",
        none,
        s.getInstall().getSendsActive());

    node.leaderView()
        .ifPresent(
            v -> {
              for (MemberView m : v.members().values()) {
                if (m.id().equals(v.selfId())) {
                  continue;
                }
                Map<String, String> l =
                    Map.of("follower", m.id(), "role", m.voter() ? "voter" : "learner");
                p.gauge(
                    "aerodb_follower_match_index",
                    "Highest log index known on the follower (leader only).",
                    l,
                    m.matchIndex());
                p.gauge(
                    "aerodb_follower_lag_entries",
                    "Leader commit index minus the follower's match index.",
                    l,
                    Math.max(0, v.commitIndex() - m.matchIndex()));
                p.gauge(
                    "aerodb_follower_last_response_seconds",
                    "Seconds since the follower last answered.",
                    l,
                    m.lastResponseMs() == MemberView.NEVER_ANSWERED
                        ? -1
                        : m.lastResponseMs() / 1000.0);
              }
            });

    TreeMap<String, Metric> ours = new TreeMap<>(node.metrics().getMetrics());
    for (Map.Entry<String, Metric> e : ours.entrySet()) {
      String n = e.getKey();
      String[] parts = n.split("\\.");
      if (n.startsWith("rpc.requests.") && parts.length == 4) {
        p.metric(
            "aerodb_rpc_requests_total",
            "Client API requests by method and gRPC status.",
            Map.of("method", parts[2], "code", parts[3]),
            e.getValue());
      } else if (n.startsWith("rpc.errors.") && parts.length == 4) {
        p.metric(
            "aerodb_rpc_errors_total",
            "Client API errors by method and AeroDB error code.",
            Map.of("method", parts[2], "error", parts[3]),
            e.getValue());
      } else if (n.startsWith("events.") && parts.length == 2) {
        p.metric(
            "aerodb_events_total",
            "Cluster events by type.",
            Map.of("type", parts[1]),
            e.getValue());
      } else if (n.startsWith("transfers.") && parts.length == 2) {
        p.metric(
            "aerodb_transfer_states_total",
            "Transfer workflow states entered.",
            Map.of("state", parts[1]),
            e.getValue());
      } else {
        p.metric(
            "aerodb_" + PrometheusText.snake(n), "AeroDB metric " + n + ".", none, e.getValue());
      }
    }

    for (RatisMetricRegistry r : RatisMetrics.registries()) {
      MetricRegistryInfo info = r.getMetricRegistryInfo();
      String member = info.getPrefix();
      if (!(member.equals(node.nodeId()) || member.startsWith(node.nodeId() + "@"))) {
        continue; // another server in this JVM (in-process tests)
      }
      String component = PrometheusText.snake(info.getMetricsComponentName());
      String namePrefix =
          MetricRegistry.name(
                  info.getApplicationName(), info.getMetricsComponentName(), info.getPrefix())
              + ".";
      for (Map.Entry<String, Metric> e :
          new TreeMap<>(RatisMetrics.dropwizard(r).getMetrics()).entrySet()) {
        String shortName =
            e.getKey().startsWith(namePrefix)
                ? e.getKey().substring(namePrefix.length())
                : e.getKey();
        if (shortName.startsWith(node.nodeId() + "_")) {
          // gRPC message counters carry the endpoint id in the name; it is the member label here
          shortName = shortName.substring(node.nodeId().length() + 1).replace("ratis.grpc.", "");
        }
        TreeMap<String, String> labels = new TreeMap<>();
        labels.put("member", member);
        Matcher f = FOLLOWER.matcher(shortName);
        Matcher peer = PEER.matcher(shortName);
        Matcher appender = APPENDER.matcher(component.equals("log_appender") ? shortName : "");
        if (f.matches()) {
          labels.put("peer", f.group(1));
          shortName = "follower_" + f.group(2);
        } else if (peer.matches()) {
          labels.put("peer", peer.group(1));
          shortName = peer.group(2).startsWith("peer") ? peer.group(2) : "peer_" + peer.group(2);
        } else if (appender.matches()) {
          labels.put("peer", appender.group(1));
          shortName = "follower_" + appender.group(2) + appender.group(3);
        }
        String name = "ratis_" + component + "_" + PrometheusText.snake(shortName);
        p.metric(
            name,
            "Ratis " + info.getMetricsComponentName() + " " + shortName + ".",
            labels,
            e.getValue());
      }
    }

    Runtime rt = Runtime.getRuntime();
    p.gauge(
        "aerodb_jvm_heap_used_bytes", "JVM heap in use.", none, rt.totalMemory() - rt.freeMemory());
    p.gauge("aerodb_jvm_heap_max_bytes", "JVM heap limit.", none, rt.maxMemory());
    p.gauge(
        "aerodb_jvm_threads",
        "Live JVM threads.",
        none,
        ManagementFactory.getThreadMXBean().getThreadCount());
    long rss = residentBytes();
    if (rss >= 0) {
      p.gauge(
          "aerodb_process_resident_memory_bytes",
          "Resident set size of the node process.",
          none,
          rss);
    }
    p.families(node.histograms().scrape());
    return p.render();
  }

  /** VmRSS from /proc/self/status, or -1 where there is no such file. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
