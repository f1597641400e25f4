package io.aerodb.core.json;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable JSON value as AeroDB understands it. Numbers keep the literal's kind: an integer
 * literal is an {@link Int} (64-bit), any literal with a fraction or exponent is a {@link Flt}
 * (finite 64-bit IEEE 754). Object members are kept in {@link #KEY_ORDER}, the order of canonical
 * output.
 */
public sealed interface JsonValue {

  /**
   * Canonical key order: by Unicode code point, which equals the order of the UTF-8 bytes (String's
   * natural order compares UTF-16 units and differs for characters above U+FFFF).
   */
  java.util.Comparator<String> KEY_ORDER = JsonValue::compareCodePoints;

  /**
   * The type name used in error messages and schemas: object, array, string, int, float, bool,
   * null.
   */
  String typeName();

  record Obj(SortedMap<String, JsonValue> fields) implements JsonValue {
    public Obj {
      TreeMap<String, JsonValue> copy = new TreeMap<>(KEY_ORDER);
      copy.putAll(fields);
      fields = Collections.unmodifiableSortedMap(copy);
    }

    public JsonValue get(String key) {
      return fields.get(key);
    }

    @Override
    public String typeName() {
      return "object";
    }
  }

  record Arr(List<JsonValue> elements) implements JsonValue {
    public Arr {
      elements = List.copyOf(elements);
    }

    @Override
    public String typeName() {
      return "array";
    }
  }

  record Str(String value) implements JsonValue {
    public Str {
      Objects.requireNonNull(value);
    }

    @Override
    public String typeName() {
      return "string";
    }
  }

  record Int(long value) implements JsonValue {
    @Override
    public String typeName() {
      return "int";
    }
  }

  record Flt(double value) implements JsonValue {
    public Flt {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("JSON floats are finite: " + value);
      }
    }

    @Override
    public String typeName() {
      return "float";
    }
  }

  record Bool(boolean value) implements JsonValue {
    @Override
    public String typeName() {
      return "bool";
    }
  }

  record Null() implements JsonValue {
    @Override
    public String typeName() {
      return "null";
    }
  }

  static Obj object(SortedMap<String, JsonValue> fields) {
    return new Obj(fields);
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
