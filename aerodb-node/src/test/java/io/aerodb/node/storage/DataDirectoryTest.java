package io.aerodb.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.config.Peer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory lock and identity refuse a second owner and a foreign directory. */
class DataDirectoryTest {
  @TempDir Path dir;

  private NodeConfig config(String nodeId, String cluster) {
    return new NodeConfig(
        nodeId,
        cluster,
        dir,
        List.of(new Peer(nodeId, "127.0.0.1", 1, 2)),
        500,
        1000,
        3000,
        true,
        1 << 20,
        10_000,
        5_000,
        1_000,
        100_000,
        false,
        1_000,
        0,
        100_000,
        50_000,
        64L << 20,
        100_000,
        10_000);
  }

  @Test
  void aSecondOwnerIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
    try (DataDirectory first = DataDirectory.open(config("n1", "c"))) {
      assertThat(first.root()).isEqualTo(dir);
      assertThat(Files.readString(dir.resolve("aerodb.lock")).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
      assertThatThrownBy(() -> DataDirectory.open(config("n1", "c")))
          .isInstanceOf(ConfigException.class)
          .extracting(e -> ((ConfigException) e).error().code())
          .isEqualTo(ErrorCode.AERO_CONFIG_DATA_DIR_LOCKED);
    }
    DataDirectory.open(config("n1", "c")).close(); // released with the first owner
  }

  @Test
  void aDirectoryOfAnotherNodeOrClusterIsRefused() throws Exception {
    DataDirectory.open(config("n1", "c")).close();
    for (NodeConfig other : List.of(config("n2", "c"), config("n1", "other"))) {
      assertThatThrownBy(() -> DataDirectory.open(other))
          .isInstanceOf(ConfigException.class)
          .extracting(e -> ((ConfigException) e).error().code())
          .isEqualTo(ErrorCode.AERO_CONFIG_DATA_DIR_MISMATCH);
    }
    assertThat(dir.resolve("raft")).doesNotExist();
    assertThat(dir.resolve("store")).doesNotExist();
  }
}
