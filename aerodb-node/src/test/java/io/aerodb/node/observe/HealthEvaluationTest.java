package io.aerodb.node.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aerodb.proto.v1.NodeStatusReply;
import org.junit.jupiter.api.Test;

/** HealthMonitor.evaluate: what each probe says for a node status. */
class HealthEvaluationTest {
  private static NodeStatusReply status(String phase, String leader, long commit, long applied) {
    return NodeStatusReply.newBuilder()
        .setNodeId("n1")
        .setPhase(phase)
        .setLeaderId(leader)
        .setCommitIndex(commit)
        .setAppliedIndex(applied)
        .build();
  }

  @Test
  void servingAndCaughtUpIsReady() {
    Health h = HealthMonitor.evaluate(status("SERVING", "n2", 100, 95), 10);
    assertEquals(new Health(true, true, true, ""), h);
  }

  @Test
  void noLeaderMeansLiveButNotServing() {
    Health h = HealthMonitor.evaluate(status("SERVING", "", 100, 100), 10);
    assertTrue(h.live());
    assertFalse(h.serving());
    assertFalse(h.ready());
    assertEquals("no leader known", h.reason());
  }

  @Test
  void recoveringIsLiveButNotServing() {
    Health h = HealthMonitor.evaluate(status("STARTING", "n2", 0, 0), 10);
    assertTrue(h.live());
    assertFalse(h.serving());
    assertEquals("phase STARTING", h.reason());
  }

  @Test
  void failedAfterCorruptionIsNeitherLiveNorServing() {
    Health h = HealthMonitor.evaluate(status("FAILED", "n2", 100, 100), 10);
    assertFalse(h.live());
    assertFalse(h.serving());
    assertFalse(h.ready());
    assertEquals("phase FAILED", h.reason());
  }

  @Test
  void servingButBehindIsNotReadyAndSaysByHowMuch() {
    Health h = HealthMonitor.evaluate(status("SERVING", "n2", 1000, 989), 10);
    assertTrue(h.serving());
    assertFalse(h.ready());
    assertEquals(
        "applied index 989 is 11 entries behind commit index 1000 (readinessLagMax 10)",
        h.reason());
    assertTrue(HealthMonitor.evaluate(status("SERVING", "n2", 1000, 990), 10).ready());
  }
}
