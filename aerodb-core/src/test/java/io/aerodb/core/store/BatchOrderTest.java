package io.aerodb.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch means the same on both stores whatever order a store hands its operations on in
 * (RocksKvStore writes them in key order): operations on one key take effect in the order the batch
 * lists them — a put then a delete leaves nothing, a delete then a put leaves the put, the last of
 * several puts wins — and every other key gets its own operation.
 */
class BatchOrderTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void operationsOnOneKeyKeepTheBatchsOrder(boolean rocks) {
    try (KvStore s = rocks ? RocksKvStore.open(dir.resolve("r")) : new MemoryKvStore()) {
      WriteBatch seed = new WriteBatch().put(key(1), value(1)).put(key(2), value(2));
      s.write(seed);
      WriteBatch b =
          new WriteBatch()
              .put(key(9), value(90))
              .put(key(3), value(30))
              .delete(key(3)) // put, then delete: gone
              .delete(key(1))
              .put(key(1), value(10)) // delete, then put: the put
              .put(key(2), value(20))
              .put(key(2), value(21)) // the last put wins
              .put(key(0), value(0));
      s.write(b);
      assertThat(s.get(key(3))).isNull();
      assertThat(s.get(key(1))).isEqualTo(value(10));
      assertThat(s.get(key(2))).isEqualTo(value(21));
      assertThat(s.get(key(9))).isEqualTo(value(90));
      assertThat(s.get(key(0))).isEqualTo(value(0));
    }
  }

  /** Random batches over a few keys (fixed seed), each checked against a sorted-map model. */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void randomBatchesMatchAModelThatAppliesInListOrder(boolean rocks) {
    Random random = new Random(20261207L);
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (KvStore s = rocks ? RocksKvStore.open(dir.resolve("r")) : new MemoryKvStore()) {
      for (int round = 0; round < 200; round++) {
        WriteBatch b = new WriteBatch();
        int ops = 1 + random.nextInt(20);
        for (int i = 0; i < ops; i++) {
          int k = random.nextInt(12);
          if (random.nextInt(3) == 0) {
            b.delete(key(k));
            model.remove(hex(key(k)));
          } else {
            byte[] v = value(random.nextInt(1000));
            b.put(key(k), v);
            model.put(hex(key(k)), v);
          }
        }
        s.write(b);
        List<String> stored = new ArrayList<>();
        try (KvCursor c = s.seek(new byte[0])) {
          for (; c.valid(); c.next()) {
            assertThat(c.value()).isEqualTo(model.get(hex(c.key())));
            stored.add(hex(c.key()));
          }
        }
        assertThat(stored).containsExactlyElementsOf(model.keySet());
      }
    }
  }

  /** Keys that do not sort like their numbers' insertion order: 0x80.. sorts after 0x01.. */
  private static byte[] key(int k) {
    return new byte[] {(byte) (k % 2 == 0 ? 0x80 : 0x01), (byte) k};
  }

  private static byte[] value(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static String hex(byte[] b) {
    return io.aerodb.core.util.Bytes.hex(b);
  }
}
