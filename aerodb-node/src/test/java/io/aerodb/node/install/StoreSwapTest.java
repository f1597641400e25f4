package io.aerodb.node.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at any point of an install leaves the old store or the complete new one: every
 * intermediate state on disk (the states between the swap's renames, and a clean-up cut short) is
 * built by hand, and recovery must end with exactly one complete store.
 */
class StoreSwapTest {
  @TempDir Path root;
  Path store;
  StoreSwap swap;

  @BeforeEach
  void setUp() throws IOException {
    store = root.resolve("store");
    swap = new StoreSwap(root, store);
    write(store, "OLD");
  }

  private static void write(Path dir, String content) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("CURRENT"), content, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("000001.sst"), content + "-data", StandardCharsets.UTF_8);
  }

  /** The test stores' "applied index": the number in their CURRENT file's name (OLD=1, NEW=2). */
  private static long appliedIndexOf(Path dir) {
    try {
      String c = Files.readString(dir.resolve("CURRENT"));
      return c.equals("OLDER") ? 0 : c.equals("OLD") ? 1 : c.equals("STALE") ? 1 : 2;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String storeContent() throws IOException {
    assertThat(Files.readString(store.resolve("000001.sst")))
        .isEqualTo(Files.readString(store.resolve("CURRENT")) + "-data");
    return Files.readString(store.resolve("CURRENT"));
  }

  private void assertNoInstallLeft() {
    assertThat(root.resolve("install/incoming")).doesNotExist();
    assertThat(root.resolve("install/ready")).doesNotExist();
    assertThat(root.resolve("install/previous")).doesNotExist();
  }

  @Test
  void nothingUnderWayChangesNothing() throws IOException {
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf)).isEqualTo(StoreSwap.Recovered.NOTHING);
    assertThat(storeContent()).isEqualTo("OLD");
  }

  @Test
  void aCrashDuringTheFetchKeepsTheOldStore() throws IOException {
    Path incoming = swap.freshIncoming();
    Files.writeString(incoming.resolve("CURRENT"), "NE"); // half a file
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf))
        .isEqualTo(StoreSwap.Recovered.DISCARDED_INCOMPLETE_FETCH);
    assertThat(storeContent()).isEqualTo("OLD");
    assertNoInstallLeft();
  }

  @Test
  void aCrashAfterTheStoreWasMarkedReadyFinishesTheSwap() throws IOException {
    write(swap.freshIncoming(), "NEW");
    swap.markReady();
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf))
        .isEqualTo(StoreSwap.Recovered.FINISHED_SWAP);
    assertThat(storeContent()).isEqualTo("NEW");
    assertNoInstallLeft();
  }

  @Test
  void aCrashBetweenTheTwoRenamesFinishesTheSwap() throws IOException {
    write(swap.freshIncoming(), "NEW");
    swap.markReady();
    Files.move(store, root.resolve("install/previous"), StandardCopyOption.ATOMIC_MOVE);
    assertThat(store).doesNotExist();
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf))
        .isEqualTo(StoreSwap.Recovered.FINISHED_SWAP);
    assertThat(storeContent()).isEqualTo("NEW");
    assertNoInstallLeft();
  }

  @Test
  void aCrashDuringTheCleanUpKeepsTheNewStore() throws IOException {
    write(swap.freshIncoming(), "NEW");
    swap.markReady();
    Files.move(store, root.resolve("install/previous"), StandardCopyOption.ATOMIC_MOVE);
    Files.move(root.resolve("install/ready"), store, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(root.resolve("install/previous/CURRENT")); // deletion cut short
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf)).isEqualTo(StoreSwap.Recovered.NOTHING);
    assertThat(storeContent()).isEqualTo("NEW");
    assertNoInstallLeft();
  }

  @Test
  void aLeftoverPreviousStoreDoesNotBlockTheNextSwap() throws IOException {
    write(root.resolve("install/previous"), "OLDER");
    write(swap.freshIncoming(), "NEW");
    swap.markReady();
    swap.swap();
    assertThat(storeContent()).isEqualTo("NEW");
    assertNoInstallLeft();
  }

  @Test
  void aNewFetchDiscardsAStoreStagedByAnAbandonedAttempt() throws IOException {
    write(swap.freshIncoming(), "STALE");
    swap.markReady();
    Path incoming = swap.freshIncoming();
    assertThat(root.resolve("install/ready")).doesNotExist();
    assertThat(incoming).isEmptyDirectory();
    assertThat(storeContent()).isEqualTo("OLD");
  }

  @Test
  void aReadyStoreNoNewerThanTheLiveOneIsDiscardedAtStart() throws IOException {
    write(swap.freshIncoming(), "STALE"); // staged at the live store's index, never swapped in
    swap.markReady();
    assertThat(swap.recover(StoreSwapTest::appliedIndexOf))
        .isEqualTo(StoreSwap.Recovered.DISCARDED_STALE_STORE);
    assertThat(storeContent()).isEqualTo("OLD");
    assertNoInstallLeft();
  }

  @Test
  void swappingWithNothingReadyIsRefusedAndTouchesNothing() {
    assertThatThrownBy(() -> swap.swap()).isInstanceOf(IOException.class);
    assertThat(store.resolve("CURRENT")).exists();
  }
}
