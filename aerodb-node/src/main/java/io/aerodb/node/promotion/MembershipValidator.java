package io.aerodb.node.promotion;

import io.aerodb.node.promotion.Decision.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides membership changes — add a learner, promote a learner to voter, remove a member — as a
 * pure function of the leader's view [P6-D1]. A change is refused when it would leave the cluster
 * less able to tolerate a failure than it is now [P6-F1]: removing a voter from 3 (tolerance 1 →
 * 0), promoting while a voter is unreachable (the majority grows while the live voters do not), or
 * losing the quorum. One change at a time, never during a transfer [P6-A2]; only verified nodes
 * join [P6-A3].
 */
public final class MembershipValidator {
  private MembershipValidator() {}

  public static Decision addLearner(
      ClusterView v, String nodeId, JoinCandidate c, String clusterName) {
    List<Check> checks = common(v);
    checks.add(
        !v.members().containsKey(nodeId)
            ? Check.pass("MEMBER_EXISTS", "P6-A3", nodeId + " is not a member yet")
            : Check.fail("MEMBER_EXISTS", "P6-A3", nodeId + " is already a member"));
    if (!c.reachable()) {
      checks.add(Check.fail("NODE_UNREACHABLE", "P6-A3", nodeId + " did not answer: " + c.error()));
      for (String n : new String[] {"NODE_ID_MISMATCH", "CLUSTER_MISMATCH", "NODE_NOT_EMPTY"}) {
        checks.add(Check.notEvaluated(n, "P6-A3", "node unreachable"));
      }
    } else {
      checks.add(
          Check.pass("NODE_UNREACHABLE", "P6-A3", nodeId + " answered from " + c.raftAddress()));
      checks.add(
          c.nodeId().equals(nodeId)
              ? Check.pass("NODE_ID_MISMATCH", "P6-A3", "the node reports id " + c.nodeId())
              : Check.fail(
                  "NODE_ID_MISMATCH",
                  "P6-A3",
                  "the node reports id " + c.nodeId() + ", not " + nodeId));
      checks.add(
          c.clusterName().equals(clusterName)
              ? Check.pass("CLUSTER_MISMATCH", "P6-A3", "the node is configured for " + clusterName)
              : Check.fail(
                  "CLUSTER_MISMATCH",
                  "P6-A3",
                  "the node is configured for cluster "
                      + c.clusterName()
                      + ", not "
                      + clusterName));
      checks.add(
          c.appliedIndex() == 0
              ? Check.pass("NODE_NOT_EMPTY", "P6-A3", "the node holds no state")
              : Check.fail(
                  "NODE_NOT_EMPTY",
                  "P6-A3",
                  "the node already applied index "
                      + c.appliedIndex()
                      + " (wipe it or give it a new id)"));
    }
    checks.add(quorum(v, v.voters(), v.reachableVoters()));
    return Decision.of("add-learner", nodeId, checks);
  }

  public static Decision promote(ClusterView v, String nodeId) {
    List<Check> checks = common(v);
    MemberView t = v.members().get(nodeId);
    checks.add(known(v, nodeId, t));
    if (t == null) {
      for (String n : new String[] {"TARGET_NOT_LEARNER", "TARGET_UNHEALTHY", "TARGET_LAGGING"}) {
        checks.add(
            Check.notEvaluated(
                n, n.equals("TARGET_LAGGING") ? "P6-S1" : "P6-S2", "target unknown"));
      }
    } else {
      checks.add(
          !t.voter()
              ? Check.pass("TARGET_NOT_LEARNER", "P6-A3", nodeId + " is a learner")
              : Check.fail("TARGET_NOT_LEARNER", "P6-A3", nodeId + " is already a voter"));
      String health =
          MemberView.describeLastAnswer(t.lastResponseMs())
              + (t.lastResponseMs() <= v.unhealthyAfterMs() ? " <= " : " > ")
              + v.unhealthyAfterMs()
              + " ms";
      checks.add(
          t.lastResponseMs() <= v.unhealthyAfterMs()
              ? Check.pass("TARGET_UNHEALTHY", "P6-S2", health)
              : Check.fail("TARGET_UNHEALTHY", "P6-S2", health));
      String lag =
          "match index "
              + t.matchIndex()
              + (t.matchIndex() >= v.commitIndex() ? " >= " : " < ")
              + "commit index "
              + v.commitIndex();
      checks.add(
          t.matchIndex() >= v.commitIndex()
              ? Check.pass("TARGET_LAGGING", "P6-S1", lag)
              : Check.fail("TARGET_LAGGING", "P6-S1", lag));
    }
    long voters = v.voters();
    long reachable = v.reachableVoters();
    String all = reachable + " of " + voters + " voters reachable";
    checks.add(
        reachable == voters
            ? Check.pass("VOTER_UNREACHABLE", "P6-F1", all)
            : Check.fail(
                "VOTER_UNREACHABLE",
                "P6-F1",
                all
                    + "; a new voter would raise the majority to "
                    + ClusterView.majority(voters + 1)
                    + " without adding a live voter that is caught up"));
    checks.add(tolerance(voters, voters + 1));
    checks.add(quorum(v, voters, reachable));
    return Decision.of("promote", nodeId, checks);
  }

  public static Decision remove(ClusterView v, String nodeId) {
    List<Check> checks = common(v);
    MemberView t = v.members().get(nodeId);
    checks.add(known(v, nodeId, t));
    checks.add(
        !nodeId.equals(v.selfId())
            ? Check.pass("TARGET_IS_LEADER", "P6-A2", nodeId + " is not the leader")
            : Check.fail(
                "TARGET_IS_LEADER",
                "P6-A2",
                nodeId
                    + " leads term "
                    + v.term()
                    + "; transfer leadership away before removing it"));
    long voters = v.voters();
    long reachable = v.reachableVoters();
    if (t == null || !t.voter()) {
      checks.add(
          t == null
              ? Check.notEvaluated("FAULT_TOLERANCE_REDUCED", "P6-F1", "target unknown")
              : Check.pass(
                  "FAULT_TOLERANCE_REDUCED", "P6-F1", nodeId + " is a learner; voters unchanged"));
      checks.add(quorum(v, voters, reachable));
      return Decision.of("remove", nodeId, checks);
    }
    checks.add(tolerance(voters, voters - 1));
    boolean targetReachable = t.lastResponseMs() <= v.unhealthyAfterMs();
    checks.add(quorum(v, voters - 1, reachable - (targetReachable ? 1 : 0)));
    return Decision.of("remove", nodeId, checks);
  }

  private static List<Check> common(ClusterView v) {
    List<Check> checks = new ArrayList<>();
    checks.add(
        v.selfIsLeader()
            ? Check.pass("NOT_LEADER", "P6-A1", v.selfId() + " is the leader in term " + v.term())
            : Check.fail(
                "NOT_LEADER",
                "P6-A1",
                v.selfId()
                    + " is not the leader; leader is "
                    + (v.leaderId().isEmpty()
                        ? "unknown"
                        : v.leaderId() + " at " + v.leaderAddress())));
    checks.add(
        v.transferInProgress().isEmpty()
            ? Check.pass("TRANSFER_IN_PROGRESS", "P6-A2", "no transfer in flight")
            : Check.fail(
                "TRANSFER_IN_PROGRESS",
                "P6-A2",
                "transfer " + v.transferInProgress() + " is in flight"));
    checks.add(
        v.configurationStable()
            ? Check.pass("MEMBERSHIP_CHANGE_IN_PROGRESS", "P6-A2", "configuration is stable")
            : Check.fail(
                "MEMBERSHIP_CHANGE_IN_PROGRESS", "P6-A2", "a configuration change is in flight"));
    return checks;
  }

  private static Check known(ClusterView v, String nodeId, MemberView t) {
    return t != null
        ? Check.pass("TARGET_UNKNOWN", "P6-A3", nodeId + " is a member")
        : Check.fail(
            "TARGET_UNKNOWN", "P6-A3", nodeId + " is not a member of " + v.members().keySet());
  }

  private static Check tolerance(long before, long after) {
    long fb = ClusterView.faultTolerance(before);
    long fa = ClusterView.faultTolerance(after);
    String d =
        "fault tolerance "
            + fa
            + " with "
            + after
            + " voters"
            + (fa >= fb ? " >= " : " < ")
            + fb
            + " with "
            + before
            + " voters";
    return fa >= fb
        ? Check.pass("FAULT_TOLERANCE_REDUCED", "P6-F1", d)
        : Check.fail("FAULT_TOLERANCE_REDUCED", "P6-F1", d);
  }

  private static Check quorum(ClusterView v, long voters, long reachable) {
    long majority = ClusterView.majority(voters);
    String d =
        "reachable voters "
            + reachable
            + (reachable >= majority ? " >= " : " < ")
            + "majority "
            + majority
            + " of "
            + voters;
    return reachable >= majority
        ? Check.pass("NO_QUORUM", "P6-F1", d)
        : Check.fail("NO_QUORUM", "P6-F1", d);
  }
}
