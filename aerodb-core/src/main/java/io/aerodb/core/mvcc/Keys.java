package io.aerodb.core.mvcc;

import io.aerodb.core.util.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The key layout of the store (docs/FORMATS.md, Store keys). Every key starts with a one-byte tag:
 *
 * <pre>
 * 0x01 "applied"                                    -> applied term u64 | applied index u64 | state digest (32
 *                                                      bytes) | store layout u8 (absent: 1)
 * 0x01 "gcfloor"                                    -> the MVCC garbage-collection floor u64 (SetGcFloor)
 * 0x01 "gccollected"                                -> the floor up to which collection completed u64
 * 0x02 collection                                   -> created index u64
 * 0x03 collection 0x00 version u32                  -> created index u64 | canonical schema JSON
 * 0x04 collection 0x00 field 0x00 created u64       -> dropped index u64 (0 = live): an index definition
 * 0x05 index u64                                    -> authority record (canonical JSON, AuthorityHistory)
 * 0x06 index u64                                    -> the state digest after the entry at that index (32
 *                                                      bytes; collected below the GC floor)
 * 0x10 collection 0x00 esc(_id) 0x00 0x01 ~index u64 -> document version (see {@link VersionCodec})
 * 0x11 collection 0x00 field 0x00 created u64 value esc(_id) 0x00 0x01 ~index u64 -> empty: an index
 *                                                      entry (see io.aerodb.core.index.IndexKeys)
 * 0x12 collection 0x00 esc(_id) 0x00 0x01           -> index u64 of the document's live version: its
 *                                                      head, present iff the newest version is not a
 *                                                      tombstone (see {@link DocumentHeads})
 * 0x20 request_id                                   -> idempotency record (see IdempotencyTable)
 * 0x21 index u64 slot u32                           -> request_id recorded by the write at that position of
 *                                                      the entry at that index (for horizon expiry)
 * 0x01 "idemhorizon"                                -> the idempotency horizon in entries u64 (absent: 1,000,000)
 * 0x01 "feedstart"                                  -> the first index the change feed is complete from u64
 * 0x30 collection 0x00 index u64 _id                -> 'I' | 'U' | 'D': the change feed, one key per document
 *                                                      write that took effect (derived from the versions;
 *                                                      outside the state digest; collected below the floor)
 * </pre>
 *
 * Collection names never contain 0x00 (see Names). In {@code esc(_id)} the byte 0x00 becomes 0x00
 * 0xFF, and the id ends with 0x00 0x01, so no escaped id is a prefix of another and ids keep their
 * byte order. Versions of one document are adjacent and newest first ({@code ~index}, big-endian),
 * so "newest version at or below view V" is one seek to {@code ~V}.
 */
public final class Keys {
  public static final byte META = 0x01;
  public static final byte COLLECTION = 0x02;
  public static final byte SCHEMA = 0x03;
  public static final byte INDEX_DEFINITION = 0x04;
  public static final byte AUTHORITY = 0x05;
  public static final byte DIGEST = 0x06;
  public static final byte DOCUMENT = 0x10;
  public static final byte INDEX_ENTRY = 0x11;
  public static final byte HEAD = 0x12;
  public static final byte IDEMPOTENCY = 0x20;
  public static final byte IDEMPOTENCY_BY_INDEX = 0x21;
  public static final byte CHANGE = 0x30;

  private static final byte[] APPLIED =
      withTag(META, "applied".getBytes(StandardCharsets.US_ASCII));

  private static final byte[] GC_FLOOR =
      withTag(META, "gcfloor".getBytes(StandardCharsets.US_ASCII));
  private static final byte[] GC_COLLECTED =
      withTag(META, "gccollected".getBytes(StandardCharsets.US_ASCII));

  private Keys() {}

  /** The key of the state digest after the entry at {@code index}. */
  private static final byte[] IDEMPOTENCY_HORIZON =
      withTag(META, "idemhorizon".getBytes(StandardCharsets.US_ASCII));

  /** The idempotency horizon in entries, once a SetIdempotencyHorizon entry raised it. */
  public static byte[] idempotencyHorizon() {
    return IDEMPOTENCY_HORIZON.clone();
  }

  private static final byte[] FEED_START =
      withTag(META, "feedstart".getBytes(StandardCharsets.US_ASCII));

  /** The first index from which the change feed holds every document write. */
  public static byte[] feedStart() {
    return FEED_START.clone();
  }

  /** Prefix of the change feed of a collection. */
  public static byte[] changes(String collection) {
    byte[] name = utf8(collection);
    byte[] k = new byte[1 + name.length + 1];
    k[0] = CHANGE;
    System.arraycopy(name, 0, k, 1, name.length);
    return k;
  }

  /** The first change-feed key of a collection at {@code index}. */
  public static byte[] changesAt(String collection, long index) {
    byte[] prefix = changes(collection);
    byte[] k = new byte[prefix.length + 8];
    System.arraycopy(prefix, 0, k, 0, prefix.length);
    Bytes.putLong(k, prefix.length, index);
    return k;
  }

  /** The change-feed key of the write of document {@code id} at {@code index}. */
  public static byte[] change(String collection, long index, String id) {
    byte[] at = changesAt(collection, index);
    byte[] name = utf8(id);
    byte[] k = java.util.Arrays.copyOf(at, at.length + name.length);
    System.arraycopy(name, 0, k, at.length, name.length);
    return k;
  }

  /** The index of a change-feed key whose collection prefix is {@code prefixLength} bytes. */
  public static long changeIndex(byte[] changeKey, int prefixLength) {
    return Bytes.getLong(changeKey, prefixLength);
  }

  /** The document id of a change-feed key whose collection prefix is {@code prefixLength} bytes. */
  public static String changeId(byte[] changeKey, int prefixLength) {
    return new String(
        changeKey, prefixLength + 8, changeKey.length - prefixLength - 8, StandardCharsets.UTF_8);
  }

  public static byte[] digestAt(long index) {
    return withTag(DIGEST, Bytes.ofLong(index));
  }

  public static byte[] gcFloor() {
    return GC_FLOOR.clone();
  }

  public static byte[] gcCollected() {
    return GC_COLLECTED.clone();
  }

  public static byte[] applied() {
    return APPLIED.clone();
  }

  public static byte[] collectionPrefix() {
    return new byte[] {COLLECTION};
  }

  public static byte[] collection(String name) {
    return withTag(COLLECTION, utf8(name));
  }

  public static byte[] schemaPrefix() {
    return new byte[] {SCHEMA};
  }

  public static byte[] schema(String collection, int version) {
    byte[] name = utf8(collection);
    byte[] k = new byte[1 + name.length + 1 + 4];
    k[0] = SCHEMA;
    System.arraycopy(name, 0, k, 1, name.length);
    k[1 + name.length] = 0;
    Bytes.putInt(k, 2 + name.length, version);
    return k;
  }

  public static byte[] indexDefinitionPrefix() {
    return new byte[] {INDEX_DEFINITION};
  }

  /** The key of the index definition on {@code field} created at {@code createdIndex}. */
  public static byte[] indexDefinition(String collection, String field, long createdIndex) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + field.length());
    out.write(INDEX_DEFINITION);
    out.writeBytes(utf8(collection));
    out.write(0);
    out.writeBytes(utf8(field));
    out.write(0);
    out.writeBytes(Bytes.ofLong(createdIndex));
    return out.toByteArray();
  }

  /** Prefix of every document version in a collection. */
  public static byte[] collectionDocuments(String collection) {
    byte[] name = utf8(collection);
    byte[] k = new byte[1 + name.length + 1];
    k[0] = DOCUMENT;
    System.arraycopy(name, 0, k, 1, name.length);
    return k;
  }

  /** Prefix of every version of one document. */
  public static byte[] document(String collection, String id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + id.length());
    out.write(DOCUMENT);
    out.writeBytes(utf8(collection));
    out.write(0);
    for (byte b : utf8(id)) {
      out.write(b);
      if (b == 0) {
        out.write(0xFF);
      }
    }
    out.write(0);
    out.write(1);
    return out.toByteArray();
  }

  /** The key of the version of a document created at {@code index}. */
  public static byte[] documentVersion(byte[] documentPrefix, long index) {
    byte[] k = new byte[documentPrefix.length + 8];
    System.arraycopy(documentPrefix, 0, k, 0, documentPrefix.length);
    Bytes.putLong(k, documentPrefix.length, ~index);
    return k;
  }

  /** The head key of the document whose version prefix is {@code documentPrefix}. */
  public static byte[] head(byte[] documentPrefix) {
    byte[] k = documentPrefix.clone();
    k[0] = HEAD;
    return k;
  }

  /** The version prefix of the document whose head key is {@code headKey}. */
  public static byte[] documentOfHead(byte[] headKey) {
    byte[] k = headKey.clone();
    k[0] = DOCUMENT;
    return k;
  }

  /** The creating index of a document-version key. */
  public static long versionIndex(byte[] versionKey) {
    return ~Bytes.getLong(versionKey, versionKey.length - 8);
  }

  public static byte[] idempotency(byte[] requestId) {
    return withTag(IDEMPOTENCY, requestId);
  }

  /** The request_id recorded by the {@code slot}-th write of the entry at {@code index}. */
  public static byte[] idempotencyByIndex(long index, int slot) {
    byte[] k = new byte[1 + 8 + 4];
    k[0] = IDEMPOTENCY_BY_INDEX;
    Bytes.putLong(k, 1, index);
    Bytes.putInt(k, 9, slot);
    return k;
  }

  /** The prefix of every {@link #idempotencyByIndex} key of the entry at {@code index}. */
  public static byte[] idempotencyByIndexPrefix(long index) {
    return withTag(IDEMPOTENCY_BY_INDEX, Bytes.ofLong(index));
  }

  private static byte[] withTag(byte tag, byte[] rest) {
    byte[] k = new byte[1 + rest.length];
    k[0] = tag;
    System.arraycopy(rest, 0, k, 1, rest.length);
    return k;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
