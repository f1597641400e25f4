package io.aerodb.core.mvcc;

import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;

/**
 * Value layout of a document version: {@code kind u8 | schema version u32 | canonical JSON} where
 * kind 1 is a document and kind 2 a tombstone (no JSON, schema version 0).
 */
public final class VersionCodec {
  private static final byte DOCUMENT = 1;
  private static final byte TOMBSTONE = 2;

  private VersionCodec() {}

  public static byte[] document(int schemaVersion, byte[] canonicalJson) {
    byte[] v = new byte[5 + canonicalJson.length];
    v[0] = DOCUMENT;
    Bytes.putInt(v, 1, schemaVersion);
    System.arraycopy(canonicalJson, 0, v, 5, canonicalJson.length);
    return v;
  }

  public static byte[] tombstone() {
    return new byte[] {TOMBSTONE, 0, 0, 0, 0};
  }

  /** Whether a stored version value is a live document (not a tombstone), without decoding it. */
  public static boolean isDocument(byte[] value) {
    return value.length >= 5 && value[0] == DOCUMENT;
  }

  public static DocumentVersion decode(long index, byte[] value) {
    Invariants.check(
        value.length >= 5 && (value[0] == DOCUMENT || value[0] == TOMBSTONE),
        () -> "malformed document version at index " + index);
    boolean tombstone = value[0] == TOMBSTONE;
    byte[] json = java.util.Arrays.copyOfRange(value, 5, value.length);
    return new DocumentVersion(index, tombstone, Bytes.getInt(value, 1), json);
  }
}
