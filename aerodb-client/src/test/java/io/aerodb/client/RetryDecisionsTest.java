package io.aerodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.aerodb.client.Retrier.Failures;
import io.aerodb.client.Retrier.Kind;
import io.aerodb.client.Retrier.Next;
import io.aerodb.client.Retrier.Step;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Checks the retry loop's decisions without a server: for each call kind, which errors are retried,
 * where the next attempt goes, when the remembered leader is dropped and when to back off
 * (Retrier.decide); and what a call that runs out is told (Retrier.Failures): AERO_OUTCOME_UNKNOWN
 * once a write attempt's outcome was unknown, else the last answer or AERO_CLUSTER_UNAVAILABLE
 * naming the last answer a node gave. Errors are built as AeroClientException values, the way
 * AeroClientException.fromStatus builds them from a node's answer or a transport failure.
 */
class RetryDecisionsTest {
  private static final List<String> ENDPOINTS = List.of("a:1", "b:2");

  /** An error a node answered with. */
  private static AeroClientException answer(String code, String severity, String leaderAddress) {
    return new AeroClientException(
        code, severity, "said " + code, "", new TreeMap<>(), leaderAddress, "", "n1");
  }

  private static AeroClientException answer(String code) {
    return answer(code, "ERROR", "");
  }

  /** A transport failure after which the request may have been sent (no node's answer). */
  private static AeroClientException transport() {
    return new AeroClientException(
        "transport", "ERROR", "a:1: UNAVAILABLE io", "", new TreeMap<>(), "", "", "");
  }

  /** A refused connection: nothing was sent (no node's answer). */
  private static AeroClientException refused() {
    return ClientErrors.of(ClientErrors.CLUSTER_UNAVAILABLE, "a:1: UNAVAILABLE refused");
  }

  private static Step write(AeroClientException e) {
    return Retrier.decide(Kind.LEADER_WRITE, e, 0);
  }

  @Test
  void aWriteFollowsANamedLeaderAtOnceAndBacksOffWhenNoneIsNamed() {
    assertThat(write(answer("AERO_NOT_LEADER", "ERROR", "b:2")))
        .isEqualTo(new Step(Next.FOLLOW_LEADER, false, false, false));
    assertThat(write(answer("AERO_NOT_LEADER")))
        .isEqualTo(new Step(Next.FOLLOW_LEADER, false, true, false));
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownIsRetriedAndMarkedUnknown() {
    assertThat(write(answer("AERO_OUTCOME_UNKNOWN", "ERROR", "b:2")))
        .isEqualTo(new Step(Next.FOLLOW_LEADER, false, true, true));
    assertThat(write(transport())).isEqualTo(new Step(Next.NEXT_AFTER_FAILURE, true, true, true));
  }

  @Test
  void aWriteWaitsOnTheSameNodeWhileTheClusterHasNoReadyLeader() {
    for (String code :
        List.of(
            "AERO_CLUSTER_NO_LEADER",
            "AERO_CLUSTER_LEADER_NOT_READY",
            "AERO_CLUSTER_LEADER_STEPPING_DOWN",
            "AERO_CLUSTER_OVERLOADED")) {
      assertThat(write(answer(code))).as(code).isEqualTo(new Step(Next.SAME, false, true, false));
    }
  }

  @Test
  void aWriteMovesOnFromANodeThatCannotServeWithoutMakingTheOutcomeUnknown() {
    Step moveOn = new Step(Next.NEXT_AFTER_FAILURE, true, true, false);
    assertThat(write(answer("AERO_NODE_NOT_READY"))).isEqualTo(moveOn);
    assertThat(write(refused())).isEqualTo(moveOn);
  }

  @Test
  void aWriteFailsAtOnceOnRejectionsAndErrorsARetryCannotFix() {
    assertThat(write(answer("AERO_VALIDATION_TYPE_MISMATCH", "REJECT", ""))).isEqualTo(Step.FAIL);
    assertThat(write(answer("AERO_INTERNAL"))).isEqualTo(Step.FAIL);
    assertThat(write(answer("AERO_STORAGE_CORRUPTION", "FATAL", ""))).isEqualTo(Step.FAIL);
    assertThat(write(ClientErrors.of(ClientErrors.LIMIT_REQUEST_SIZE, "too big")))
        .isEqualTo(Step.FAIL);
  }

  @Test
  void aReadTriesTheNextNodeOnAnythingButARejectionOrAnInternalError() {
    Step next = new Step(Next.NEXT_ENDPOINT, false, true, false);
    for (AeroClientException e :
        List.of(
            answer("AERO_NOT_LEADER", "ERROR", "b:2"),
            answer("AERO_READ_LEADERSHIP_UNCONFIRMED"),
            answer("AERO_OUTCOME_UNKNOWN"),
            transport(),
            refused())) {
      assertThat(Retrier.decide(Kind.ANY_NODE_READ, e, 3)).as(e.code()).isEqualTo(next);
    }
    assertThat(
            Retrier.decide(
                Kind.ANY_NODE_READ, answer("AERO_QUERY_LIMIT_REQUIRED", "REJECT", ""), 0))
        .isEqualTo(Step.FAIL);
    assertThat(Retrier.decide(Kind.ANY_NODE_READ, answer("AERO_INTERNAL"), 0)).isEqualTo(Step.FAIL);
  }

  @Test
  void anAdminCallFollowsANamedLeaderOrReasksAfterARefusalAtMostTwice() {
    AeroClientException notLeader = answer("AERO_NOT_LEADER", "ERROR", "b:2");
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThat(Retrier.decide(Kind.LEADER_ADMIN, notLeader, attempt))
          .isEqualTo(new Step(Next.FOLLOW_LEADER, false, false, false));
      assertThat(Retrier.decide(Kind.LEADER_ADMIN, refused(), attempt))
          .isEqualTo(new Step(Next.ASK_LEADER, true, false, false));
    }
    assertThat(Retrier.decide(Kind.LEADER_ADMIN, notLeader, 2)).isEqualTo(Step.FAIL);
    assertThat(Retrier.decide(Kind.LEADER_ADMIN, refused(), 2)).isEqualTo(Step.FAIL);
  }

  @Test
  void anAdminCallIsNeverRetriedAfterItMayHaveReachedTheLeader() {
    assertThat(Retrier.decide(Kind.LEADER_ADMIN, transport(), 0)).isEqualTo(Step.FAIL);
    assertThat(Retrier.decide(Kind.LEADER_ADMIN, answer("AERO_NOT_LEADER"), 0))
        .isEqualTo(Step.FAIL); // names no leader
    assertThat(Retrier.decide(Kind.LEADER_ADMIN, answer("AERO_CLUSTER_NO_LEADER"), 0))
        .isEqualTo(Step.FAIL);
  }

  @Test
  void aCallAtOneEndpointIsNeverRetried() {
    for (AeroClientException e :
        List.of(answer("AERO_NOT_LEADER", "ERROR", "b:2"), transport(), refused())) {
      assertThat(Retrier.decide(Kind.ONE_ENDPOINT, e, 0)).as(e.code()).isEqualTo(Step.FAIL);
    }
  }

  // ------------------------------------------------------------------------- running out

  private static Failures failures(Kind kind, AeroClientException... errors) {
    Failures f = new Failures();
    for (int i = 0; i < errors.length; i++) {
      f.record(errors[i], Retrier.decide(kind, errors[i], i));
    }
    return f;
  }

  private static AeroClientException exhausted(Failures f) {
    return f.exhausted(
        ByteString.copyFrom(new byte[] {1, 2, (byte) 0xab}), Duration.ofMillis(1500), ENDPOINTS);
  }

  @Test
  void aWriteThatMayHaveBeenAppliedEndsOutcomeUnknownNamingItsRequestId() {
    AeroClientException e =
        exhausted(
            failures(
                Kind.LEADER_WRITE,
                transport(),
                answer("AERO_CLUSTER_NO_LEADER"), // later definite answers do not undo it
                answer("AERO_NOT_LEADER", "ERROR", "b:2")));
    assertThat(e.code()).isEqualTo("AERO_OUTCOME_UNKNOWN");
    assertThat(e.details())
        .containsEntry("requestId", "0102ab")
        .containsEntry("lastError", "AERO_NOT_LEADER: said AERO_NOT_LEADER");
  }

  @Test
  void aWriteWhoseAttemptsWereAllRefusedDefinitelyEndsWithTheLastAnswer() {
    AeroClientException last = answer("AERO_CLUSTER_NO_LEADER");
    Failures f = failures(Kind.LEADER_WRITE, refused(), answer("AERO_NODE_NOT_READY"), last);
    assertThat(exhausted(f)).isSameAs(last);
  }

  @Test
  void whenTheLastAttemptReachedNoNodeTheErrorNamesTheLastAnswerANodeGave() {
    AeroClientException e =
        exhausted(
            failures(
                Kind.ANY_NODE_READ,
                answer("AERO_READ_LEADERSHIP_UNCONFIRMED"),
                transport(),
                refused()));
    assertThat(e.code()).isEqualTo("AERO_CLUSTER_UNAVAILABLE");
    assertThat(e.detailMessage())
        .isEqualTo(
            "no node answered within 1500 ms; the last answer was"
                + " AERO_READ_LEADERSHIP_UNCONFIRMED from n1: said AERO_READ_LEADERSHIP_UNCONFIRMED");
    assertThat(e.details())
        .containsEntry("endpoints", "a:1,b:2")
        .containsEntry("lastError", "a:1: UNAVAILABLE refused")
        .containsEntry("lastAnswer", "AERO_READ_LEADERSHIP_UNCONFIRMED");
  }

  @Test
  void whenNoNodeEverAnsweredARefusedConnectionIsReportedAsItIs() {
    AeroClientException last = refused();
    assertThat(exhausted(failures(Kind.ANY_NODE_READ, transport(), last))).isSameAs(last);
  }

  @Test
  void whenNoNodeEverAnsweredATransportFailureBecomesClusterUnavailable() {
    AeroClientException e = exhausted(failures(Kind.ANY_NODE_READ, refused(), transport()));
    assertThat(e.code()).isEqualTo("AERO_CLUSTER_UNAVAILABLE");
    assertThat(e.detailMessage()).isEqualTo("no node answered within 1500 ms");
    assertThat(e.details())
        .containsEntry("lastError", "a:1: UNAVAILABLE io")
        .containsEntry("lastAnswer", "");
  }

  @Test
  void aReadIsNeverOutcomeUnknownAndACallWithoutAttemptsIsClusterUnavailable() {
    assertThat(exhausted(failures(Kind.ANY_NODE_READ, transport())).code())
        .isEqualTo("AERO_CLUSTER_UNAVAILABLE");
    assertThat(exhausted(new Failures()).code()).isEqualTo("AERO_CLUSTER_UNAVAILABLE");
  }
}
