package io.aerodb.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.node.testing.History.Op;
import io.aerodb.node.testing.History.Outcome;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The system test's checker catches what it exists to catch: a lost, changed or resurrected write.
 */
class HistoryTest {
  private static History history() {
    History h = new History();
    h.record(new Op(0, "a", "{\"v\":1}", Outcome.ACKED, 10, 0, "", "n1"));
    h.record(new Op(0, "b", "{\"v\":2}", Outcome.ACKED, 12, 0, "", "n1"));
    h.record(
        new Op(0, "c", "{\"v\":3}", Outcome.REFUSED, 0, 0, "AERO_VALIDATION_TYPE_MISMATCH", "n1"));
    h.record(new Op(1, "d", "{\"v\":4}", Outcome.UNKNOWN, 0, 0, "AERO_OUTCOME_UNKNOWN", "n1"));
    return h;
  }

  @Test
  void aCorrectStateHasNoViolations() {
    Map<String, String> store = Map.of("a", "{\"v\":1}", "b", "{\"v\":2}", "d", "{\"v\":4}");
    assertThat(history().violations("n1", id -> Optional.ofNullable(store.get(id)))).isEmpty();
    Map<String, String> withoutUnknown = Map.of("a", "{\"v\":1}", "b", "{\"v\":2}");
    assertThat(history().violations("n1", id -> Optional.ofNullable(withoutUnknown.get(id))))
        .isEmpty();
  }

  @Test
  void aLostAcknowledgedWriteIsFound() {
    Map<String, String> store = Map.of("a", "{\"v\":1}");
    assertThat(history().violations("n1", id -> Optional.ofNullable(store.get(id))))
        .containsExactly("n1: acknowledged write b at index 12 is lost");
  }

  @Test
  void aChangedOrAVisibleRefusedWriteIsFound() {
    Map<String, String> store = Map.of("a", "{\"v\":9}", "b", "{\"v\":2}", "c", "{\"v\":3}");
    assertThat(history().violations("n2", id -> Optional.ofNullable(store.get(id))))
        .hasSize(2)
        .anyMatch(p -> p.contains("a reads"))
        .anyMatch(p -> p.contains("refused write c"));
  }

  @Test
  void commitIndexesOfOneWriterMustIncrease() {
    History h = history();
    h.record(new Op(0, "e", "{}", Outcome.ACKED, 11, 0, "", "n1"));
    assertThat(
            h.violations(
                "n1",
                id ->
                    Optional.of(
                        id.equals("e") ? "{}" : id.equals("a") ? "{\"v\":1}" : "{\"v\":2}")))
        .anyMatch(p -> p.contains("commit index 11 after 12"));
  }
}
