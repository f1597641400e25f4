package io.aerodb.core.command;

import io.aerodb.core.document.Limits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;

/** Small helpers over canonical document bytes that already passed validation. */
final class Documents {
  private Documents() {}

  /** The {@code _id} of an admitted (validated, canonical) document. */
  static String idOf(byte[] canonicalJson) {
    JsonValue.Obj obj = (JsonValue.Obj) JsonReader.parse(canonicalJson, Limits.DOCUMENT_JSON);
    return ((JsonValue.Str) obj.get("_id")).value();
  }
}
