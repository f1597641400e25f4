package io.aerodb.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny JSON object writer for the one-line results the bench tools print (keys in insertion
 * order; doubles with a fixed number of decimals so lines are easy to read and diff).
 */
public final class JsonLine {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public static JsonLine of(String key, Object value) {
    return new JsonLine().put(key, value);
  }

  public JsonLine put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** A numeric field's value, or NaN. */
  public double number(String key) {
    return fields.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    write(fields, b);
    return b.toString();
  }

  private static void write(Object v, StringBuilder b) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof JsonLine j) {
      write(j.fields, b);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        string(String.valueOf(e.getKey()), b);
        b.append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(l.get(i), b);
      }
      b.append(']');
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        b.append("null");
      } else {
        b.append(String.format(Locale.ROOT, "%.3f", d));
      }
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      string(v.toString(), b);
    }
  }

  private static void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
