package io.aerodb.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both stores agree on cursors in both directions: seek lands on the first key at or after the
 * target, seekReverse on the last key at or before it, and next follows the cursor's direction
 * (unsigned byte order, so 0xFF sorts last).
 */
class ReverseCursorTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void cursorsWalkBothDirectionsInUnsignedByteOrder(boolean rocks) {
    try (KvStore s = rocks ? RocksKvStore.open(dir.resolve("r")) : new MemoryKvStore()) {
      WriteBatch b = new WriteBatch();
      for (byte[] k : new byte[][] {{1}, {1, 0}, {2}, {(byte) 0x80}, {(byte) 0xFF}}) {
        b.put(k, new byte[] {k[0]});
      }
      s.write(b);
      assertThat(walk(s.seekReverse(new byte[] {(byte) 0x90})))
          .containsExactly("80", "02", "0100", "01");
      assertThat(walk(s.seekReverse(new byte[] {2}))).containsExactly("02", "0100", "01");
      assertThat(walk(s.seekReverse(new byte[] {1, 0, 0}))).containsExactly("0100", "01");
      assertThat(walk(s.seekReverse(new byte[] {0}))).isEmpty();
      assertThat(walk(s.seek(new byte[] {1, 1}))).containsExactly("02", "80", "ff");
    }
  }

  private static List<String> walk(KvCursor c) {
    List<String> out = new ArrayList<>();
    try (c) {
      for (; c.valid(); c.next()) {
        out.add(java.util.HexFormat.of().formatHex(c.key()));
      }
    }
    return out;
  }
}
