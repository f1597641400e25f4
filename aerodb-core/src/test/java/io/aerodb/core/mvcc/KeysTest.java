package io.aerodb.core.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The key layout keeps the orders the MVCC reads rely on (docs/FORMATS.md, Store keys). */
class KeysTest {

  /** Property (seeded, 2000 pairs of ids that share prefixes and contain 0x00 and 0xFF bytes). */
  @Test
  void documentPrefixesKeepIdOrderAndAreNeverPrefixesOfEachOther(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {11},
        seed -> {
          Random random = new Random(seed);
          for (int i = 0; i < 2000; i++) {
            String a = randomId(random);
            String b = random.nextInt(4) == 0 ? a + randomId(random) : randomId(random);
            checkPair(a, b);
          }
        });
  }

  private static String randomId(Random r) {
    char[] alphabet = {'\u0000', '\u0001', 'a', 'b', '\u00ff', '\u0100', '\uffff'};
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(5); i > 0; i--) {
      sb.append(alphabet[r.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }

  private static void checkPair(String a, String b) {
    byte[] ka = Keys.document("c", a);
    byte[] kb = Keys.document("c", b);
    int idOrder =
        Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    assertThat(Integer.signum(Arrays.compareUnsigned(ka, kb))).isEqualTo(Integer.signum(idOrder));
    if (!a.equals(b)) {
      assertThat(io.aerodb.core.util.Bytes.startsWith(ka, kb)).isFalse();
      assertThat(io.aerodb.core.util.Bytes.startsWith(kb, ka)).isFalse();
    }
  }

  @Test
  void idsWithZeroBytesStayDistinct() {
    assertThat(Keys.document("c", "a\u0000")).isNotEqualTo(Keys.document("c", "a"));
    assertThat(Arrays.compareUnsigned(Keys.document("c", "a"), Keys.document("c", "a\u0000")))
        .isNegative();
  }

  /** Property (seeded): versions of one document sort newest first, and the index decodes back. */
  @Test
  void newerVersionsSortFirst(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {5},
        seed -> {
          Random random = new Random(seed);
          byte[] prefix = Keys.document("c", "id");
          for (int n = 0; n < 2000; n++) {
            long i = random.nextLong() & Long.MAX_VALUE;
            long j = n % 3 == 0 ? i + 1 : random.nextLong() & Long.MAX_VALUE;
            byte[] ki = Keys.documentVersion(prefix, i);
            byte[] kj = Keys.documentVersion(prefix, j);
            assertThat(Integer.signum(Arrays.compareUnsigned(ki, kj)))
                .isEqualTo(Long.compare(j, i));
            assertThat(Keys.versionIndex(ki)).isEqualTo(i);
          }
        });
  }
}
