package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The performance-experiment overrides ({@code -Daerodb.ratis.<key>=<value>}): a performance key is
 * replaced and shows in describe(); the safety keys are refused.
 */
class RatisConfigOverrideTest {
  private static RatisConfig config() {
    return RatisConfig.server(
        new RaftSettings(Path.of("/tmp/unused"), "127.0.0.1", 1, 500, 1000, 3000, true));
  }

  @Test
  void overridesAPerformanceKey() {
    RatisConfig c = config();
    Properties p = new Properties();
    p.setProperty("aerodb.ratis.raft.server.log.log-metadata.enabled", "false");
    p.setProperty("unrelated.property", "x");
    c.applyExperimentOverrides(p);
    assertThat(c.properties().get("raft.server.log.log-metadata.enabled")).isEqualTo("false");
    assertThat(c.describe())
        .containsEntry("raft.server.log.log-metadata.enabled", "override:false");
  }

  @Test
  void refusesSafetyKeys() {
    Properties p = new Properties();
    p.setProperty("aerodb.ratis.raft.server.log.unsafe-flush.enabled", "true");
    assertThatThrownBy(() -> config().applyExperimentOverrides(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be overridden");
    Properties r = new Properties();
    r.setProperty("aerodb.ratis.raft.server.read.option", "DEFAULT");
    assertThatThrownBy(() -> config().applyExperimentOverrides(r))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
