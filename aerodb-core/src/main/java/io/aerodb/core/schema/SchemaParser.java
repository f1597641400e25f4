package io.aerodb.core.schema;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.limits.Names;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parses the schema language of SPEC §1 strictly [S1]. Shape:
 *
 * <pre>
 * {"fields": {"&lt;name&gt;": FIELD, ...}}
 * FIELD   = {"type": T, "required": true|false [, "fields": {...} if T = object] [, "element": ELEMENT if T = array]}
 * ELEMENT = {"type": T [, "fields": {...}] [, "element": ELEMENT]}      (no "required": array elements are never null)
 * T       = "string" | "int" | "float" | "bool" | "object" | "array"
 * </pre>
 *
 * Every key must be known, every field must say "required", objects declare at least one field, and
 * the root declares {@code _id} as a required string. Failures are {@code AERO_SCHEMA_INVALID}
 * naming the schema path (e.g. {@code fields.address.fields.city.type}) and the rule, or a named
 * limit.
 */
public final class SchemaParser {
  private static final Set<String> FIELD_KEYS = Set.of("type", "required", "fields", "element");
  private static final Set<String> ELEMENT_KEYS = Set.of("type", "fields", "element");

  private SchemaParser() {}

  public static Schema parse(byte[] schemaJson) {
    JsonValue json;
    try {
      json = JsonReader.parse(schemaJson, Limits.SCHEMA_JSON);
    } catch (AeroException e) {
      ErrorCode code = e.code();
      if (code == ErrorCode.AERO_LIMIT_DOCUMENT_SIZE) {
        throw AeroError.of(
                ErrorCode.AERO_LIMIT_SCHEMA_SIZE,
                "schema of "
                    + schemaJson.length
                    + " bytes exceeds the limit of "
                    + Limits.SCHEMA_BYTES_MAX,
                "limit",
                "schemaBytesMax",
                "limitValue",
                Integer.toString(Limits.SCHEMA_BYTES_MAX))
            .toException();
      }
      if (code == ErrorCode.AERO_LIMIT_NESTING_DEPTH) {
        throw tooDeep(e.error().details().getOrDefault("path", "$"));
      }
      throw invalid("$", "the schema is not valid JSON: " + e.error().message());
    }
    return parse(json);
  }

  public static Schema parse(JsonValue json) {
    if (!(json instanceof JsonValue.Obj top)) {
      throw invalid("$", "a schema is a JSON object {\"fields\": {...}}");
    }
    for (String key : top.fields().keySet()) {
      if (!key.equals("fields")) {
        throw invalid(key, "unknown key '" + key + "' (a schema has only \"fields\")");
      }
    }
    JsonValue fields = top.get("fields");
    if (fields == null) {
      throw invalid("fields", "a schema declares its fields under \"fields\"");
    }
    int[] fieldCount = {0};
    TreeMap<String, FieldSpec> parsed = parseFields(fields, "fields", true, 1, fieldCount);
    FieldSpec id = parsed.get("_id");
    if (id == null) {
      throw invalid("fields._id", "_id must be declared");
    }
    if (id.type().kind() != FieldKind.STRING || !id.required()) {
      throw invalid("fields._id", "_id must be {\"type\": \"string\", \"required\": true}");
    }
    return new Schema(parsed);
  }

  private static TreeMap<String, FieldSpec> parseFields(
      JsonValue json, String path, boolean atRoot, int depth, int[] fieldCount) {
    if (!(json instanceof JsonValue.Obj obj)) {
      throw invalid(path, "\"fields\" is an object of field definitions");
    }
    if (obj.fields().isEmpty()) {
      throw invalid(path, "an object declares at least one field");
    }
    TreeMap<String, FieldSpec> out = new TreeMap<>(JsonValue.KEY_ORDER);
    for (Map.Entry<String, JsonValue> e : obj.fields().entrySet()) {
      String name = e.getKey();
      String fieldPath = path + "." + name;
      Names.fieldNameProblem(name, atRoot)
          .ifPresent(
              p -> {
                throw invalid(fieldPath, p);
              });
      fieldCount[0]++;
      if (fieldCount[0] > Limits.SCHEMA_FIELDS_MAX) {
        throw AeroError.of(
                ErrorCode.AERO_LIMIT_SCHEMA_SIZE,
                "the schema declares more than " + Limits.SCHEMA_FIELDS_MAX + " fields",
                "path",
                fieldPath,
                "limit",
                "schemaFieldsMax",
                "limitValue",
                Integer.toString(Limits.SCHEMA_FIELDS_MAX))
            .toException();
      }
      if (!(e.getValue() instanceof JsonValue.Obj def)) {
        throw invalid(
            fieldPath, "a field definition is an object {\"type\": ..., \"required\": ...}");
      }
      checkKeys(def, fieldPath, FIELD_KEYS);
      JsonValue required = def.get("required");
      if (required == null) {
        throw invalid(fieldPath + ".required", "every field says \"required\": true or false");
      }
      if (!(required instanceof JsonValue.Bool req)) {
        throw invalid(fieldPath + ".required", "\"required\" is true or false");
      }
      out.put(name, new FieldSpec(parseType(def, fieldPath, depth, fieldCount), req.value()));
    }
    return out;
  }

  private static TypeSpec parseType(JsonValue.Obj def, String path, int depth, int[] fieldCount) {
    JsonValue typeJson = def.get("type");
    if (typeJson == null) {
      throw invalid(path + ".type", "every type names its \"type\"");
    }
    FieldKind kind = typeJson instanceof JsonValue.Str s ? FieldKind.ofKeyword(s.value()) : null;
    if (kind == null) {
      throw invalid(path + ".type", "\"type\" is one of string, int, float, bool, object, array");
    }
    if (kind != FieldKind.OBJECT && def.get("fields") != null) {
      throw invalid(path + ".fields", "\"fields\" is only for type object");
    }
    if (kind != FieldKind.ARRAY && def.get("element") != null) {
      throw invalid(path + ".element", "\"element\" is only for type array");
    }
    if (kind == FieldKind.OBJECT || kind == FieldKind.ARRAY) {
      if (depth + 1 > Limits.NESTING_DEPTH_MAX) {
        throw tooDeep(path);
      }
    }
    switch (kind) {
      case OBJECT:
        JsonValue fields = def.get("fields");
        if (fields == null) {
          throw invalid(path + ".fields", "an object type declares its \"fields\"");
        }
        return TypeSpec.object(parseFields(fields, path + ".fields", false, depth + 1, fieldCount));
      case ARRAY:
        JsonValue element = def.get("element");
        if (element == null) {
          throw invalid(path + ".element", "an array type declares its \"element\" type");
        }
        if (!(element instanceof JsonValue.Obj elementDef)) {
          throw invalid(path + ".element", "\"element\" is an object {\"type\": ...}");
        }
        checkKeys(elementDef, path + ".element", ELEMENT_KEYS);
        return TypeSpec.array(parseType(elementDef, path + ".element", depth + 1, fieldCount));
      default:
        return TypeSpec.scalar(kind);
    }
  }

  private static void checkKeys(JsonValue.Obj def, String path, Set<String> allowed) {
    for (String key : def.fields().keySet()) {
      if (!allowed.contains(key)) {
        String why =
            key.equals("required")
                ? "array elements have no \"required\" (elements are never null)"
                : "unknown key '" + key + "'";
        throw invalid(path + "." + key, why);
      }
    }
  }

  private static AeroException tooDeep(String path) {
    return AeroError.of(
            ErrorCode.AERO_LIMIT_NESTING_DEPTH,
            "the schema nests deeper than the limit of " + Limits.NESTING_DEPTH_MAX,
            "path",
            path,
            "limit",
            "nestingDepthMax",
            "limitValue",
            Integer.toString(Limits.NESTING_DEPTH_MAX))
        .toException();
  }

  private static AeroException invalid(String path, String rule) {
    return AeroError.of(
            ErrorCode.AERO_SCHEMA_INVALID,
            "invalid schema at " + path + ": " + rule,
            "path",
            path,
            "rule",
            rule)
        .toException();
  }
}
