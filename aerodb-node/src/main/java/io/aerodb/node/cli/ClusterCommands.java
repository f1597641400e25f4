package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
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
        // Learn the members from the first node that answers, then ask each member itself.
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
        List<Out> rows = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        lines.add(
            String.format(
                "%-6s %-22s %-10s %6s %10s %10s  %-6s %s",
                "NODE", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "LEADER", "PHASE"));
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
                .put("stateDigest", s.getStateDigest());
            if (s.getRole().equals("LEADER")) {
              leader = s.getNodeId();
            }
            lines.add(
                String.format(
                    "%-6s %-22s %-10s %6d %10d %10d  %-6s %s",
                    m.getKey(),
                    m.getValue(),
                    s.getRole(),
                    s.getTerm(),
                    s.getCommitIndex(),
                    s.getAppliedIndex(),
                    s.getLeaderId().isEmpty() ? "-" : s.getLeaderId(),
                    s.getPhase()));
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
}
