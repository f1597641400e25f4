package io.aerodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the endpoint list and the remembered leader without opening a connection: endpoints in
 * turn, a named leader remembered and added once, forgetting it, and an empty list refused. No call
 * here touches a channel.
 */
class EndpointsTest {

  @Test
  void endpointsComeInTurn() {
    try (Endpoints e = new Endpoints(List.of("a:1", "b:2", "c:3"))) {
      assertThat(List.of(e.next(), e.next(), e.next(), e.next()))
          .containsExactly("a:1", "b:2", "c:3", "a:1");
      assertThat(e.leaderOrNext()).isEqualTo("b:2"); // no leader remembered
    }
  }

  @Test
  void aNamedLeaderIsRememberedAndAddedOnce() {
    try (Endpoints e = new Endpoints(List.of("a:1", "b:2"))) {
      assertThat(e.follow("z:9")).isEqualTo("z:9");
      assertThat(e.follow("z:9")).isEqualTo("z:9");
      assertThat(e.list()).containsExactly("a:1", "b:2", "z:9");
      assertThat(e.leaderOrNext()).isEqualTo("z:9");
      assertThat(e.leaderEndpoint()).isEqualTo("z:9");
      e.forgetLeader();
      assertThat(e.leaderOrNext()).isEqualTo("a:1");
    }
  }

  @Test
  void whenNoLeaderIsNamedTheNextEndpointIsTriedAndNothingIsRemembered() {
    try (Endpoints e = new Endpoints(List.of("a:1", "b:2"))) {
      e.rememberLeader("b:2");
      e.forgetLeader();
      assertThat(e.follow("")).isEqualTo("a:1");
      assertThat(e.leaderOrNext()).isEqualTo("b:2");
      assertThat(e.list()).containsExactly("a:1", "b:2");
    }
  }

  @Test
  void anEmptyListIsRefused() {
    assertThatThrownBy(() -> new Endpoints(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least one endpoint host:port");
    assertThatThrownBy(() -> AeroClient.connect(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseEndpointsSkipsBlanksAndTrims() {
    assertThat(AeroClient.parseEndpoints(" a:1, ,b:2,")).containsExactly("a:1", "b:2");
  }
}
