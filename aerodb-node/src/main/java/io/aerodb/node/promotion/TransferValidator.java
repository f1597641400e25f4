package io.aerodb.node.promotion;

import io.aerodb.node.promotion.Decision.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether leadership may move to a target: a pure function of the leader's {@link
 * ClusterView} [P6-D1]. Every check is evaluated (explain shows them all); the first failing one in
 * this order is the denial reason (SPEC §4):
 *
 * <ol>
 *   <li>NOT_LEADER [P6-A1] — only the leader can hand over leadership (the answer names the
 *       leader);
 *   <li>TRANSFER_IN_PROGRESS, MEMBERSHIP_CHANGE_IN_PROGRESS [P6-A2] — one authority change at a
 *       time;
 *   <li>TARGET_UNKNOWN, TARGET_IS_SELF, TARGET_IS_LEARNER [P6-A3] — only another voter can lead;
 *   <li>NO_QUORUM [P6-F1] — a majority of voters must be reachable;
 *   <li>TARGET_UNHEALTHY, TARGET_INSTALLING_SNAPSHOT [P6-S2] — the target answers and has no
 *       snapshot gap;
 *   <li>TARGET_LAGGING [P6-S1] — the target's match index is at least the leader's commit index, so
 *       it holds every acknowledged write.
 * </ol>
 */
public final class TransferValidator {
  public static final String ACTION = "transfer-leader";

  private TransferValidator() {}

  public static Decision decide(ClusterView v, String target) {
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
    MemberView t = v.members().get(target);
    checks.add(
        t != null
            ? Check.pass("TARGET_UNKNOWN", "P6-A3", target + " is a member")
            : Check.fail(
                "TARGET_UNKNOWN", "P6-A3", target + " is not a member of " + v.members().keySet()));
    if (t == null) {
      for (String name : new String[] {"TARGET_IS_SELF", "TARGET_IS_LEARNER"}) {
        checks.add(Check.notEvaluated(name, "P6-A3", "target unknown"));
      }
    } else {
      checks.add(
          !target.equals(v.selfId())
              ? Check.pass("TARGET_IS_SELF", "P6-A3", target + " is not this leader")
              : Check.fail("TARGET_IS_SELF", "P6-A3", target + " already leads term " + v.term()));
      checks.add(
          t.voter()
              ? Check.pass("TARGET_IS_LEARNER", "P6-A3", target + " is a voter")
              : Check.fail("TARGET_IS_LEARNER", "P6-A3", target + " is a learner (non-voting)"));
    }
    long reachable = v.reachableVoters();
    long majority = ClusterView.majority(v.voters());
    String quorumDetail =
        "reachable voters "
            + reachable
            + (reachable >= majority ? " >= " : " < ")
            + "majority "
            + majority
            + " of "
            + v.voters();
    checks.add(
        reachable >= majority
            ? Check.pass("NO_QUORUM", "P6-F1", quorumDetail)
            : Check.fail("NO_QUORUM", "P6-F1", quorumDetail));
    if (t == null || target.equals(v.selfId())) {
      for (String name :
          new String[] {"TARGET_UNHEALTHY", "TARGET_INSTALLING_SNAPSHOT", "TARGET_LAGGING"}) {
        checks.add(
            Check.notEvaluated(
                name, name.equals("TARGET_LAGGING") ? "P6-S1" : "P6-S2", "no follower target"));
      }
      return Decision.of(ACTION, target, checks);
    }
    String health =
        MemberView.describeLastAnswer(t.lastResponseMs())
            + (t.lastResponseMs() <= v.unhealthyAfterMs() ? " <= " : " > ")
            + v.unhealthyAfterMs()
            + " ms";
    checks.add(
        t.lastResponseMs() <= v.unhealthyAfterMs()
            ? Check.pass("TARGET_UNHEALTHY", "P6-S2", health)
            : Check.fail("TARGET_UNHEALTHY", "P6-S2", health));
    checks.add(
        !t.installingSnapshot()
            ? Check.pass("TARGET_INSTALLING_SNAPSHOT", "P6-S2", "no snapshot install needed")
            : Check.fail(
                "TARGET_INSTALLING_SNAPSHOT", "P6-S2", target + " needs a snapshot install"));
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
    return Decision.of(ACTION, target, checks);
  }
}
