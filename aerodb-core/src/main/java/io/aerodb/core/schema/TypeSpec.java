package io.aerodb.core.schema;

import io.aerodb.core.json.JsonValue;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A type in the schema language: a scalar kind, an object with its declared fields, or an array
 * with its one element type. Immutable; fields are kept in canonical key order, which is also the
 * validation order.
 *
 * @param kind the kind
 * @param fields declared fields, non-empty for OBJECT, empty otherwise
 * @param element element type for ARRAY, null otherwise
 */
public record TypeSpec(FieldKind kind, SortedMap<String, FieldSpec> fields, TypeSpec element) {

  public TypeSpec {
    Objects.requireNonNull(kind);
    TreeMap<String, FieldSpec> copy = new TreeMap<>(JsonValue.KEY_ORDER);
    copy.putAll(fields);
    fields = Collections.unmodifiableSortedMap(copy);
    if ((kind == FieldKind.ARRAY) != (element != null)) {
      throw new IllegalArgumentException("element type is for arrays only");
    }
    if (kind != FieldKind.OBJECT && !fields.isEmpty()) {
      throw new IllegalArgumentException("fields are for objects only");
    }
  }

  public static TypeSpec scalar(FieldKind kind) {
    return new TypeSpec(kind, new TreeMap<>(), null);
  }

  public static TypeSpec object(SortedMap<String, FieldSpec> fields) {
    return new TypeSpec(FieldKind.OBJECT, fields, null);
  }

  public static TypeSpec array(TypeSpec element) {
    return new TypeSpec(FieldKind.ARRAY, new TreeMap<>(), element);
  }

  /**
   * The canonical schema-language JSON of this type (without "required", which belongs to a field).
   */
  JsonValue.Obj toJson(boolean withRequired, boolean required) {
    TreeMap<String, JsonValue> out = new TreeMap<>(JsonValue.KEY_ORDER);
    out.put("type", new JsonValue.Str(kind.keyword()));
    if (withRequired) {
      out.put("required", new JsonValue.Bool(required));
    }
    if (kind == FieldKind.OBJECT) {
      out.put("fields", fieldsJson(fields));
    }
    if (kind == FieldKind.ARRAY) {
      out.put("element", element.toJson(false, false));
    }
    return new JsonValue.Obj(out);
  }

  static JsonValue.Obj fieldsJson(SortedMap<String, FieldSpec> fields) {
    TreeMap<String, JsonValue> out = new TreeMap<>(JsonValue.KEY_ORDER);
    fields.forEach((name, spec) -> out.put(name, spec.type().toJson(true, spec.required())));
    return new JsonValue.Obj(out);
  }
}
