package io.aerodb.ratis;

import static io.aerodb.ratis.InstallDecision.FETCH;
import static io.aerodb.ratis.InstallDecision.FROM_THE_LOG;
import static io.aerodb.ratis.InstallDecision.OWN_STORE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstallDecisionTest {
  private static final long UNREADABLE = Long.MIN_VALUE;

  @Test
  void aNodeBehindTheLeadersLogFetchesAStore() {
    assertThat(InstallDecision.of(100, 102, 5, -1)).isEqualTo(FETCH);
    assertThat(InstallDecision.of(0, 50, 1, -1)).isEqualTo(FETCH);
  }

  @Test
  void aFormerLeaderDivergingRightAfterItsAppliedIndexReportsItsOwnStore() {
    // the leader's log starts at 1557 in term 3; this node's entry 1557 is of its own term 2
    assertThat(InstallDecision.of(1556, 1557, 3, 2)).isEqualTo(OWN_STORE);
    // ... or it has no entry there at all
    assertThat(InstallDecision.of(1556, 1557, 3, -1)).isEqualTo(OWN_STORE);
  }

  @Test
  void everyOtherNodeCatchesUpFromTheLog() {
    // its entry after the applied index matches the leader's: the leader can append after it
    assertThat(InstallDecision.of(1556, 1557, 3, 3)).isEqualTo(FROM_THE_LOG);
    // the leader's log holds the applied entry itself: the previous term is known
    assertThat(InstallDecision.of(1556, 1500, 3, 2)).isEqualTo(FROM_THE_LOG);
    // nothing applied: nothing to offer
    assertThat(InstallDecision.of(0, 1, 1, -1)).isEqualTo(FROM_THE_LOG);
    assertThat(InstallDecision.of(0, 0, 1, -1)).isEqualTo(FROM_THE_LOG);
    // its log cannot be read now: it does not risk reporting its own store
    assertThat(InstallDecision.of(1556, 1557, 3, UNREADABLE)).isEqualTo(FROM_THE_LOG);
  }
}
