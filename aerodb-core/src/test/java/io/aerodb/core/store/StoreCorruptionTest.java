package io.aerodb.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flipped byte in an SST file of a real RocksDB store is never read as data: the checksum
 * verification and a point read that reaches the damaged block both fail with
 * AERO_STORAGE_CORRUPTION naming the file (SPEC §5), not AERO_STORAGE_IO; every read that passes
 * returns exactly the value written.
 */
class StoreCorruptionTest {
  @TempDir Path dir;

  @Test
  void aFlippedByteInAnSstFileIsNamedCorruption() throws Exception {
    Path storeDir = dir.resolve("store");
    try (RocksKvStore store = RocksKvStore.open(storeDir)) {
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < 2_000; i++) {
        batch.put(key(i), value(i));
      }
      store.write(batch);
      store.flush();
    }
    Path sst;
    try (Stream<Path> s = Files.list(storeDir)) {
      sst =
          s.filter(p -> p.getFileName().toString().endsWith(".sst"))
              .max(Comparator.comparingLong(p -> p.toFile().length()))
              .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
      long at = f.length() / 4; // inside the data blocks (the index and filter are at the end)
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    try (RocksKvStore store = RocksKvStore.open(storeDir)) {
      assertThatThrownBy(store::verifyChecksums)
          .isInstanceOfSatisfying(
              AeroException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.AERO_STORAGE_CORRUPTION);
                assertThat(e.error().details().get("file")).endsWith(sst.getFileName().toString());
              });
      int corrupt = 0;
      for (int i = 0; i < 2_000; i++) {
        try {
          assertThat(store.get(key(i)))
              .as("a read that passes is the value written")
              .isEqualTo(value(i));
        } catch (AeroException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.AERO_STORAGE_CORRUPTION);
          corrupt++;
        }
      }
      assertThat(corrupt).as("reads of the damaged block").isPositive();
    }
  }

  /** 200 random bytes per key (blocks that do not compress away), the same for the same key. */
  private static byte[] value(int i) {
    SplittableRandom random = new SplittableRandom(i);
    byte[] value = new byte[200];
    for (int k = 0; k < value.length; k++) {
      value[k] = (byte) random.nextInt(256);
    }
    return value;
  }

  private static byte[] key(int i) {
    return String.format("k%06d", i).getBytes(StandardCharsets.US_ASCII);
  }
}
