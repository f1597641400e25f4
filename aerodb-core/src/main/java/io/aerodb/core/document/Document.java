package io.aerodb.core.document;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaValidator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A document that passed every check for one schema version: parsed within the limits, valid [S2,
 * S3], with a usable {@code _id}, and small enough in its canonical form — checked here ({@link
 * #admit}), or by the leader against the schema version still in force, whose canonical bytes apply
 * takes as they are ({@link #admittedByLeader}). Only this type is ever written to the store.
 */
public final class Document {
  private final String id;
  private final JsonValue.Obj value;
  private final byte[] canonicalJson;

  private Document(String id, JsonValue.Obj value, byte[] canonicalJson) {
    this.id = id;
    this.value = value;
    this.canonicalJson = canonicalJson;
  }

  /**
   * Parses and admits a document, or throws {@link AeroException} with the first problem, checked
   * in this order: raw size, JSON syntax and parse limits, schema validation, {@code _id} rules,
   * canonical size.
   */
  public static Document admit(byte[] json, Schema schema, String collection, int schemaVersion) {
    JsonValue parsed = JsonReader.parse(json, Limits.DOCUMENT_JSON);
    SchemaValidator.validate(schema, parsed, collection, schemaVersion)
        .ifPresent(
            e -> {
              throw e.toException();
            });
    // Validation guarantees a root object with a string _id.
    JsonValue.Obj obj = (JsonValue.Obj) parsed;
    String id = ((JsonValue.Str) obj.get("_id")).value();
    checkId(id);
    byte[] canonical = CanonicalJson.toBytes(obj);
    if (canonical.length > Limits.DOCUMENT_BYTES_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_DOCUMENT_SIZE,
              "canonical document of "
                  + canonical.length
                  + " bytes exceeds the limit of "
                  + Limits.DOCUMENT_BYTES_MAX,
              "limit",
              "documentBytesMax",
              "limitValue",
              Integer.toString(Limits.DOCUMENT_BYTES_MAX),
              "actual",
              Integer.toString(canonical.length))
          .toException();
    }
    return new Document(id, obj, canonical);
  }

  /**
   * A document the leader admitted ({@link #admit}) under the schema version that is still in force
   * at apply: its log entry names the version it was validated against (with a checksum of what was
   * validated, checked when the entry was decoded), and a published version never changes [S4], so
   * validating again could only give the same answer. Trusts the bytes to be the leader's canonical
   * bytes within the limits: parses them (apply needs the {@code _id} and the indexed fields) and
   * keeps them as they are, without validating or re-encoding them. Empty when they are not an
   * object with a string {@code _id}, which an admitted document always is: the caller then admits
   * them in full, and that names the problem.
   */
  public static java.util.Optional<Document> admittedByLeader(byte[] canonicalJson) {
    JsonValue parsed = JsonReader.parse(canonicalJson, Limits.DOCUMENT_JSON);
    if (parsed instanceof JsonValue.Obj obj
        && obj.get("_id") instanceof JsonValue.Str id
        && canonicalJson.length <= Limits.DOCUMENT_BYTES_MAX) {
      return java.util.Optional.of(new Document(id.value(), obj, canonicalJson));
    }
    return java.util.Optional.empty();
  }

  /**
   * The {@code _id} rules beyond the schema: not empty, at most {@link Limits#ID_BYTES_MAX} UTF-8
   * bytes.
   */
  public static void checkId(String id) {
    if (id.isEmpty()) {
      throw AeroError.of(ErrorCode.AERO_DOCUMENT_ID_INVALID, "_id is empty", "path", "_id")
          .toException();
    }
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.ID_BYTES_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_ID_SIZE,
              "_id of " + bytes + " bytes exceeds the limit of " + Limits.ID_BYTES_MAX,
              "limit",
              "idBytesMax",
              "limitValue",
              Integer.toString(Limits.ID_BYTES_MAX),
              "actual",
              Integer.toString(bytes))
          .toException();
    }
  }

  public String id() {
    return id;
  }

  public JsonValue.Obj value() {
    return value;
  }

  /** The canonical JSON bytes (a copy). */
  public byte[] canonicalJson() {
    return canonicalJson.clone();
  }

  byte[] canonicalJsonUnsafe() {
    return canonicalJson;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Document d && Arrays.equals(canonicalJson, d.canonicalJson);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(canonicalJson);
  }

  @Override
  public String toString() {
    return new String(canonicalJson, StandardCharsets.UTF_8);
  }
}
