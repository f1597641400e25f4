package io.aerodb.core.json;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one byte form of a JSON value that AeroDB stores, hashes and compares (docs/FORMATS.md):
 *
 * <ul>
 *   <li>no whitespace; object keys in code-point order ({@link JsonValue#KEY_ORDER});
 *   <li>strings as UTF-8; escaped are only the quote, the backslash and the control characters
 *       below U+0020 (b, f, n, r, t as two-character escapes, the others as a six-character u00XX
 *       escape in lower-case hex);
 *   <li>ints in plain decimal; floats as the shortest decimal that reads back to the same double
 *       (Schubfach, the algorithm of Java 19+ {@code Double.toString}), so the bytes do not depend
 *       on the JVM version.
 * </ul>
 *
 * Equal values always give equal bytes; parsing canonical bytes and writing them again is the
 * identity.
 */
public final class CanonicalJson {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private CanonicalJson() {}

  public static byte[] toBytes(JsonValue value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(value, out);
    return out.toByteArray();
  }

  public static String toText(JsonValue value) {
    return new String(toBytes(value), StandardCharsets.UTF_8);
  }

  private static void write(JsonValue value, ByteArrayOutputStream out) {
    if (value instanceof JsonValue.Obj o) {
      out.write('{');
      boolean first = true;
      for (Map.Entry<String, JsonValue> e : o.fields().entrySet()) {
        if (!first) {
          out.write(',');
        }
        first = false;
        writeString(e.getKey(), out);
        out.write(':');
        write(e.getValue(), out);
      }
      out.write('}');
    } else if (value instanceof JsonValue.Arr a) {
      out.write('[');
      for (int i = 0; i < a.elements().size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        write(a.elements().get(i), out);
      }
      out.write(']');
    } else if (value instanceof JsonValue.Str s) {
      writeString(s.value(), out);
    } else if (value instanceof JsonValue.Int i) {
      ascii(Long.toString(i.value()), out);
    } else if (value instanceof JsonValue.Flt f) {
      ascii(NumberOutput.toString(f.value(), true), out);
    } else if (value instanceof JsonValue.Bool b) {
      ascii(b.value() ? "true" : "false", out);
    } else if (value instanceof JsonValue.Null) {
      ascii("null", out);
    } else {
      throw new IllegalStateException("unknown JSON value " + value.getClass());
    }
  }

  private static void writeString(String s, ByteArrayOutputStream out) {
    out.write('"');
    int runStart = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20) {
        utf8(s.substring(runStart, i), out);
        out.write('\\');
        switch (c) {
          case '"' -> out.write('"');
          case '\\' -> out.write('\\');
          case '\b' -> out.write('b');
          case '\f' -> out.write('f');
          case '\n' -> out.write('n');
          case '\r' -> out.write('r');
          case '\t' -> out.write('t');
          default -> {
            out.write('u');
            out.write('0');
            out.write('0');
            out.write(HEX[c >> 4]);
            out.write(HEX[c & 0xF]);
          }
        }
        runStart = i + 1;
      }
    }
    utf8(s.substring(runStart), out);
    out.write('"');
  }

  private static void utf8(String s, ByteArrayOutputStream out) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  private static void ascii(String s, ByteArrayOutputStream out) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    out.write(b, 0, b.length);
  }
}
