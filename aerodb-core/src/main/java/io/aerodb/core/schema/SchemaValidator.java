package io.aerodb.core.schema;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.JsonPath;
import io.aerodb.core.json.JsonValue;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a document against a schema version, strictly [S2, S3]:
 *
 * <ul>
 *   <li>every field is declared, at every depth (no extra fields) [S2];
 *   <li>every required field is present [S2];
 *   <li>no value is null, also inside arrays [S3];
 *   <li>every value has exactly the declared type, no coercion: {@code 1.5} is not an int, {@code
 *       1} is not a string; an integer literal is accepted for float [S3].
 * </ul>
 *
 * Fields are visited in canonical key order (declared and present names merged), depth first, so
 * the first error reported is always the same one. The error names the path, the expected and
 * actual type, the collection and the schema version. Pure function; thread-safe.
 */
public final class SchemaValidator {
  private SchemaValidator() {}

  public static Optional<AeroError> validate(
      Schema schema, JsonValue document, String collection, int schemaVersion) {
    Context ctx = new Context(collection, schemaVersion);
    return Optional.ofNullable(checkValue(schema.root(), document, JsonPath.ROOT, ctx));
  }

  private record Context(String collection, int schemaVersion) {}

  private static AeroError checkValue(TypeSpec type, JsonValue value, JsonPath path, Context ctx) {
    if (value instanceof JsonValue.Null) {
      return error(
          ErrorCode.AERO_VALIDATION_NULL_VALUE,
          "null at " + path + " (null is never a valid value; omit an optional field instead)",
          path,
          type.kind().keyword(),
          "null",
          ctx);
    }
    switch (type.kind()) {
      case STRING:
        return value instanceof JsonValue.Str ? null : mismatch(type, value, path, ctx);
      case INT:
        return value instanceof JsonValue.Int ? null : mismatch(type, value, path, ctx);
      case FLOAT:
        return value instanceof JsonValue.Flt || value instanceof JsonValue.Int
            ? null
            : mismatch(type, value, path, ctx);
      case BOOL:
        return value instanceof JsonValue.Bool ? null : mismatch(type, value, path, ctx);
      case ARRAY:
        if (!(value instanceof JsonValue.Arr arr)) {
          return mismatch(type, value, path, ctx);
        }
        for (int i = 0; i < arr.elements().size(); i++) {
          AeroError e = checkValue(type.element(), arr.elements().get(i), path.index(i), ctx);
          if (e != null) {
            return e;
          }
        }
        return null;
      case OBJECT:
        if (!(value instanceof JsonValue.Obj obj)) {
          return mismatch(type, value, path, ctx);
        }
        return checkObject(type, obj, path, ctx);
      default:
        throw new IllegalStateException("unknown kind " + type.kind());
    }
  }

  /** Walks declared and present field names together, in canonical order. */
  private static AeroError checkObject(
      TypeSpec type, JsonValue.Obj obj, JsonPath path, Context ctx) {
    Iterator<Map.Entry<String, FieldSpec>> declared = type.fields().entrySet().iterator();
    Iterator<Map.Entry<String, JsonValue>> present = obj.fields().entrySet().iterator();
    Map.Entry<String, FieldSpec> d = declared.hasNext() ? declared.next() : null;
    Map.Entry<String, JsonValue> p = present.hasNext() ? present.next() : null;
    while (d != null || p != null) {
      int cmp =
          d == null ? 1 : p == null ? -1 : JsonValue.KEY_ORDER.compare(d.getKey(), p.getKey());
      if (cmp < 0) {
        if (d.getValue().required()) {
          JsonPath missing = path.field(d.getKey());
          return error(
              ErrorCode.AERO_VALIDATION_MISSING_FIELD,
              "required field " + missing + " is missing",
              missing,
              d.getValue().type().kind().keyword(),
              "absent",
              ctx);
        }
        d = declared.hasNext() ? declared.next() : null;
      } else if (cmp > 0) {
        JsonPath extra = path.field(p.getKey());
        return error(
            ErrorCode.AERO_VALIDATION_UNKNOWN_FIELD,
            "field " + extra + " is not declared in the schema",
            extra,
            "absent",
            p.getValue().typeName(),
            ctx);
      } else {
        AeroError e = checkValue(d.getValue().type(), p.getValue(), path.field(p.getKey()), ctx);
        if (e != null) {
          return e;
        }
        d = declared.hasNext() ? declared.next() : null;
        p = present.hasNext() ? present.next() : null;
      }
    }
    return null;
  }

  private static AeroError mismatch(TypeSpec type, JsonValue value, JsonPath path, Context ctx) {
    String expected = type.kind().keyword();
    return error(
        ErrorCode.AERO_VALIDATION_TYPE_MISMATCH,
        "at " + path + " expected " + expected + " but found " + describe(value),
        path,
        expected,
        value.typeName(),
        ctx);
  }

  private static String describe(JsonValue value) {
    if (value instanceof JsonValue.Flt f && f.value() == Math.rint(f.value())) {
      return "float (a literal with a fraction or exponent is never an int)";
    }
    return value.typeName();
  }

  private static AeroError error(
      ErrorCode code, String message, JsonPath path, String expected, String actual, Context ctx) {
    return AeroError.of(
        code,
        message
            + " (collection "
            + ctx.collection()
            + ", schema version "
            + ctx.schemaVersion()
            + ")",
        "path",
        path.toString(),
        "expected",
        expected,
        "actual",
        actual,
        "collection",
        ctx.collection(),
        "schemaVersion",
        Integer.toString(ctx.schemaVersion()));
  }
}
