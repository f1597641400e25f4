package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
import io.aerodb.proto.v1.StoreInstall;
import io.aerodb.proto.v1.TakeSnapshotReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** cluster status. */
@Command(
    name = "cluster",
    description = "Cluster-wide views and operations.",
    subcommands = {
      ClusterCommands.Status.class,
      ClusterCommands.Snapshot.class,
      ClusterCommands.Gc.class,
      ClusterCommands.IdempotencyHorizon.class,
      ClusterCommands.Verify.class,
      TopCommand.class,
      PromotionCommands.TransferLeader.class,
      PromotionCommands.ExplainTransfer.class,
      PromotionCommands.Events.class,
      PromotionCommands.AddLearner.class,
      PromotionCommands.Promote.class,
      PromotionCommands.Remove.class
    })
final class ClusterCommands implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(AeroCli.root(spec).err);
    return ExitCodes.USAGE;
  }

  @Command(
      name = "status",
      description = "Every node: id, role, term, commit index, applied index, leader (read-only).")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      Duration perNode = Duration.ofMillis(Math.min(3000, root.timeout().toMillis()));
      try (AeroClient c = root.client()) {
        Map<String, String> members = members(root, c, perNode);
        List<Out> rows = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        lines.add(
            String.format(
                "%-6s %-22s %-10s %6s %10s %10s %10s %10s  %-6s %-8s %s",
                "NODE",
                "ADDRESS",
                "ROLE",
                "TERM",
                "COMMIT",
                "APPLIED",
                "SNAPSHOT",
                "LOG-START",
                "LEADER",
                "PHASE",
                "INSTALL"));
        String leader = "";
        for (Map.Entry<String, String> m : members.entrySet()) {
          Out row = Out.object().put("id", m.getKey()).put("address", m.getValue());
          try {
            NodeStatusReply s = c.admin().nodeStatus(m.getValue(), perNode);
            row.put("reachable", true)
                .put("role", s.getRole())
                .put("term", s.getTerm())
                .put("commitIndex", s.getCommitIndex())
                .put("appliedIndex", s.getAppliedIndex())
                .put("leaderId", s.getLeaderId())
                .put("phase", s.getPhase())
                .put("snapshotIndex", s.getSnapshotIndex())
                .put("logStartIndex", s.getLogStartIndex())
                .put("logBytes", s.getLogBytes())
                .put("gcFloor", s.getGcFloor())
                .put("gcCollected", s.getGcCollected())
                .put("install", installJson(s))
                .put("stateDigest", s.getStateDigest());
            if (s.getRole().equals("LEADER")) {
              leader = s.getNodeId();
            }
            lines.add(
                String.format(
                    "%-6s %-22s %-10s %6d %10d %10d %10d %10d  %-6s %-8s %s",
                    m.getKey(),
                    m.getValue(),
                    s.getRole(),
                    s.getTerm(),
                    s.getCommitIndex(),
                    s.getAppliedIndex(),
                    s.getSnapshotIndex(),
                    s.getLogStartIndex(),
                    s.getLeaderId().isEmpty() ? "-" : s.getLeaderId(),
                    s.getPhase(),
                    installText(s.getInstall())));
          } catch (AeroClientException e) {
            row.put("reachable", false).put("error", e.code());
            lines.add(
                String.format(
                    "%-6s %-22s %-10s %s", m.getKey(), m.getValue(), "UNREACHABLE", e.code()));
          }
          rows.add(row);
        }
        if (root.json) {
          Out.object().put("leaderId", leader).putList("nodes", rows).print(root.out);
        } else {
          lines.forEach(root.out::println);
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  /** The members, learned from the first node that answers (each is then asked itself). */
  static Map<String, String> members(AeroCli root, AeroClient c, Duration perNode) {
    Map<String, String> members = new LinkedHashMap<>();
    AeroClientException last = null;
    for (String endpoint : root.endpoints()) {
      try {
        for (Member m : c.admin().nodeStatus(endpoint, perNode).getMembersList()) {
          members.put(m.getId(), m.getApiAddress());
        }
        break;
      } catch (AeroClientException e) {
        last = e;
      }
    }
    if (members.isEmpty()) {
      throw last;
    }
    return members;
  }

  /** "-" with no install since start; else the phase, with progress while fetching. */
  static String installText(StoreInstall i) {
    switch (i.getPhase()) {
      case "", "NONE":
        return "-";
      case "FETCHING":
        long pct = i.getBytesTotal() == 0 ? 0 : 100 * i.getBytesReceived() / i.getBytesTotal();
        return "FETCHING from "
            + i.getSource()
            + " "
            + pct
            + "% ("
            + i.getBytesReceived()
            + "/"
            + i.getBytesTotal()
            + " bytes, index "
            + i.getIndex()
            + ")";
      case "FAILED":
        return "FAILED (" + i.getFailures() + " failures): " + i.getLastError();
      default:
        return i.getPhase() + " index " + i.getIndex() + " from " + i.getSource();
    }
  }

  static Out installJson(NodeStatusReply s) {
    StoreInstall i = s.getInstall();
    return Out.object()
        .put("phase", i.getPhase())
        .put("source", i.getSource())
        .put("index", i.getIndex())
        .put("bytesReceived", i.getBytesReceived())
        .put("bytesTotal", i.getBytesTotal())
        .put("installs", i.getInstalls())
        .put("failures", i.getFailures())
        .put("lastError", i.getLastError());
  }

  @Command(
      name = "snapshot",
      description =
          "Take a snapshot on every node (or on --node): the store made durable up to the applied"
              + " index and the Raft log purged behind it (keeping raft.logRetainEntries).")
  static final class Snapshot implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(
        names = "--node",
        description = "The node (host:port of its API) to snapshot; default: every member.")
    String node;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      Duration perNode = Duration.ofMillis(Math.min(3000, root.timeout().toMillis()));
      try (AeroClient c = root.client()) {
        List<String> targets =
            node != null ? List.of(node) : new ArrayList<>(members(root, c, perNode).values());
        List<Out> rows = new ArrayList<>();
        int failed = 0;
        for (String t : targets) {
          Out row = Out.object().put("address", t);
          try {
            TakeSnapshotReply r = c.admin().takeSnapshot(t);
            row.put("nodeId", r.getNodeId())
                .put("ok", true)
                .put("snapshotIndex", r.getSnapshotIndex())
                .put("appliedIndex", r.getAppliedIndex())
                .put("logStartIndex", r.getLogStartIndex())
                .put("logBytes", r.getLogBytes());
            if (!root.json) {
              root.out.printf(
                  "%-6s snapshot at index %d (applied %d); log starts at %d, %d bytes%n",
                  r.getNodeId(),
                  r.getSnapshotIndex(),
                  r.getAppliedIndex(),
                  r.getLogStartIndex(),
                  r.getLogBytes());
            }
          } catch (AeroClientException e) {
            failed++;
            row.put("ok", false).put("error", e.code()).put("message", e.getMessage());
            if (!root.json) {
              root.err.printf("%s: %s %s%n", t, e.code(), e.getMessage());
            }
          }
          rows.add(row);
        }
        if (root.json) {
          Out.object().putList("nodes", rows).print(root.out);
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "gc",
      description =
          "Raise the MVCC garbage-collection floor (a replicated decision): versions shadowed at or"
              + " below it are collected on every node, and reads below it fail with"
              + " AERO_MVCC_SNAPSHOT_TOO_OLD. The leader also raises it on its own, keeping"
              + " gc.retainEntries entries of history.")
  static final class Gc implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(
        names = "--floor",
        required = true,
        description = "The new floor (a commit index; not below the current floor).")
    long floor;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      if (floor < 0) {
        root.err.println("--floor is a commit index: 0 or more");
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        io.aerodb.proto.v1.SetGcFloorReply r = c.admin().setGcFloor(floor);
        if (root.json) {
          Out.object()
              .put("floor", r.getFloor())
              .put("commitIndex", r.getCommitIndex())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.printf(
              "GC floor %d set by entry %d (leader %s); every node now collects below it%n",
              r.getFloor(), r.getCommitIndex(), r.getNodeId());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "idempotency-horizon",
      description =
          "Raise the idempotency horizon (a replicated decision): from its entry on, every node"
              + " remembers a request id for --entries log entries (1,000,000 at first; never"
              + " lowered; at most 1,000,000,000), so retries and write-status reach further back.")
  static final class IdempotencyHorizon implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(
        names = "--entries",
        required = true,
        description = "The new horizon in log entries.")
    long entries;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      if (entries < 0) {
        root.err.println("--entries is a number of log entries: 0 or more");
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        io.aerodb.proto.v1.SetIdempotencyHorizonReply r = c.admin().setIdempotencyHorizon(entries);
        if (root.json) {
          Out.object()
              .put("entries", r.getEntries())
              .put("commitIndex", r.getCommitIndex())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.printf(
              "idempotency horizon %d entries from entry %d (leader %s)%n",
              r.getEntries(), r.getCommitIndex(), r.getNodeId());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "verify",
      description =
          "Compare the state digest of every node at one index they all applied (the smallest"
              + " applied index, or --index); if they differ, find the first index where they do and"
              + " name the nodes. Exit 0 when all agree, 1 when they differ.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(
        names = "--index",
        description = "The index to compare at (default: the smallest applied index).")
    Long index;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      Duration perNode = Duration.ofMillis(Math.min(3000, root.timeout().toMillis()));
      if (index != null && index < 0) {
        root.err.println("--index is a commit index: 0 or more");
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        Map<String, String> members = members(root, c, perNode);
        long at = Long.MAX_VALUE;
        long floor = 0;
        for (String address : members.values()) {
          NodeStatusReply s = c.admin().nodeStatus(address, perNode);
          at = Math.min(at, s.getAppliedIndex());
          floor = Math.max(floor, s.getGcFloor());
        }
        if (index != null) {
          at = index;
        }
        Map<String, String> digests = digests(c, members, at, perNode);
        boolean agree = new java.util.TreeSet<>(digests.values()).size() == 1;
        long firstDiffering = -1;
        if (!agree) {
          // the digest is a chain: once two nodes differ they differ at every later index, so
          // the first index that differs is found by bisection over [floor, at]
          long good = floor - 1;
          long bad = at;
          while (bad - good > 1) {
            long mid = good + (bad - good) / 2;
            Map<String, String> d = digests(c, members, mid, perNode);
            if (new java.util.TreeSet<>(d.values()).size() == 1) {
              good = mid;
            } else {
              bad = mid;
            }
          }
          firstDiffering = bad;
          digests = digests(c, members, bad, perNode);
        }
        Map<String, Integer> votes = new java.util.TreeMap<>();
        digests.values().forEach(d -> votes.merge(d, 1, Integer::sum));
        String majority =
            votes.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse("");
        if (root.json) {
          Out nodes = Out.object();
          digests.forEach(nodes::put);
          Out.object()
              .put("index", agree ? at : firstDiffering)
              .put("agree", agree)
              .put("firstDifferingIndex", firstDiffering)
              .put("digests", nodes)
              .print(root.out);
        } else if (agree) {
          root.out.printf(
              "all %d nodes have state digest %s at index %d%n", digests.size(), majority, at);
        } else {
          root.out.printf("the state digests first differ at index %d:%n", firstDiffering);
          for (Map.Entry<String, String> e : digests.entrySet()) {
            root.out.printf(
                "  %-6s %s%s%n",
                e.getKey(), e.getValue(), e.getValue().equals(majority) ? "" : "   <- differs");
          }
        }
        return agree ? ExitCodes.OK : ExitCodes.REJECTED;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }

    private static Map<String, String> digests(
        AeroClient c, Map<String, String> members, long index, Duration perNode) {
      Map<String, String> out = new java.util.TreeMap<>();
      for (Map.Entry<String, String> m : members.entrySet()) {
        out.put(m.getKey(), c.admin().stateDigest(m.getValue(), index, perNode).getStateDigest());
      }
      return out;
    }
  }
}
