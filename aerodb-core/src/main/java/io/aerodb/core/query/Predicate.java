package io.aerodb.core.query;

import io.aerodb.core.index.FieldPath;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One (field, operator, operand) condition of a filter. A document matches when the value at the
 * field path is a scalar of the operand's type class (bool, number, string) and compares as the
 * operator says; a missing field, an object or array there, or a value of another class never
 * matches. Numbers compare by value across int and float, exactly; strings by code point (= UTF-8
 * byte) order. Comparison is the order of {@link IndexValueCodec}, so the executor's re-check and
 * the index agree by construction. Immutable.
 *
 * @param operands one value, or the distinct values of an {@code in} list in index order
 */
public record Predicate(FieldPath field, Operator op, List<JsonValue> operands) {

  public Predicate {
    operands = List.copyOf(operands);
    if (operands.isEmpty() || (op != Operator.IN && operands.size() != 1)) {
      throw new IllegalArgumentException(op + " on " + field + " with " + operands.size());
    }
  }

  /** The single operand of a non-{@code in} predicate. */
  public JsonValue operand() {
    return operands.get(0);
  }

  /** Whether {@code document} satisfies this predicate (see the class comment). */
  public boolean matches(JsonValue.Obj document) {
    Optional<JsonValue> value = field.extract(document);
    if (value.isEmpty() || !IndexValueCodec.isScalar(value.get())) {
      return false;
    }
    byte[] v = IndexValueCodec.encode(value.get());
    byte cls = v[0];
    for (JsonValue operand : operands) {
      byte[] o = IndexValueCodec.encode(operand);
      if (o[0] != cls) {
        continue;
      }
      int c = Bytes.compare(v, o);
      boolean holds;
      switch (op) {
        case EQ:
        case IN:
          holds = c == 0;
          break;
        case GT:
          holds = c > 0;
          break;
        case GTE:
          holds = c >= 0;
          break;
        case LT:
          holds = c < 0;
          break;
        case LTE:
          holds = c <= 0;
          break;
        default:
          throw new IllegalStateException("unknown operator " + op);
      }
      if (holds) {
        return true;
      }
    }
    return false;
  }

  /** Sorts and de-duplicates values by their index encoding (1 and 1.0 are one value). */
  static List<JsonValue> distinctInIndexOrder(List<JsonValue> values) {
    List<JsonValue> sorted = new ArrayList<>(values);
    sorted.sort(IndexValueCodec::compare); // stable: of equal values the first given is kept
    List<JsonValue> out = new ArrayList<>();
    for (JsonValue v : sorted) {
      if (out.isEmpty() || IndexValueCodec.compare(out.get(out.size() - 1), v) != 0) {
        out.add(v);
      }
    }
    return out;
  }
}
