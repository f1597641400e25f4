package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.EventsReply;
import io.aerodb.proto.v1.ExplainTransferReply;
import io.aerodb.proto.v1.MembershipReply;
import io.aerodb.proto.v1.TransferLeaderReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** cluster transfer-leader, explain-transfer, events, add-learner, promote, remove (SPEC §4). */
final class PromotionCommands {
  private PromotionCommands() {}

  static JsonValue json(String text) {
    return JsonReader.parse(text.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON);
  }

  static String newRequestId() {
    return "req-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Prints a decision's checks for people. */
  static void printChecks(AeroCli root, String decisionJson) {
    printChecks(root.out, decisionJson);
  }

  static void printChecks(java.io.PrintStream out, String decisionJson) {
    JsonValue.Obj d = (JsonValue.Obj) json(decisionJson);
    for (JsonValue c : ((JsonValue.Arr) d.get("checks")).elements()) {
      JsonValue.Obj check = (JsonValue.Obj) c;
      out.printf(
          "  %-14s %-30s [%s] %s%n",
          ((JsonValue.Str) check.get("verdict")).value(),
          ((JsonValue.Str) check.get("check")).value(),
          ((JsonValue.Str) check.get("invariant")).value(),
          ((JsonValue.Str) check.get("detail")).value());
    }
  }

  @Command(
      name = "transfer-leader",
      description = "Move leadership to a node through the promotion workflow (never retried).")
  static final class TransferLeader implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--to", required = true, description = "The target node id.")
    String target;

    @Option(names = "--dry-run", description = "Only decide; change nothing.")
    boolean dryRun;

    @Option(names = "--request-id", description = "Id carried by every event of this request.")
    String requestId;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      Duration bound = root.timeout == null ? Duration.ofSeconds(5) : root.timeout();
      String id = requestId != null ? requestId : newRequestId();
      try (AeroClient c = root.client()) {
        TransferLeaderReply r = c.admin().transferLeader(target, dryRun, bound, id);
        if (root.json) {
          Out.object()
              .put("requestId", r.getRequestId())
              .put("outcome", r.getOutcome())
              .put("decision", json(r.getDecisionJson()))
              .put("termBefore", r.getTermBefore())
              .put("termAfter", r.getTermAfter())
              .put("newLeader", r.getNewLeader())
              .put("durationMs", r.getDurationMs())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else if (dryRun) {
          root.out.println(
              "dry run "
                  + r.getRequestId()
                  + ": "
                  + ((JsonValue.Str) ((JsonValue.Obj) json(r.getDecisionJson())).get("summary"))
                      .value());
          printChecks(root, r.getDecisionJson());
        } else {
          root.out.println(
              "leadership moved to "
                  + r.getNewLeader()
                  + " in "
                  + r.getDurationMs()
                  + " ms (term "
                  + r.getTermBefore()
                  + " -> "
                  + r.getTermAfter()
                  + ", request "
                  + r.getRequestId()
                  + ")");
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "explain-transfer",
      description =
          "Every check a transfer to the node would go through, its inputs and its verdict.")
  static final class ExplainTransfer implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--to", required = true, description = "The target node id.")
    String target;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        ExplainTransferReply r = c.admin().explainTransfer(target);
        if (root.json) {
          Out.object()
              .put("approved", r.getApproved())
              .put("summary", r.getSummary())
              .put("decision", json(r.getDecisionJson()))
              .put("nodeId", r.getNodeId())
              .put("term", r.getTerm())
              .put("commitIndex", r.getCommitIndex())
              .print(root.out);
        } else {
          root.out.println(
              r.getSummary()
                  + "   (decided by "
                  + r.getNodeId()
                  + " at term "
                  + r.getTerm()
                  + ", commit index "
                  + r.getCommitIndex()
                  + ")");
          printChecks(root, r.getDecisionJson());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "events",
      description =
          "Promotion state changes, elections, step-downs, membership changes, authority history.")
  static final class Events implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--since", defaultValue = "0", description = "Only events with a larger id.")
    long since;

    @Option(names = "--node", description = "The node to ask (default: the leader).")
    String node;

    @Option(
        names = "--limit",
        defaultValue = "200",
        description = "At most this many (default 200).")
    int limit;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        String endpoint = node != null ? node : c.admin().leaderEndpoint();
        EventsReply r = c.admin().events(endpoint, since, 0, limit);
        if (root.json) {
          List<JsonValue> events = new ArrayList<>();
          r.getEventsJsonList().forEach(e -> events.add(json(e)));
          List<JsonValue> history = new ArrayList<>();
          r.getHistoryJsonList().forEach(h -> history.add(json(h)));
          Out.object()
              .put("nodeId", r.getNodeId())
              .put("lastEventId", r.getLastEventId())
              .put("events", new JsonValue.Arr(events))
              .put("authorityHistory", new JsonValue.Arr(history))
              .print(root.out);
        } else {
          root.out.println("authority history (replicated log):");
          r.getHistoryJsonList().forEach(h -> root.out.println("  " + h));
          root.out.println("events on " + r.getNodeId() + ":");
          r.getEventsJsonList().forEach(e -> root.out.println("  " + e));
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  abstract static class MembershipCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Only decide; change nothing.")
    boolean dryRun;

    abstract MembershipReply send(AeroClient c, String requestId);

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        MembershipReply r = send(c, newRequestId());
        if (root.json) {
          Out.object()
              .put("requestId", r.getRequestId())
              .put("outcome", r.getOutcome())
              .put("decision", json(r.getDecisionJson()))
              .put("voters", new JsonValue.Arr(strings(r.getVotersList())))
              .put("learners", new JsonValue.Arr(strings(r.getLearnersList())))
              .put("commitIndex", r.getCommitIndex())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.println(
              r.getOutcome()
                  + " (request "
                  + r.getRequestId()
                  + "): voters "
                  + r.getVotersList()
                  + ", learners "
                  + r.getLearnersList());
          if (dryRun) {
            printChecks(root, r.getDecisionJson());
          }
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }

    private static List<JsonValue> strings(List<String> in) {
      List<JsonValue> out = new ArrayList<>();
      in.forEach(s -> out.add(new JsonValue.Str(s)));
      return out;
    }
  }

  @Command(
      name = "add-learner",
      description = "Add a running node (started with \"join\": true) as a non-voting learner.")
  static final class AddLearner extends MembershipCommand {
    @Parameters(index = "0", paramLabel = "NODE_ID")
    String nodeId;

    @Parameters(
        index = "1",
        paramLabel = "API_ADDRESS",
        description = "The new node's client API host:port.")
    String apiAddress;

    @Override
    MembershipReply send(AeroClient c, String requestId) {
      return c.admin().addLearner(nodeId, apiAddress, dryRun, requestId);
    }
  }

  @Command(name = "promote", description = "Make a caught-up learner a voter.")
  static final class Promote extends MembershipCommand {
    @Parameters(index = "0", paramLabel = "NODE_ID")
    String nodeId;

    @Override
    MembershipReply send(AeroClient c, String requestId) {
      return c.admin().promote(nodeId, dryRun, requestId);
    }
  }

  @Command(
      name = "remove",
      description = "Remove a member (refused if it would reduce fault tolerance).")
  static final class Remove extends MembershipCommand {
    @Parameters(index = "0", paramLabel = "NODE_ID")
    String nodeId;

    @Override
    MembershipReply send(AeroClient c, String requestId) {
      return c.admin().remove(nodeId, dryRun, requestId);
    }
  }
}
