package io.aerodb.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.limits.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Canonical bytes: equal values give equal bytes; parse(canonical) writes back the same bytes
 * (round trip); formatting choices (key order, escapes, float form) are pinned by examples.
 */
class CanonicalJsonTest {

  /**
   * Property (seeded, 500 random values): parse(canonical(v)) == v and writes the same bytes again.
   */
  @Test
  void roundTripIsIdentity(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {20261128},
        seed -> {
          Random random = new Random(seed);
          for (int i = 0; i < 500; i++) {
            JsonValue value = randomValue(random, 3);
            byte[] first = CanonicalJson.toBytes(value);
            JsonValue reparsed = JsonReader.parse(first, new JsonLimits(1 << 24, 64, 100_000));
            assertThat(reparsed).as("case %d", i).isEqualTo(value);
            assertThat(CanonicalJson.toBytes(reparsed)).isEqualTo(first);
          }
        });
  }

  /**
   * Property (seeded, 5000 random bit patterns): a float's canonical text reads back to the same
   * bits.
   */
  @Test
  void floatsKeepTheirExactValue(TestInfo test) {
    TestSeeds.forEach(
        test,
        new long[] {7},
        seed -> {
          Random random = new Random(seed);
          for (int i = 0; i < 5000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(d)) {
              continue;
            }
            byte[] bytes = CanonicalJson.toBytes(new JsonValue.Flt(d));
            JsonValue back = JsonReader.parse(bytes, Limits.DOCUMENT_JSON);
            assertThat(back).isInstanceOf(JsonValue.Flt.class);
            assertThat(Double.doubleToRawLongBits(((JsonValue.Flt) back).value()))
                .as("%s", new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo(Double.doubleToRawLongBits(d));
          }
        });
  }

  @Test
  void keysAreOrderedByCodePointNotUtf16Unit() {
    // U+FF5E (one UTF-16 unit, 0xFF5E) sorts after U+1F600 (surrogates 0xD83D..) in UTF-16 order,
    // but before it by code point, which is also UTF-8 byte order.
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("\uD83D\uDE00", new JsonValue.Int(1));
    m.put("\uFF5E", new JsonValue.Int(2));
    m.put("a", new JsonValue.Int(3));
    assertThat(CanonicalJson.toText(new JsonValue.Obj(m)))
        .isEqualTo("{\"a\":3,\"\uFF5E\":2,\"\uD83D\uDE00\":1}");
  }

  @Test
  void formattingIsPinned() {
    String in =
        "{ \"b\" : [1, 2.50, -0.0, 1e21, 1E-7, true, false, \"\\u00e9\\t\\u001f\"], \"a\" : {} }";
    JsonValue v = JsonReader.parse(in.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON);
    assertThat(CanonicalJson.toText(v))
        .isEqualTo("{\"a\":{},\"b\":[1,2.5,-0.0,1.0E21,1.0E-7,true,false,\"\u00e9\\t\\u001f\"]}");
  }

  static JsonValue randomValue(Random r, int depth) {
    int pick = r.nextInt(depth == 0 ? 5 : 7);
    switch (pick) {
      case 0:
        return new JsonValue.Str(clean(randomString(r, 12)));
      case 1:
        return new JsonValue.Int(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1000) - 500);
      case 2:
        double d = r.nextBoolean() ? r.nextDouble() * 1e6 : Double.longBitsToDouble(r.nextLong());
        return new JsonValue.Flt(Double.isFinite(d) ? d : 0.5);
      case 3:
        return new JsonValue.Bool(r.nextBoolean());
      case 4:
        return new JsonValue.Null();
      case 5:
        List<JsonValue> elements = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
          elements.add(randomValue(r, depth - 1));
        }
        return new JsonValue.Arr(elements);
      default:
        TreeMap<String, JsonValue> fields = new TreeMap<>(JsonValue.KEY_ORDER);
        for (int i = r.nextInt(5); i > 0; i--) {
          fields.put(clean(randomString(r, 6)), randomValue(r, depth - 1));
        }
        return new JsonValue.Obj(fields);
    }
  }

  /**
   * Any UTF-16 units, including control characters, quotes, surrogates and characters above U+FFFF.
   */
  static String randomString(Random r, int maxLength) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(maxLength + 1); i > 0; i--) {
      int kind = r.nextInt(4);
      sb.append(
          kind == 0
              ? (char) r.nextInt(0x80)
              : kind == 1 ? (char) r.nextInt(0x10000) : (char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  /** Replaces unpaired surrogates, which JSON text cannot carry as valid Unicode. */
  private static String clean(String s) {
    List<Integer> cps = new ArrayList<>();
    s.codePoints().forEach(cp -> cps.add(Character.getType(cp) == Character.SURROGATE ? 'x' : cp));
    StringBuilder sb = new StringBuilder();
    cps.forEach(sb::appendCodePoint);
    return sb.toString();
  }
}
