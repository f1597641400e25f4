package io.aerodb.node.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The promotion validators as pure functions of a view [P6-D1]: every denial reason of SPEC §4 with
 * its invariant and the numbers it compared, the order of the checks, explanations that are
 * byte-identical for equal inputs [P6-O2], and the membership rules that keep fault tolerance
 * [P6-F1].
 */
class ValidatorTest {
  /**
   * A healthy 3-voter cluster led by n1: commit 100, every follower caught up, answered 50 ms ago.
   */
  static ClusterView healthy() {
    return view(
        true,
        "",
        true,
        Map.of(
            "n1", new MemberView("n1", true, 100, 0, false),
            "n2", new MemberView("n2", true, 100, 50, false),
            "n3", new MemberView("n3", true, 100, 50, false)));
  }

  static ClusterView view(
      boolean leader, String transfer, boolean stable, Map<String, MemberView> members) {
    return new ClusterView(
        "n1",
        leader,
        leader ? "n1" : "n2",
        leader ? "127.0.0.1:7101" : "127.0.0.1:7111",
        7,
        100,
        new TreeMap<>(members),
        stable,
        transfer,
        1000);
  }

  static ClusterView with(MemberView m) {
    TreeMap<String, MemberView> members = new TreeMap<>(healthy().members());
    members.put(m.id(), m);
    return view(true, "", true, members);
  }

  @Test
  void anUpToDateFollowerIsApprovedWithEveryCheckPassing() {
    Decision d = TransferValidator.decide(healthy(), "n2");
    assertThat(d.approved()).isTrue();
    assertThat(d.checks()).extracting(Decision.Check::verdict).containsOnly("PASS");
    assertThat(d.checks())
        .extracting(Decision.Check::name)
        .containsExactly(
            "NOT_LEADER",
            "TRANSFER_IN_PROGRESS",
            "MEMBERSHIP_CHANGE_IN_PROGRESS",
            "TARGET_UNKNOWN",
            "TARGET_IS_SELF",
            "TARGET_IS_LEARNER",
            "NO_QUORUM",
            "TARGET_UNHEALTHY",
            "TARGET_INSTALLING_SNAPSHOT",
            "TARGET_LAGGING");
  }

  @Test
  void everyDenialNamesItsReasonInvariantAndNumbers() {
    expect(
        TransferValidator.decide(view(false, "", true, healthy().members()), "n3"),
        "NOT_LEADER",
        "P6-A1",
        "NOT_LEADER: n1 is not the leader; leader is n2 at 127.0.0.1:7111 [P6-A1]");
    expect(
        TransferValidator.decide(view(true, "req-9", true, healthy().members()), "n2"),
        "TRANSFER_IN_PROGRESS",
        "P6-A2",
        "TRANSFER_IN_PROGRESS: transfer req-9 is in flight [P6-A2]");
    expect(
        TransferValidator.decide(view(true, "", false, healthy().members()), "n2"),
        "MEMBERSHIP_CHANGE_IN_PROGRESS",
        "P6-A2",
        "MEMBERSHIP_CHANGE_IN_PROGRESS: a configuration change is in flight [P6-A2]");
    expect(
        TransferValidator.decide(healthy(), "n9"),
        "TARGET_UNKNOWN",
        "P6-A3",
        "TARGET_UNKNOWN: n9 is not a member of [n1, n2, n3] [P6-A3]");
    expect(
        TransferValidator.decide(healthy(), "n1"),
        "TARGET_IS_SELF",
        "P6-A3",
        "TARGET_IS_SELF: n1 already leads term 7 [P6-A3]");
    expect(
        TransferValidator.decide(with(new MemberView("n4", false, 100, 10, false)), "n4"),
        "TARGET_IS_LEARNER",
        "P6-A3",
        "TARGET_IS_LEARNER: n4 is a learner (non-voting) [P6-A3]");
    TreeMap<String, MemberView> twoDown = new TreeMap<>(healthy().members());
    twoDown.put("n2", new MemberView("n2", true, 90, 5000, false));
    twoDown.put("n3", new MemberView("n3", true, 90, 5000, false));
    expect(
        TransferValidator.decide(view(true, "", true, twoDown), "n2"),
        "NO_QUORUM",
        "P6-F1",
        "NO_QUORUM: reachable voters 1 < majority 2 of 3 [P6-F1]");
    expect(
        TransferValidator.decide(with(new MemberView("n3", true, 100, 1500, false)), "n3"),
        "TARGET_UNHEALTHY",
        "P6-S2",
        "TARGET_UNHEALTHY: last answer 1500 ms ago > 1000 ms [P6-S2]");
    expect(
        TransferValidator.decide(with(new MemberView("n3", true, 100, 40, true)), "n3"),
        "TARGET_INSTALLING_SNAPSHOT",
        "P6-S2",
        "TARGET_INSTALLING_SNAPSHOT: n3 needs a snapshot install [P6-S2]");
    expect(
        TransferValidator.decide(with(new MemberView("n3", true, 88, 40, false)), "n3"),
        "TARGET_LAGGING",
        "P6-S1",
        "TARGET_LAGGING: match index 88 < commit index 100 [P6-S1]");
  }

  @Test
  void theFirstFailingCheckDecidesAndLaterOnesAreStillExplained() {
    Decision d = TransferValidator.decide(view(false, "req-1", true, healthy().members()), "n9");
    assertThat(d.reason()).isEqualTo("NOT_LEADER");
    assertThat(d.checks())
        .filteredOn(c -> c.verdict().equals("FAIL"))
        .extracting(Decision.Check::name)
        .containsExactly("NOT_LEADER", "TRANSFER_IN_PROGRESS", "TARGET_UNKNOWN");
    assertThat(d.checks())
        .filteredOn(c -> c.verdict().equals("NOT_EVALUATED"))
        .extracting(Decision.Check::detail)
        .contains("target unknown", "no follower target");
  }

  @Test
  void equalViewsGiveByteIdenticalExplanations() {
    // The same members inserted in another order, and a second, separately built view.
    Map<String, MemberView> reversed = new LinkedHashMap<>();
    List.of("n3", "n2", "n1").forEach(id -> reversed.put(id, healthy().members().get(id)));
    ClusterView a = with(new MemberView("n3", true, 88, 40, false));
    TreeMap<String, MemberView> m = new TreeMap<>(reversed);
    m.put("n3", new MemberView("n3", true, 88, 40, false));
    ClusterView b = view(true, "", true, m);
    String first = TransferValidator.decide(a, "n3").explanation();
    assertThat(TransferValidator.decide(b, "n3").explanation()).isEqualTo(first);
    assertThat(TransferValidator.decide(a, "n3").explanation()).isEqualTo(first);
    assertThat(first).startsWith("{\"action\":\"transfer-leader\",\"approved\":false,\"checks\":[");
  }

  @Test
  void removingAVoterFromThreeIsRefusedFromFourItIsAllowed() {
    Decision three = MembershipValidator.remove(healthy(), "n3");
    expect(
        three,
        "FAULT_TOLERANCE_REDUCED",
        "P6-F1",
        "FAULT_TOLERANCE_REDUCED: fault tolerance 0 with 2 voters < 1 with 3 voters [P6-F1]");
    ClusterView four = with(new MemberView("n4", true, 100, 20, false));
    assertThat(MembershipValidator.remove(four, "n4").approved()).isTrue();
    assertThat(
            MembershipValidator.remove(with(new MemberView("n4", false, 100, 20, false)), "n4")
                .approved())
        .isTrue();
    expect(
        MembershipValidator.remove(healthy(), "n1"),
        "TARGET_IS_LEADER",
        "P6-A2",
        "TARGET_IS_LEADER: n1 leads term 7; transfer leadership away before removing it [P6-A2]");
  }

  @Test
  void promotingWhileAVoterIsUnreachableIsRefused() {
    TreeMap<String, MemberView> m = new TreeMap<>(healthy().members());
    m.put("n3", new MemberView("n3", true, 90, 8000, false));
    m.put("n4", new MemberView("n4", false, 100, 10, false));
    expect(
        MembershipValidator.promote(view(true, "", true, m), "n4"),
        "VOTER_UNREACHABLE",
        "P6-F1",
        "VOTER_UNREACHABLE: 2 of 3 voters reachable; a new voter would raise the majority to 3 without adding"
            + " a live voter that is caught up [P6-F1]");
    ClusterView ok = with(new MemberView("n4", false, 100, 10, false));
    assertThat(MembershipValidator.promote(ok, "n4").approved()).isTrue();
    expect(
        MembershipValidator.promote(with(new MemberView("n4", false, 60, 10, false)), "n4"),
        "TARGET_LAGGING",
        "P6-S1",
        "TARGET_LAGGING: match index 60 < commit index 100 [P6-S1]");
    expect(
        MembershipValidator.promote(healthy(), "n2"),
        "TARGET_NOT_LEARNER",
        "P6-A3",
        "TARGET_NOT_LEARNER: n2 is already a voter [P6-A3]");
  }

  @Test
  void aJoiningNodeMustBeWhoItClaimsInThisClusterAndEmpty() {
    JoinCandidate good = new JoinCandidate(true, "n4", "c1", "127.0.0.1:7130", 0, "");
    assertThat(MembershipValidator.addLearner(healthy(), "n4", good, "c1").approved()).isTrue();
    expect(
        MembershipValidator.addLearner(
            healthy(), "n4", new JoinCandidate(false, "", "", "", 0, "connection refused"), "c1"),
        "NODE_UNREACHABLE",
        "P6-A3",
        "NODE_UNREACHABLE: n4 did not answer: connection refused [P6-A3]");
    expect(
        MembershipValidator.addLearner(
            healthy(), "n4", new JoinCandidate(true, "n5", "c1", "h:1", 0, ""), "c1"),
        "NODE_ID_MISMATCH",
        "P6-A3",
        "NODE_ID_MISMATCH: the node reports id n5, not n4 [P6-A3]");
    expect(
        MembershipValidator.addLearner(
            healthy(), "n4", new JoinCandidate(true, "n4", "other", "h:1", 0, ""), "c1"),
        "CLUSTER_MISMATCH",
        "P6-A3",
        "CLUSTER_MISMATCH: the node is configured for cluster other, not c1 [P6-A3]");
    expect(
        MembershipValidator.addLearner(
            healthy(), "n4", new JoinCandidate(true, "n4", "c1", "h:1", 42, ""), "c1"),
        "NODE_NOT_EMPTY",
        "P6-A3",
        "NODE_NOT_EMPTY: the node already applied index 42 (wipe it or give it a new id) [P6-A3]");
    expect(
        MembershipValidator.addLearner(healthy(), "n2", good, "c1"),
        "MEMBER_EXISTS",
        "P6-A3",
        "MEMBER_EXISTS: n2 is already a member [P6-A3]");
  }

  private static void expect(Decision d, String reason, String invariant, String summary) {
    assertThat(d.approved()).isFalse();
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.invariant()).isEqualTo(invariant);
    assertThat(d.summary()).isEqualTo(summary);
  }
}
