package io.aerodb.core.limits;

import io.aerodb.core.json.JsonLimits;

/**
 * Limits that decide whether a command is valid. They are part of the replicated semantics: a node
 * checks them again when it applies an entry, so they are constants of the format, the same on
 * every node, never per-node configuration (changing one is a format change; see docs/FORMATS.md).
 */
public final class Limits {
  /** Largest document, raw as sent and canonical as stored, in bytes. */
  public static final int DOCUMENT_BYTES_MAX = 1024 * 1024;

  /** Deepest nesting of a document; the document object itself is depth 1. */
  public static final int NESTING_DEPTH_MAX = 32;

  /** Longest array in a document. */
  public static final int ARRAY_LENGTH_MAX = 10_000;

  /** Longest {@code _id}, in UTF-8 bytes. */
  public static final int ID_BYTES_MAX = 512;

  /** Largest schema JSON, in bytes. */
  public static final int SCHEMA_BYTES_MAX = 64 * 1024;

  /** Most fields a schema may declare, counted at every depth. */
  public static final int SCHEMA_FIELDS_MAX = 1_000;

  /** Longest field name, in UTF-16 chars. */
  public static final int FIELD_NAME_CHARS_MAX = 128;

  /** Most schema versions one collection may have [S1]. */
  public static final int SCHEMA_VERSIONS_MAX = 1_000;

  /** Most live secondary indexes one collection may have (every write maintains each one). */
  public static final int INDEXES_MAX = 64;

  /** Longest client idempotency key (request_id), in bytes. */
  public static final int REQUEST_ID_BYTES_MAX = 64;

  /** Most operations one atomic batch may carry [TX1]. */
  public static final int BATCH_OPERATIONS_MAX = 1_000;

  /**
   * Most bytes of documents (canonical JSON) and ids one atomic batch may carry [TX1]: the entry,
   * with its framing, stays below the Raft entry limit (4 MiB).
   */
  public static final int BATCH_BYTES_MAX = 2 * 1024 * 1024;

  /** Parse bounds for documents. */
  public static final JsonLimits DOCUMENT_JSON =
      new JsonLimits(DOCUMENT_BYTES_MAX, NESTING_DEPTH_MAX, ARRAY_LENGTH_MAX);

  /**
   * Parse bounds for schemas: each document level costs two JSON levels ("fields", then the field),
   * plus slack so that the schema parser, not the JSON parser, reports a schema nesting too deep.
   */
  public static final JsonLimits SCHEMA_JSON =
      new JsonLimits(SCHEMA_BYTES_MAX, 2 * NESTING_DEPTH_MAX + 8, ARRAY_LENGTH_MAX);

  private Limits() {}
}
