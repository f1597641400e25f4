package io.aerodb.core.schema;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A parsed, valid schema (the document root's declared fields). Immutable. A published (collection,
 * version) never changes [S1]; a change is a new version.
 */
public final class Schema {
  private final TypeSpec root;
  private final byte[] canonicalJson;

  Schema(SortedMap<String, FieldSpec> fields) {
    this.root = TypeSpec.object(fields);
    TreeMap<String, JsonValue> top = new TreeMap<>(JsonValue.KEY_ORDER);
    top.put("fields", TypeSpec.fieldsJson(root.fields()));
    this.canonicalJson = CanonicalJson.toBytes(new JsonValue.Obj(top));
  }

  /** The root object type; its fields include {@code _id}. */
  public TypeSpec root() {
    return root;
  }

  /** The canonical JSON of this schema: what is replicated, stored and shown. */
  public byte[] canonicalJson() {
    return canonicalJson.clone();
  }

  public String canonicalText() {
    return new String(canonicalJson, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schema s && java.util.Arrays.equals(canonicalJson, s.canonicalJson);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(canonicalJson);
  }

  @Override
  public String toString() {
    return canonicalText();
  }
}
