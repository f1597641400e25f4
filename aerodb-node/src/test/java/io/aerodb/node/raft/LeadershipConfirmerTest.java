package io.aerodb.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aerodb.node.raft.LeadershipConfirmer.Claim;
import io.aerodb.node.raft.LeadershipConfirmer.LocalView;
import io.aerodb.node.raft.LeadershipConfirmer.Outcome;
import io.aerodb.node.raft.LeadershipConfirmer.Voters;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** [R-LIN] The majority rule and the answer rule of leadership confirmation, on their own. */
class LeadershipConfirmerTest {
  private static Voters voters(String current, String previous) {
    return new Voters(set(current), set(previous));
  }

  private static TreeSet<String> set(String ids) {
    TreeSet<String> s = new TreeSet<>();
    for (String id : ids.split(",")) {
      if (!id.isEmpty()) {
        s.add(id);
      }
    }
    return s;
  }

  private static Map<String, Boolean> answers(Object... idAndYes) {
    Map<String, Boolean> m = new TreeMap<>();
    for (int i = 0; i < idAndYes.length; i += 2) {
      m.put((String) idAndYes[i], (Boolean) idAndYes[i + 1]);
    }
    return m;
  }

  @Test
  void aMajorityOfYesConfirmsAndHalfOrMoreNoRefuses() {
    Voters three = voters("n1,n2,n3", "");
    assertEquals(Outcome.PENDING, three.tally(answers("n1", true)));
    assertEquals(Outcome.CONFIRMED, three.tally(answers("n1", true, "n3", true)));
    assertEquals(Outcome.PENDING, three.tally(answers("n1", true, "n2", false)));
    assertEquals(Outcome.REFUSED, three.tally(answers("n1", true, "n2", false, "n3", false)));
    assertEquals(Outcome.REFUSED, three.tally(answers("n2", false, "n3", false)));

    Voters five = voters("n1,n2,n3,n4,n5", "");
    assertEquals(Outcome.PENDING, five.tally(answers("n1", true, "n2", true)));
    assertEquals(Outcome.CONFIRMED, five.tally(answers("n1", true, "n2", true, "n5", true)));
    assertEquals(
        Outcome.REFUSED, five.tally(answers("n1", true, "n2", false, "n3", false, "n4", false)));
  }

  @Test
  void answersFromNonVotersDoNotCount() {
    Voters three = voters("n1,n2,n3", "");
    assertEquals(Outcome.PENDING, three.tally(answers("n1", true, "n4", true, "n5", true)));
  }

  @Test
  void duringAConfigurationChangeBothMajoritiesMustConfirm() {
    Voters joint = voters("n1,n2,n4", "n1,n2,n3");
    assertEquals(Outcome.PENDING, joint.tally(answers("n1", true, "n4", true)));
    assertEquals(Outcome.CONFIRMED, joint.tally(answers("n1", true, "n4", true, "n3", true)));
    assertEquals(Outcome.REFUSED, joint.tally(answers("n1", true, "n2", false, "n3", false)));
  }

  @Test
  void aNodeConfirmsOnlyItsOwnTermAndLeader() {
    Claim c = new Claim("n1", 7);
    assertTrue(new LocalView("n1", 7, "n1", true).confirms(c), "the leader itself");
    assertTrue(new LocalView("n2", 7, "n1", false).confirms(c), "a follower of n1 in term 7");
    assertFalse(new LocalView("n2", 8, "n3", false).confirms(c), "a later term");
    assertFalse(new LocalView("n2", 8, "", false).confirms(c), "a candidate of a later term");
    assertFalse(new LocalView("n2", 6, "n1", false).confirms(c), "an earlier term");
    assertFalse(new LocalView("n1", 7, "n1", false).confirms(c), "n1 no longer leads");
    assertFalse(new LocalView("n2", 7, "", false).confirms(c), "no leader known");
  }
}
