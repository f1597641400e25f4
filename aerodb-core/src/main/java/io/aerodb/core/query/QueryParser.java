package io.aerodb.core.query;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.FieldPath;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link QueryRequest} for everything that needs no catalog, before any read [Q1]:
 *
 * <ol>
 *   <li>the filter's size (AERO_QUERY_FILTER_TOO_LARGE), syntax and shape: a JSON object of field
 *       paths, each to a scalar (meaning eq) or to a non-empty object of operators
 *       (AERO_QUERY_FILTER_MALFORMED, AERO_QUERY_UNKNOWN_OPERATOR); operands are scalars, an {@code
 *       in} operand a non-empty array of scalars (AERO_QUERY_VALUE_INVALID) of at most inValuesMax
 *       values (AERO_QUERY_IN_TOO_LONG); the eq and bound operands of one field share one type
 *       class (AERO_QUERY_VALUE_TYPE_MISMATCH); at most predicatesMax predicates
 *       (AERO_QUERY_TOO_MANY_PREDICATES);
 *   <li>a non-empty filter (AERO_QUERY_UNBOUNDED);
 *   <li>the sort: a field path (AERO_QUERY_SORT_INVALID);
 *   <li>the limit: given and > 0 (AERO_QUERY_LIMIT_REQUIRED), at most limitMax
 *       (AERO_QUERY_LIMIT_TOO_LARGE).
 * </ol>
 *
 * Fields are checked in path order and the first failure is reported, so the same bad query always
 * gets the same error. Pure; thread-safe.
 */
public final class QueryParser {
  /** Filter JSON nesting: filter object, operator object, in list, plus room for a clear error. */
  private static final int FILTER_DEPTH_MAX = 8;

  private QueryParser() {}

  /** The parsed query, or throws {@link AeroException} with the first problem. */
  public static ParsedQuery parse(QueryRequest request, QueryLimits limits) {
    byte[] filter = request.filterJson();
    if (filter.length > limits.filterBytesMax()) {
      throw QueryErrors.limit(
          ErrorCode.AERO_QUERY_FILTER_TOO_LARGE,
          "filter of " + filter.length + " bytes exceeds filterBytesMax=" + limits.filterBytesMax(),
          "filterBytesMax",
          limits.filterBytesMax(),
          filter.length);
    }
    JsonValue json;
    try {
      json =
          JsonReader.parse(
              filter,
              new JsonLimits(limits.filterBytesMax(), FILTER_DEPTH_MAX, limits.inValuesMax()));
    } catch (AeroException e) {
      if (e.code() == ErrorCode.AERO_LIMIT_ARRAY_LENGTH) {
        throw QueryErrors.limit(
            ErrorCode.AERO_QUERY_IN_TOO_LONG,
            "an array in the filter at "
                + e.error().details().getOrDefault("path", "$")
                + " has more than inValuesMax="
                + limits.inValuesMax()
                + " values",
            "inValuesMax",
            limits.inValuesMax(),
            -1);
      }
      // Where in the filter text (line, column, path), as the JSON reader found it.
      throw AeroError.of(
              ErrorCode.AERO_QUERY_FILTER_MALFORMED,
              "filter: " + e.error().message(),
              "rule",
              "a filter is a JSON object")
          .withDetails(e.error().details())
          .withDetail("cause", e.code().name())
          .toException();
    }
    if (!(json instanceof JsonValue.Obj obj)) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_FILTER_MALFORMED,
          "the filter is a JSON object {\"field\": value | {\"op\": operand}}, not "
              + json.typeName(),
          "rule",
          "a filter is a JSON object");
    }
    List<Predicate> predicates = new ArrayList<>();
    for (Map.Entry<String, JsonValue> e : obj.fields().entrySet()) {
      parseField(e.getKey(), e.getValue(), predicates, limits);
    }
    if (predicates.isEmpty()) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_UNBOUNDED,
          "the filter is empty: a query needs at least one predicate on an indexed field (_id always"
              + " is)",
          "rule",
          "non-empty filter");
    }
    Sort sort = null;
    if (!request.sortField().isEmpty()) {
      FieldPath.Parsed p = FieldPath.parse(request.sortField());
      if (!p.isOk()) {
        throw QueryErrors.of(
            ErrorCode.AERO_QUERY_SORT_INVALID,
            "sort '" + request.sortField() + "' is not a field path: " + p.problem(),
            "sort",
            request.sortField(),
            "rule",
            p.problem());
      }
      sort = new Sort(p.path(), request.descending());
    } else if (request.descending()) {
      sort = new Sort(FieldPath.ID, true);
    }
    if (request.limit() <= 0) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_LIMIT_REQUIRED,
          "a query needs a limit > 0 (got " + request.limit() + ")",
          "limit",
          Long.toString(request.limit()));
    }
    if (request.limit() > limits.limitMax()) {
      throw QueryErrors.limit(
          ErrorCode.AERO_QUERY_LIMIT_TOO_LARGE,
          "limit " + request.limit() + " exceeds queryLimitMax=" + limits.limitMax(),
          "queryLimitMax",
          limits.limitMax(),
          request.limit());
    }
    return new ParsedQuery(request.collection(), predicates, sort, request.limit());
  }

  private static void parseField(
      String name, JsonValue value, List<Predicate> out, QueryLimits limits) {
    FieldPath.Parsed p = FieldPath.parse(name);
    if (!p.isOk()) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_FILTER_MALFORMED,
          "filter key '" + name + "' is not a field path: " + p.problem(),
          "field",
          name,
          "rule",
          p.problem());
    }
    FieldPath field = p.path();
    if (!(value instanceof JsonValue.Obj ops)) {
      add(out, new Predicate(field, Operator.EQ, List.of(scalar(field, "eq", value))), limits);
      return;
    }
    if (ops.fields().isEmpty()) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_FILTER_MALFORMED,
          "the operator object of '" + name + "' is empty",
          "field",
          name,
          "rule",
          "an operator object names at least one operator");
    }
    List<Predicate> fieldPredicates = new ArrayList<>();
    for (Map.Entry<String, JsonValue> e : ops.fields().entrySet()) {
      Operator op = Operator.ofKeyword(e.getKey());
      if (op == null) {
        throw QueryErrors.of(
            ErrorCode.AERO_QUERY_UNKNOWN_OPERATOR,
            "unknown operator '"
                + e.getKey()
                + "' on '"
                + name
                + "' (known: eq, gt, gte, lt, lte, in)",
            "field",
            name,
            "operator",
            e.getKey());
      }
      if (op == Operator.IN) {
        if (!(e.getValue() instanceof JsonValue.Arr arr) || arr.elements().isEmpty()) {
          throw QueryErrors.of(
              ErrorCode.AERO_QUERY_VALUE_INVALID,
              "the operand of in on '" + name + "' is a non-empty array of scalars",
              "field",
              name,
              "operator",
              "in",
              "actual",
              describe(e.getValue()));
        }
        List<JsonValue> values = new ArrayList<>();
        for (JsonValue v : arr.elements()) {
          values.add(scalar(field, "in", v));
        }
        fieldPredicates.add(
            new Predicate(field, Operator.IN, Predicate.distinctInIndexOrder(values)));
      } else {
        fieldPredicates.add(
            new Predicate(field, op, List.of(scalar(field, op.keyword(), e.getValue()))));
      }
    }
    fieldPredicates.sort((a, b) -> a.op().compareTo(b.op()));
    byte cls = 0;
    String clsOperator = "";
    for (Predicate pr : fieldPredicates) {
      if (pr.op() == Operator.IN) {
        continue; // an in list may mix classes: it matches values of each
      }
      byte c = IndexValueCodec.typeClass(pr.operand());
      if (cls == 0) {
        cls = c;
        clsOperator = pr.op().keyword();
      } else if (c != cls) {
        throw QueryErrors.of(
            ErrorCode.AERO_QUERY_VALUE_TYPE_MISMATCH,
            "the operands of '"
                + name
                + "' mix "
                + IndexValueCodec.className(cls)
                + " ("
                + clsOperator
                + ") and "
                + IndexValueCodec.className(c)
                + " ("
                + pr.op().keyword()
                + "): no value is both",
            "field",
            name,
            "expected",
            IndexValueCodec.className(cls),
            "actual",
            IndexValueCodec.className(c));
      }
    }
    for (Predicate pr : fieldPredicates) {
      add(out, pr, limits);
    }
  }

  private static void add(List<Predicate> out, Predicate p, QueryLimits limits) {
    if (out.size() == limits.predicatesMax()) {
      throw QueryErrors.limit(
          ErrorCode.AERO_QUERY_TOO_MANY_PREDICATES,
          "the filter has more than predicatesMax=" + limits.predicatesMax() + " predicates",
          "predicatesMax",
          limits.predicatesMax(),
          -1);
    }
    out.add(p);
  }

  private static JsonValue scalar(FieldPath field, String op, JsonValue v) {
    if (!IndexValueCodec.isScalar(v)) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_VALUE_INVALID,
          "the operand of "
              + op
              + " on '"
              + field
              + "' is "
              + describe(v)
              + "; operands are strings, numbers or bools (null never matches anything)",
          "field",
          field.text(),
          "operator",
          op,
          "actual",
          describe(v));
    }
    return v;
  }

  private static String describe(JsonValue v) {
    return v.typeName();
  }
}
