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
}
