package io.aerodb.node.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The transfer workflow's one transition table (SPEC §4): every allowed transition works, every
 * other one of the 8 x 8 pairs throws, a failed transfer has no way back to TRANSFERRING [P6-F3],
 * and one transfer at a time [P6-A2].
 */
class TransferWorkflowTest {
  private static final Set<List<TransferState>> ALLOWED =
      Set.of(
          List.of(TransferState.STEADY, TransferState.REQUESTED),
          List.of(TransferState.REQUESTED, TransferState.VALIDATING),
          List.of(TransferState.VALIDATING, TransferState.APPROVED),
          List.of(TransferState.VALIDATING, TransferState.DENIED),
          List.of(TransferState.APPROVED, TransferState.TRANSFERRING),
          List.of(TransferState.TRANSFERRING, TransferState.SUCCEEDED),
          List.of(TransferState.TRANSFERRING, TransferState.FAILED),
          List.of(TransferState.SUCCEEDED, TransferState.STEADY),
          List.of(TransferState.FAILED, TransferState.STEADY),
          List.of(TransferState.DENIED, TransferState.STEADY));

  @Test
  void theTableIsExactlyTheSpecsDiagram() {
    for (TransferState from : TransferState.values()) {
      for (TransferState to : TransferState.values()) {
        assertThat(from.canMoveTo(to))
            .as("%s -> %s", from, to)
            .isEqualTo(ALLOWED.contains(List.of(from, to)));
      }
    }
  }

  @Test
  void everyForbiddenTransitionThrowsFromEveryState() {
    for (TransferState from : TransferState.values()) {
      for (TransferState to : TransferState.values()) {
        if (ALLOWED.contains(List.of(from, to))) {
          continue;
        }
        TransferWorkflow w = reach(from);
        assertThatThrownBy(() -> w.moveTo(to))
            .as("%s -> %s", from, to)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("illegal transfer transition " + from + " -> " + to);
        assertThat(w.snapshot().state()).isEqualTo(from);
      }
    }
  }

  @Test
  void aFailedTransferCanOnlyGoBackToSteady() {
    assertThat(TransferState.FAILED.next()).containsExactly(TransferState.STEADY);
    assertThat(
            EnumSet.allOf(TransferState.class).stream()
                .filter(s -> s.canMoveTo(TransferState.TRANSFERRING)))
        .containsExactly(TransferState.APPROVED);
  }

  @Test
  void oneTransferAtATime() {
    TransferWorkflow w = new TransferWorkflow();
    assertThat(w.begin("r1", "n2")).isTrue();
    assertThat(w.begin("r2", "n3")).isFalse();
    assertThat(w.snapshot())
        .isEqualTo(new TransferWorkflow.Snapshot(TransferState.REQUESTED, "r1", "n2"));
    w.moveTo(TransferState.VALIDATING);
    w.moveTo(TransferState.DENIED);
    w.moveTo(TransferState.STEADY);
    assertThat(w.snapshot()).isEqualTo(new TransferWorkflow.Snapshot(TransferState.STEADY, "", ""));
    assertThat(w.begin("r2", "n3")).isTrue();
  }

  /** A workflow in state {@code s}, reached through allowed transitions only. */
  private static TransferWorkflow reach(TransferState s) {
    TransferWorkflow w = new TransferWorkflow();
    List<TransferState> path;
    switch (s) {
      case STEADY -> path = List.of();
      case REQUESTED -> path = List.of(TransferState.REQUESTED);
      case VALIDATING -> path = List.of(TransferState.REQUESTED, TransferState.VALIDATING);
      case APPROVED ->
          path = List.of(TransferState.REQUESTED, TransferState.VALIDATING, TransferState.APPROVED);
      case DENIED ->
          path = List.of(TransferState.REQUESTED, TransferState.VALIDATING, TransferState.DENIED);
      case TRANSFERRING ->
          path =
              List.of(
                  TransferState.REQUESTED,
                  TransferState.VALIDATING,
                  TransferState.APPROVED,
                  TransferState.TRANSFERRING);
      case SUCCEEDED ->
          path =
              List.of(
                  TransferState.REQUESTED,
                  TransferState.VALIDATING,
                  TransferState.APPROVED,
                  TransferState.TRANSFERRING,
                  TransferState.SUCCEEDED);
      case FAILED ->
          path =
              List.of(
                  TransferState.REQUESTED,
                  TransferState.VALIDATING,
                  TransferState.APPROVED,
                  TransferState.TRANSFERRING,
                  TransferState.FAILED);
      default -> throw new IllegalArgumentException(s.name());
    }
    for (TransferState step : path) {
      w.moveTo(step);
    }
    return w;
  }
}
