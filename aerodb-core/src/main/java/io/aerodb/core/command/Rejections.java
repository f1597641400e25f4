package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.limits.Names;

/**
 * The rejections several commands (and the engine around them) share; a rejection only one command
 * gives lives in that command's record. Same input, same code, same message, on every node.
 */
public final class Rejections {
  private Rejections() {}

  public static AeroError collectionNotFound(String collection) {
    return AeroError.of(
        ErrorCode.AERO_COLLECTION_NOT_FOUND,
        "collection '" + collection + "' does not exist",
        "collection",
        collection);
  }

  static AeroError collectionExists(String collection) {
    return AeroError.of(
        ErrorCode.AERO_COLLECTION_EXISTS,
        "collection '" + collection + "' already exists",
        "collection",
        collection);
  }

  static AeroError documentExists(String collection, String id) {
    return AeroError.of(
        ErrorCode.AERO_DOCUMENT_EXISTS,
        "document '" + id + "' already exists in '" + collection + "' (insert never upserts)",
        "collection",
        collection,
        "id",
        id);
  }

  static AeroError documentNotFound(String collection, String id) {
    return AeroError.of(
        ErrorCode.AERO_DOCUMENT_NOT_FOUND,
        "document '" + id + "' does not exist in '" + collection + "'",
        "collection",
        collection,
        "id",
        id);
  }

  public static AeroError keyReused(long originalIndex) {
    return AeroError.of(
        ErrorCode.AERO_IDEMPOTENCY_KEY_REUSED,
        "request_id was used at index " + originalIndex + " for a different command",
        "originalIndex",
        Long.toString(originalIndex));
  }

  public static AeroError requestIdTooLong(byte[] requestId) {
    return AeroError.of(
        ErrorCode.AERO_REQUEST_INVALID,
        "request_id of "
            + requestId.length
            + " bytes exceeds the limit of "
            + Limits.REQUEST_ID_BYTES_MAX,
        "limit",
        "requestIdBytesMax",
        "limitValue",
        Integer.toString(Limits.REQUEST_ID_BYTES_MAX));
  }

  /** An entry that breaks the rules of the log format (e.g. a group that is not one). */
  public static AeroError malformedEntry(long index, String why) {
    return AeroError.of(
        ErrorCode.AERO_LOG_ENTRY_INVALID,
        "log entry " + index + " is malformed: " + why,
        "index",
        Long.toString(index));
  }

  /** Throws AERO_COLLECTION_NAME_INVALID for a malformed name. */
  static void checkName(String collection) {
    Names.checkCollection(collection)
        .ifPresent(
            e -> {
              throw e.toException();
            });
  }

  /** The collection, or AERO_COLLECTION_NAME_INVALID / AERO_COLLECTION_NOT_FOUND as exceptions. */
  static CollectionInfo existingCollection(String collection, Catalog catalog) {
    checkName(collection);
    return catalog
        .collection(collection)
        .orElseThrow(() -> collectionNotFound(collection).toException());
  }
}
