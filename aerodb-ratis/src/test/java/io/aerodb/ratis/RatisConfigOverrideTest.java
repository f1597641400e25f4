package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The performance-experiment overrides ({@code -Daerodb.ratis.<key>=<value>}): a performance key is
 * replaced and shows in describe(); the safety keys are refused. And the values the server config
 * must hold: the safety keys' and the bounded log-entry cache.
 */
class RatisConfigOverrideTest {
  private static RatisConfig config() {
    return RatisConfig.server(
        new RaftSettings(
            Path.of("/tmp/unused"),
            "127.0.0.1",
            1,
            500,
            1000,
            3000,
            true,
            RaftSettings.SNAPSHOT_EVERY_ENTRIES,
            RaftSettings.LOG_RETAIN_ENTRIES,
            RaftSettings.LOG_SEGMENT_BYTES));
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

  /** Every safety key is set by the server config and refused as an override, naming its rule. */
  @ParameterizedTest
  @MethodSource("safetyKeys")
  void refusesEverySafetyKey(String key) {
    RatisConfig c = config();
    String before = c.properties().get(key);
    assertThat(before).as("the server config sets " + key).isNotNull();
    assertThat(c.describe()).containsKey(key);
    Properties p = new Properties();
    p.setProperty(RatisConfig.OVERRIDE_PREFIX + key, "anything-else");
    assertThatThrownBy(() -> c.applyExperimentOverrides(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be overridden")
        .hasMessageContaining(RatisConfig.SAFETY_KEYS.get(key));
    assertThat(c.properties().get(key)).isEqualTo(before);
  }

  static Stream<String> safetyKeys() {
    return RatisConfig.SAFETY_KEYS.keySet().stream();
  }

  /**
   * Read back through Ratis' own getters (so a misspelled key fails here): the heap cache of log
   * entries is bounded well below Ratis' defaults (6 segments, 200 MB), docs/PERFORMANCE.md.
   */
  @Test
  void theLogEntryCacheIsBounded() {
    RatisConfig c = config();
    assertThat(RaftServerConfigKeys.Log.segmentCacheSizeMax(c.properties()).getSize())
        .isEqualTo(64L * 1024 * 1024)
        .isLessThan(RaftServerConfigKeys.Log.SEGMENT_CACHE_SIZE_MAX_DEFAULT.getSize());
    assertThat(RaftServerConfigKeys.Log.segmentCacheNumMax(c.properties()))
        .isEqualTo(2)
        .isLessThan(RaftServerConfigKeys.Log.SEGMENT_CACHE_NUM_MAX_DEFAULT);
  }

  @Test
  void theSafetyKeysHoldTheSafeValues() {
    RatisConfig c = config();
    assertThat(c.properties().get(RaftServerConfigKeys.Read.OPTION_KEY)).isEqualTo("LINEARIZABLE");
    assertThat(c.properties().get(RaftServerConfigKeys.Read.LEADER_LEASE_ENABLED_KEY))
        .isEqualTo("false");
    assertThat(c.properties().get(RaftServerConfigKeys.LeaderElection.PRE_VOTE_KEY))
        .isEqualTo("true");
    assertThat(c.properties().get(RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY))
        .isEqualTo("false");
    assertThat(c.properties().get(RaftServerConfigKeys.Log.ASYNC_FLUSH_ENABLED_KEY))
        .isEqualTo("false");
    assertThat(c.properties().get(RaftServerConfigKeys.Log.CORRUPTION_POLICY_KEY))
        .isEqualTo("EXCEPTION");
    assertThat(c.properties().get(RaftServerConfigKeys.Log.Appender.INSTALL_SNAPSHOT_ENABLED_KEY))
        .isEqualTo("false");
  }
}
