package io.aerodb.core.index;

import io.aerodb.core.json.JsonValue;
import io.aerodb.core.util.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The order-preserving byte form of a scalar value in index keys (docs/FORMATS.md, Index entries;
 * docs/adr/0004). Comparing two encodings as unsigned bytes gives the value order the query
 * language uses, and two values encode to the same bytes exactly when they are equal:
 *
 * <pre>
 * bool    0x01 · (0x00 false | 0x01 true)
 * number  0x02 · 0x01                                   zero (int 0, 0.0 and -0.0)
 *         0x02 · 0x02 ·  exponent u16 ·  fraction u64   positive
 *         0x02 · 0x00 · ~exponent u16 · ~fraction u64   negative (bitwise not: larger magnitude first)
 * string  0x03 · UTF-8 with 0x00 written as 0x00 0xFF · 0x00 0x01
 * </pre>
 *
 * A non-zero number is {@code ±1.fraction × 2^exponent}: {@code exponent} is biased by {@link
 * #EXPONENT_BIAS} and {@code fraction} holds the bits after the leading one, left-aligned. Every
 * 64-bit int (63 significant bits) and every finite double (52 fraction bits, subnormals included)
 * is represented exactly, so ints and floats compare by value with no rounding: {@code 1} and
 * {@code 1.0} encode identically, and {@code 2^53 + 1} stays above {@code 9007199254740992.0} (a
 * conversion to double would make them equal). The three type classes never compare equal: a string
 * never equals a number. Encodings are prefix-free (fixed length per class and sign, or a
 * terminator), so a key can continue after the value and keep the value's order.
 *
 * <p>Pure and thread-safe.
 */
public final class IndexValueCodec {
  public static final byte BOOL = 0x01;
  public static final byte NUMBER = 0x02;
  public static final byte STRING = 0x03;

  /** Added to the binary exponent (range -1074..1023) so that it is a positive u16. */
  static final int EXPONENT_BIAS = 1100;

  private static final byte NEGATIVE = 0x00;
  private static final byte ZERO = 0x01;
  private static final byte POSITIVE = 0x02;

  private IndexValueCodec() {}

  /** Whether {@code v} is a scalar (string, int, float or bool): only scalars are indexed. */
  public static boolean isScalar(JsonValue v) {
    return typeClass(v) != 0;
  }

  /** The class byte of a scalar value, or 0 for objects, arrays and null. */
  public static byte typeClass(JsonValue v) {
    if (v instanceof JsonValue.Bool) {
      return BOOL;
    }
    if (v instanceof JsonValue.Int || v instanceof JsonValue.Flt) {
      return NUMBER;
    }
    if (v instanceof JsonValue.Str) {
      return STRING;
    }
    return 0;
  }

  /** The class name used in messages and explain output: bool, number or string. */
  public static String className(byte typeClass) {
    switch (typeClass) {
      case BOOL:
        return "bool";
      case NUMBER:
        return "number";
      case STRING:
        return "string";
      default:
        throw new IllegalArgumentException("no type class " + typeClass);
    }
  }

  /** The encoding of a scalar value; throws IllegalArgumentException for anything else. */
  public static byte[] encode(JsonValue v) {
    if (v instanceof JsonValue.Bool b) {
      return new byte[] {BOOL, (byte) (b.value() ? 1 : 0)};
    }
    if (v instanceof JsonValue.Int i) {
      return encodeLong(i.value());
    }
    if (v instanceof JsonValue.Flt f) {
      return encodeDouble(f.value());
    }
    if (v instanceof JsonValue.Str s) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(s.value().length() + 3);
      out.write(STRING);
      writeEscaped(s.value().getBytes(StandardCharsets.UTF_8), out);
      return out.toByteArray();
    }
    throw new IllegalArgumentException("only scalars are indexed, not " + v.typeName());
  }

  /** Compares two scalar values in index order (by class, then by value). */
  public static int compare(JsonValue a, JsonValue b) {
    return Bytes.compare(encode(a), encode(b));
  }

  /**
   * Writes {@code utf8} with every 0x00 as 0x00 0xFF, then the terminator 0x00 0x01: the escaped
   * forms keep the byte order of the originals, and none is a prefix of another.
   */
  public static void writeEscaped(byte[] utf8, ByteArrayOutputStream out) {
    for (byte b : utf8) {
      out.write(b);
      if (b == 0) {
        out.write(0xFF);
      }
    }
    out.write(0);
    out.write(1);
  }

  /**
   * The length of the escaped string starting at {@code off} (terminator included), or -1 if it is
   * not terminated within {@code b}.
   */
  public static int escapedLength(byte[] b, int off) {
    for (int i = off; i + 1 < b.length; i++) {
      if (b[i] == 0) {
        if (b[i + 1] == 1) {
          return i + 2 - off;
        }
        i++; // 0x00 0xFF: an escaped zero byte
      }
    }
    return -1;
  }

  /** Decodes an escaped string of {@code length} bytes (terminator included) at {@code off}. */
  public static String unescape(byte[] b, int off, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length);
    int end = off + length - 2;
    for (int i = off; i < end; i++) {
      out.write(b[i]);
      if (b[i] == 0) {
        i++; // skip the 0xFF that follows an escaped zero
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The length of the encoded value starting at {@code off}, or -1 if {@code b} does not hold a
   * complete one there.
   */
  public static int encodedLength(byte[] b, int off) {
    if (off >= b.length) {
      return -1;
    }
    int n;
    switch (b[off]) {
      case BOOL:
        n = 2;
        break;
      case NUMBER:
        if (off + 1 >= b.length) {
          return -1;
        }
        n = b[off + 1] == ZERO ? 2 : 12;
        break;
      case STRING:
        int s = escapedLength(b, off + 1);
        return s < 0 ? -1 : 1 + s;
      default:
        return -1;
    }
    return off + n <= b.length ? n : -1;
  }

  static byte[] encodeLong(long v) {
    if (v == 0) {
      return zero();
    }
    boolean negative = v < 0;
    long magnitude = negative ? -v : v; // unsigned: Long.MIN_VALUE becomes 2^63
    int top = 63 - Long.numberOfLeadingZeros(magnitude);
    long fraction =
        (magnitude << (63 - top)) << 1; // drop the leading one (two shifts: << 64 is a no-op)
    return nonZero(negative, top, fraction);
  }

  static byte[] encodeDouble(double d) {
    if (d == 0.0) {
      return zero(); // 0.0 and -0.0 are the same number
    }
    boolean negative = d < 0;
    long bits = Double.doubleToRawLongBits(Math.abs(d));
    int biasedExponent = (int) ((bits >>> 52) & 0x7FF);
    long mantissa = bits & 0xFFFFFFFFFFFFFL;
    int exponent;
    long fraction;
    if (biasedExponent != 0) {
      exponent = biasedExponent - 1023;
      fraction = mantissa << 12;
    } else { // subnormal: mantissa × 2^-1074
      int top = 63 - Long.numberOfLeadingZeros(mantissa);
      exponent = top - 1074;
      fraction = (mantissa << (63 - top)) << 1;
    }
    return nonZero(negative, exponent, fraction);
  }

  private static byte[] zero() {
    return new byte[] {NUMBER, ZERO};
  }

  private static byte[] nonZero(boolean negative, int exponent, long fraction) {
    byte[] out = new byte[12];
    out[0] = NUMBER;
    out[1] = negative ? NEGATIVE : POSITIVE;
    int e = exponent + EXPONENT_BIAS;
    out[2] = (byte) (e >>> 8);
    out[3] = (byte) e;
    Bytes.putLong(out, 4, fraction);
    if (negative) {
      for (int i = 2; i < 12; i++) {
        out[i] = (byte) ~out[i];
      }
    }
    return out;
  }
}
