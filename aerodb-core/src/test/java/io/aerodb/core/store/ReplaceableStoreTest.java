package io.aerodb.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A store install replaces the store under running reads: the replacement waits for every open
 * cursor and running call, and nothing ever runs on the closed store (RocksDB would crash the JVM).
 */
class ReplaceableStoreTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static MemoryKvStore storeWith(String key, String value) {
    MemoryKvStore s = new MemoryKvStore();
    s.write(new WriteBatch().put(b(key), b(value)));
    return s;
  }

  @Test
  void aReplacementWaitsForAnOpenCursorAndReadsThenSeeTheNewStore() throws Exception {
    ReplaceableStore store = new ReplaceableStore(storeWith("k", "old"));
    KvCursor open = store.seek(b("k"));
    CountDownLatch reopened = new CountDownLatch(1);
    CompletableFuture<Void> replacing =
        CompletableFuture.runAsync(
            () ->
                store.replace(
                    () -> {
                      reopened.countDown();
                      return storeWith("k", "new");
                    }));
    assertThatThrownBy(() -> replacing.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    assertThat(reopened.getCount()).isEqualTo(1);
    assertThat(new String(open.value(), StandardCharsets.UTF_8)).isEqualTo("old");
    open.close();
    replacing.get(10, TimeUnit.SECONDS);
    assertThat(new String(store.get(b("k")), StandardCharsets.UTF_8)).isEqualTo("new");
  }

  @Test
  void aFailedReplacementLeavesAStoreThatRefusesEveryCall() {
    ReplaceableStore store = new ReplaceableStore(storeWith("k", "old"));
    assertThatThrownBy(
            () ->
                store.replace(
                    () -> {
                      throw new IllegalStateException("the new store does not open");
                    }))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> store.get(b("k"))).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.seek(b("k"))).hasMessageContaining("closed");
  }

  @Test
  void aCursorClosedTwiceReleasesItsLockOnce() throws Exception {
    ReplaceableStore store = new ReplaceableStore(storeWith("k", "v"));
    KvCursor c = store.seek(b("k"));
    c.close();
    c.close();
    CompletableFuture.runAsync(() -> store.replace(() -> storeWith("k", "w")))
        .get(10, TimeUnit.SECONDS);
    assertThat(new String(store.get(b("k")), StandardCharsets.UTF_8)).isEqualTo("w");
  }
}
