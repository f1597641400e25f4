package io.aerodb.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.util.Bytes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The index value encoding (docs/adr/0004): byte order equals value order, ints and floats compare
 * by value exactly (also beyond 2^53, where a double conversion would round), equal values encode
 * equally, classes never collide, and encodings are prefix-free. Checked on edge values and on
 * seeded random pairs against an independent oracle (BigDecimal, which is exact for both kinds).
 */
class IndexValueCodecTest {

  @Test
  void intsAndFloatsCompareByValueExactly() {
    assertThat(enc(new JsonValue.Int(1))).isEqualTo(enc(new JsonValue.Flt(1.0)));
    assertThat(enc(new JsonValue.Int(0))).isEqualTo(enc(new JsonValue.Flt(-0.0)));
    assertThat(enc(new JsonValue.Flt(0.0))).isEqualTo(enc(new JsonValue.Flt(-0.0)));
    long twoTo53 = 1L << 53;
    // 2^53 + 1 is not a double: as a double it would equal 2^53.
    assertThat(cmp(new JsonValue.Int(twoTo53 + 1), new JsonValue.Flt((double) twoTo53)))
        .isPositive();
    assertThat(cmp(new JsonValue.Int(twoTo53), new JsonValue.Flt((double) twoTo53))).isZero();
    assertThat(cmp(new JsonValue.Int(Long.MAX_VALUE), new JsonValue.Flt(9.223372036854775807E18)))
        .isNegative(); // the double is 2^63
    assertThat(cmp(new JsonValue.Int(Long.MIN_VALUE), new JsonValue.Flt(-9.223372036854775807E18)))
        .isZero(); // -2^63 is a double
    assertThat(cmp(new JsonValue.Int(Long.MIN_VALUE), new JsonValue.Int(Long.MIN_VALUE + 1)))
        .isNegative();
    assertThat(cmp(new JsonValue.Flt(Double.MIN_VALUE), new JsonValue.Int(0))).isPositive();
    assertThat(cmp(new JsonValue.Flt(-Double.MIN_VALUE), new JsonValue.Int(0))).isNegative();
    assertThat(cmp(new JsonValue.Flt(2.5), new JsonValue.Int(2))).isPositive();
    assertThat(cmp(new JsonValue.Flt(-2.5), new JsonValue.Int(-2))).isNegative();
  }

  @Test
  void classesOrderBoolNumberStringAndNeverCollide() {
    JsonValue[] ordered = {
      new JsonValue.Bool(false),
      new JsonValue.Bool(true),
      new JsonValue.Flt(-Double.MAX_VALUE),
      new JsonValue.Int(-1),
      new JsonValue.Int(0),
      new JsonValue.Flt(Double.MAX_VALUE),
      new JsonValue.Str(""),
      new JsonValue.Str("1"),
      new JsonValue.Str("a"),
      new JsonValue.Str("a\u0000"),
      new JsonValue.Str("a\u0000b"),
      new JsonValue.Str("ab"),
      new JsonValue.Str("\u00e9"),
      new JsonValue.Str("\uffff"),
      new JsonValue.Str("\ud83d\ude00"),
    };
    for (int i = 0; i + 1 < ordered.length; i++) {
      assertThat(cmp(ordered[i], ordered[i + 1])).as(i + ": " + ordered[i]).isNegative();
    }
  }

  @Test
  void encodingsArePrefixFreeAndTheirLengthIsReadBack(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {7},
        seed -> {
          List<byte[]> all = new ArrayList<>();
          Random r = new Random(seed);
          for (int i = 0; i < 300; i++) {
            all.add(enc(randomScalar(r)));
          }
          for (byte[] a : all) {
            byte[] padded = Bytes.concat(new byte[] {9}, a, new byte[] {0, 1, 2});
            assertThat(IndexValueCodec.encodedLength(padded, 1)).isEqualTo(a.length);
            for (byte[] b : all) {
              if (a.length < b.length) {
                assertThat(Bytes.startsWith(b, a)).isFalse();
              }
            }
          }
        });
  }

  @Test
  void byteOrderIsValueOrderOnRandomPairs(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {1, 2, 3, 4, 5},
        seed -> {
          Random r = new Random(seed);
          for (int i = 0; i < 20_000; i++) {
            JsonValue a = randomScalar(r);
            JsonValue b = r.nextInt(10) == 0 ? a : randomScalar(r);
            int expected = Integer.signum(oracle(a, b));
            assertThat(Integer.signum(cmp(a, b)))
                .as("seed %d: %s vs %s", seed, a, b)
                .isEqualTo(expected);
            assertThat(java.util.Arrays.equals(enc(a), enc(b))).isEqualTo(expected == 0);
          }
        });
  }

  /** Independent order: class, then exact value (BigDecimal) or code points. */
  static int oracle(JsonValue a, JsonValue b) {
    int ca = IndexValueCodec.typeClass(a);
    int cb = IndexValueCodec.typeClass(b);
    if (ca != cb) {
      return Integer.compare(ca, cb);
    }
    if (a instanceof JsonValue.Bool x) {
      return Boolean.compare(x.value(), ((JsonValue.Bool) b).value());
    }
    if (a instanceof JsonValue.Str x) {
      return JsonValue.compareCodePoints(x.value(), ((JsonValue.Str) b).value());
    }
    return exact(a).compareTo(exact(b));
  }

  static BigDecimal exact(JsonValue v) {
    return v instanceof JsonValue.Int i
        ? BigDecimal.valueOf(i.value())
        : new BigDecimal(((JsonValue.Flt) v).value());
  }

  static JsonValue randomScalar(Random r) {
    switch (r.nextInt(9)) {
      case 0:
        return new JsonValue.Bool(r.nextBoolean());
      case 1:
        return new JsonValue.Int(r.nextInt(21) - 10);
      case 2:
        return new JsonValue.Int(r.nextLong());
      case 3:
        long big = (1L << 53) + r.nextInt(5) - 2;
        return r.nextBoolean() ? new JsonValue.Int(big) : new JsonValue.Flt((double) big);
      case 4:
        return new JsonValue.Flt((r.nextInt(41) - 20) / 4.0);
      case 5:
        double d = Double.longBitsToDouble(r.nextLong());
        return new JsonValue.Flt(Double.isFinite(d) ? d : 0.5);
      case 6:
        return new JsonValue.Flt(Double.MIN_VALUE * (r.nextInt(5) - 2));
      case 7:
        return r.nextBoolean()
            ? new JsonValue.Int(Long.MIN_VALUE)
            : new JsonValue.Int(Long.MAX_VALUE);
      default:
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          sb.appendCodePoint(new int[] {0, 'a', 'b', 0xe9, 0xffff, 0x1f600}[r.nextInt(6)]);
        }
        return new JsonValue.Str(sb.toString());
    }
  }

  private static byte[] enc(JsonValue v) {
    return IndexValueCodec.encode(v);
  }

  private static int cmp(JsonValue a, JsonValue b) {
    return Bytes.compare(enc(a), enc(b));
  }
}
