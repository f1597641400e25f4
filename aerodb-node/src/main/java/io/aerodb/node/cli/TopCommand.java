package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aerodb cluster top}: a live view of the cluster, refreshed every second — roles, terms,
 * commit and applied index, lag behind the leader's commit index, readiness, and request rates.
 * Bounded by {@code --iterations} (default one hour of refreshes); with {@code --json} it prints
 * one snapshot (one JSON object) and exits.
 */
@Command(
    name = "top",
    description = "Live view of the cluster: roles, terms, indexes, lag, request rates.")
final class TopCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--interval", defaultValue = "1s", description = "Refresh interval (default 1s).")
  String interval;

  @Option(names = "--iterations", defaultValue = "3600", description = "Refreshes before exiting.")
  int iterations;

  @Override
  public Integer call() throws InterruptedException {
    AeroCli root = AeroCli.root(spec);
    Duration every = AeroCli.parseDuration(interval, root);
    int rounds = root.json ? 1 : Math.max(1, iterations);
    Map<String, long[]> previous = new LinkedHashMap<>(); // id -> {requestsTotal, nanos}
    try (AeroClient c = root.client()) {
      for (int i = 0; i < rounds; i++) {
        long started = System.nanoTime();
        List<Row> rows = snapshot(c, previous);
        if (root.json) {
          List<Out> nodes = new ArrayList<>();
          for (Row r : rows) {
            nodes.add(r.toJson());
          }
          Out.object()
              .put("time", Instant.now().toString())
              .putList("nodes", nodes)
              .print(root.out);
        } else {
          render(root, rows);
        }
        if (i + 1 < rounds) {
          Thread.sleep(Math.max(0, every.toMillis() - (System.nanoTime() - started) / 1_000_000));
        }
      }
      return ExitCodes.OK;
    } catch (AeroClientException e) {
      return root.fail(e);
    }
  }

  private record Row(
      String id,
      String address,
      NodeStatusReply s,
      long lag,
      double requestsPerSecond,
      String error) {
    Out toJson() {
      Out o = Out.object().put("id", id).put("address", address);
      if (s == null) {
        return o.put("reachable", false).put("error", error);
      }
      return o.put("reachable", true)
          .put("role", s.getRole())
          .put("term", s.getTerm())
          .put("commitIndex", s.getCommitIndex())
          .put("appliedIndex", s.getAppliedIndex())
          .put("lagEntries", lag)
          .put("leaderId", s.getLeaderId())
          .put("ready", s.getReady())
          .put("requestsPerSecond", Math.round(requestsPerSecond));
    }
  }

  private List<Row> snapshot(AeroClient c, Map<String, long[]> previous) {
    Map<String, String> members = new LinkedHashMap<>();
    AeroClientException last = null;
    for (String e : c.admin().endpoints()) {
      try {
        for (Member m : c.admin().nodeStatus(e, Duration.ofSeconds(1)).getMembersList()) {
          members.put(m.getId(), m.getApiAddress());
        }
        break;
      } catch (AeroClientException ex) {
        last = ex;
      }
    }
    if (members.isEmpty() && last != null) {
      throw last;
    }
    Map<String, NodeStatusReply> status = new LinkedHashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    long leaderCommit = 0;
    for (Map.Entry<String, String> m : members.entrySet()) {
      try {
        NodeStatusReply s = c.admin().nodeStatus(m.getValue(), Duration.ofSeconds(1));
        status.put(m.getKey(), s);
        if (s.getRole().equals("LEADER")) {
          leaderCommit = s.getCommitIndex();
        }
      } catch (AeroClientException e) {
        errors.put(m.getKey(), e.code());
      }
    }
    List<Row> rows = new ArrayList<>();
    long now = System.nanoTime();
    for (Map.Entry<String, String> m : members.entrySet()) {
      NodeStatusReply s = status.get(m.getKey());
      if (s == null) {
        rows.add(new Row(m.getKey(), m.getValue(), null, 0, 0, errors.get(m.getKey())));
        continue;
      }
      long[] prev = previous.get(m.getKey());
      double rate =
          prev == null
              ? 0
              : (s.getRequestsTotal() - prev[0]) / Math.max(1e-9, (now - prev[1]) / 1e9);
      previous.put(m.getKey(), new long[] {s.getRequestsTotal(), now});
      long reference = leaderCommit > 0 ? leaderCommit : s.getCommitIndex();
      rows.add(
          new Row(
              m.getKey(), m.getValue(), s, Math.max(0, reference - s.getAppliedIndex()), rate, ""));
    }
    return rows;
  }

  private static void render(AeroCli root, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    if (System.console() != null) {
      sb.append("\033[H\033[2J");
    }
    sb.append("aerodb cluster top   ").append(Instant.now()).append('\n');
    sb.append(
        String.format(
            "%-5s %-21s %-9s %5s %10s %10s %7s %-6s %-5s %8s%n",
            "NODE", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "LEADER", "READY",
            "REQ/S"));
    for (Row r : rows) {
      if (r.s() == null) {
        sb.append(String.format("%-5s %-21s %-9s %s%n", r.id(), r.address(), "DOWN", r.error()));
        continue;
      }
      NodeStatusReply s = r.s();
      sb.append(
          String.format(
              "%-5s %-21s %-9s %5d %10d %10d %7d %-6s %-5s %8.0f%n",
              r.id(),
              r.address(),
              s.getRole(),
              s.getTerm(),
              s.getCommitIndex(),
              s.getAppliedIndex(),
              r.lag(),
              s.getLeaderId().isEmpty() ? "-" : s.getLeaderId(),
              s.getReady() ? "yes" : "no",
              r.requestsPerSecond()));
    }
    root.out.print(sb);
    root.out.flush();
  }
}
