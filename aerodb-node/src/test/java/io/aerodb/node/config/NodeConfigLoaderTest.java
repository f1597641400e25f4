package io.aerodb.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Config refusal (SPEC §6): unknown keys and unsafe values are refused with AERO_CONFIG_* naming
 * the key, and the loader is pure (it reads bytes; nothing on disk is created or touched).
 */
class NodeConfigLoaderTest {
  private static final Path BASE = Paths.get("/tmp/aerodb-config-test-base");

  static String config(String extraTop, String raft, String peers) {
    return "{\"nodeId\":\"n1\",\"clusterName\":\"c1\",\"dataDir\":\"d1\""
        + extraTop
        + ",\"peers\":"
        + peers
        + (raft.isEmpty() ? "" : ",\"raft\":" + raft)
        + "}";
  }

  static final String THREE =
      "[{\"id\":\"n1\",\"host\":\"127.0.0.1\",\"raftPort\":7100,\"apiPort\":7101},"
          + "{\"id\":\"n2\",\"host\":\"127.0.0.1\",\"raftPort\":7110,\"apiPort\":7111},"
          + "{\"id\":\"n3\",\"host\":\"127.0.0.1\",\"raftPort\":7120,\"apiPort\":7121}]";

  @Test
  void aValidConfigLoadsWithDefaultsAndResolvesTheDataDir() throws Exception {
    NodeConfig c =
        NodeConfigLoader.parse(config("", "", THREE).getBytes(StandardCharsets.UTF_8), BASE);
    assertThat(c.nodeId()).isEqualTo("n1");
    assertThat(c.dataDir()).isEqualTo(BASE.resolve("d1"));
    assertThat(c.peers()).hasSize(3);
    assertThat(c.self().apiAddress()).isEqualTo("127.0.0.1:7101");
    assertThat(c.logSync()).isTrue();
    assertThat(c.electionTimeoutMinMs()).isEqualTo(500);
    assertThat(BASE).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level key | ,\"fsync\":false | | AERO_CONFIG_UNKNOWN_KEY | fsync",
        "unknown nested key | | {\"electionTimeoutMs\":5} | AERO_CONFIG_UNKNOWN_KEY | raft.electionTimeoutMs",
        "log sync off is unsafe | | {\"logSync\":false} | AERO_CONFIG_UNSAFE_VALUE | raft.logSync",
        "tiny election timeout is unsafe | | {\"electionTimeoutMinMs\":50,\"electionTimeoutMaxMs\":400}"
            + " | AERO_CONFIG_UNSAFE_VALUE | raft.electionTimeoutMinMs",
        "max must exceed min | | {\"electionTimeoutMinMs\":500,\"electionTimeoutMaxMs\":550}"
            + " | AERO_CONFIG_INVALID_VALUE | raft.electionTimeoutMaxMs",
        "wrong type | | {\"electionTimeoutMinMs\":\"500\"} | AERO_CONFIG_INVALID_VALUE"
            + " | raft.electionTimeoutMinMs",
      })
  void refusals(String name, String extraTop, String raft, String code, String key) {
    String json = config(extraTop == null ? "" : extraTop, raft == null ? "" : raft, THREE);
    assertRefused(json, code, key);
  }

  @Test
  void theMetricsPortAndReadinessLagAreOptionalAndChecked() throws Exception {
    NodeConfig off =
        NodeConfigLoader.parse(config("", "", THREE).getBytes(StandardCharsets.UTF_8), BASE);
    assertThat(off.metricsPort()).isZero();
    assertThat(off.readinessLagMax()).isEqualTo(1_000);
    NodeConfig on =
        NodeConfigLoader.parse(
            config(",\"metrics\":{\"port\":7102},\"api\":{\"readinessLagMax\":50}", "", THREE)
                .getBytes(StandardCharsets.UTF_8),
            BASE);
    assertThat(on.metricsPort()).isEqualTo(7102);
    assertThat(on.readinessLagMax()).isEqualTo(50);
    assertRefused(
        config(",\"metrics\":{\"port\":7101}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "metrics.port");
    assertRefused(
        config(",\"metrics\":{\"port\":70000}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "metrics.port");
    assertRefused(
        config(",\"metrics\":{\"host\":\"0.0.0.0\"}", "", THREE),
        "AERO_CONFIG_UNKNOWN_KEY",
        "metrics.host");
  }

  @Test
  void peersMustBeOddDistinctAndIncludeThisNode() {
    String two =
        "[{\"id\":\"n1\",\"host\":\"h\",\"raftPort\":1,\"apiPort\":2},"
            + "{\"id\":\"n2\",\"host\":\"h\",\"raftPort\":3,\"apiPort\":4}]";
    assertRefused(config("", "", two), "AERO_CONFIG_UNSAFE_VALUE", "peers");
    String dupId =
        "[{\"id\":\"n1\",\"host\":\"h\",\"raftPort\":1,\"apiPort\":2},"
            + "{\"id\":\"n1\",\"host\":\"h\",\"raftPort\":3,\"apiPort\":4},"
            + "{\"id\":\"n3\",\"host\":\"h\",\"raftPort\":5,\"apiPort\":6}]";
    assertRefused(config("", "", dupId), "AERO_CONFIG_INVALID_VALUE", "peers[1].id");
    String dupPort =
        "[{\"id\":\"n1\",\"host\":\"h\",\"raftPort\":1,\"apiPort\":2},"
            + "{\"id\":\"n2\",\"host\":\"h\",\"raftPort\":2,\"apiPort\":4},"
            + "{\"id\":\"n3\",\"host\":\"h\",\"raftPort\":5,\"apiPort\":6}]";
    assertRefused(config("", "", dupPort), "AERO_CONFIG_INVALID_VALUE", "peers[1]");
    String notMe = THREE.replace("\"n1\"", "\"n9\"");
    assertRefused(config("", "", notMe), "AERO_CONFIG_INVALID_VALUE", "nodeId");
    String badPort = THREE.replace("7101", "70000");
    assertRefused(config("", "", badPort), "AERO_CONFIG_INVALID_VALUE", "peers[0].apiPort");
  }

  @Test
  void missingKeysMalformedJsonAndOversizedRequestsAreRefused() {
    assertRefused("{\"nodeId\":\"n1\"}", "AERO_CONFIG_MISSING_KEY", "clusterName");
    assertRefused("{\"nodeId\":", "AERO_CONFIG_MALFORMED", "$");
    assertRefused(
        config(",\"api\":{\"requestBytesMax\":8388608}", "", THREE),
        "AERO_CONFIG_UNSAFE_VALUE",
        "api.requestBytesMax");
    assertRefused(
        config("", "", THREE).replace("\"nodeId\":\"n1\"", "\"nodeId\":\"N 1\""),
        "AERO_CONFIG_INVALID_VALUE",
        "nodeId");
  }

  @Test
  void queryLimitsDefaultAreConfigurableAndBounded() throws Exception {
    NodeConfig defaults =
        NodeConfigLoader.parse(config("", "", THREE).getBytes(StandardCharsets.UTF_8), BASE);
    assertThat(defaults.queryLimits().limitMax()).isEqualTo(1000);
    assertThat(defaults.queryLimits().scanEntriesMax()).isEqualTo(100_000);
    NodeConfig set =
        NodeConfigLoader.parse(
            config(",\"api\":{\"queryLimitMax\":50,\"queryScanEntriesMax\":500}", "", THREE)
                .getBytes(StandardCharsets.UTF_8),
            BASE);
    assertThat(set.queryLimits().limitMax()).isEqualTo(50);
    assertThat(set.queryLimits().scanEntriesMax()).isEqualTo(500);
    assertRefused(
        config(",\"api\":{\"queryLimitMax\":0}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "api.queryLimitMax");
    assertRefused(
        config(",\"api\":{\"queryLimitMax\":100001}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "api.queryLimitMax");
    assertRefused(
        config(",\"api\":{\"queryLimitMax\":\"10\"}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "api.queryLimitMax");
    assertRefused(
        config(",\"api\":{\"queryLimitMax\":100,\"queryScanEntriesMax\":99}", "", THREE),
        "AERO_CONFIG_INVALID_VALUE",
        "api.queryScanEntriesMax");
    assertRefused(
        config(",\"api\":{\"queryLimit\":10}", "", THREE),
        "AERO_CONFIG_UNKNOWN_KEY",
        "api.queryLimit");
  }

  @Test
  void anUnreadableFileIsRefused() {
    assertThatThrownBy(() -> NodeConfigLoader.load(BASE.resolve("nope.json")))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).error().code())
        .isEqualTo(ErrorCode.AERO_CONFIG_UNREADABLE);
  }

  private static void assertRefused(String json, String code, String key) {
    assertThatThrownBy(() -> NodeConfigLoader.parse(json.getBytes(StandardCharsets.UTF_8), BASE))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              ConfigException ce = (ConfigException) e;
              assertThat(ce.error().code().name()).isEqualTo(code);
              assertThat(ce.error().details()).containsEntry("key", key);
              assertThat(ce.error().severity().name()).isEqualTo("FATAL");
            });
  }
}
