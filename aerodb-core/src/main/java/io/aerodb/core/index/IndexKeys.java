package io.aerodb.core.index;

import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The key layout of index entries (docs/FORMATS.md, Index entries):
 *
 * <pre>
 * 0x11 collection 0x00 field 0x00 generation u64 · value · esc(_id) · ~version u64   ->  (empty)
 * </pre>
 *
 * {@code generation} is the log index that created the index (so a dropped and re-created index
 * never sees its predecessor's entries), {@code value} is {@link IndexValueCodec}'s encoding,
 * {@code esc(_id)} the escaped, terminated UTF-8 id (as in document keys) and {@code ~version} the
 * bitwise not of the index of the document version the entry was written for. Entries of one index
 * are therefore ordered by (value, _id), and the entries of one (value, _id) newest first.
 *
 * <p>An entry is written once, for one version, and never changed or deleted by later writes: when
 * the document is updated or deleted it becomes stale for newer read views. A reader accepts an
 * entry only if the version it names is the version of the document visible in its view, which
 * makes stale entries cost a lookup and never a wrong or duplicated result [T2].
 */
public final class IndexKeys {
  private IndexKeys() {}

  /** The prefix shared by every entry of one index generation. */
  public static byte[] indexPrefix(String collection, String field, long generation) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + field.length());
    out.write(Keys.INDEX_ENTRY);
    out.writeBytes(collection.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(Bytes.ofLong(generation));
    return out.toByteArray();
  }

  /**
   * The key of the entry for the version created at {@code versionIndex} of document {@code id}.
   */
  public static byte[] entry(
      byte[] indexPrefix, byte[] encodedValue, String id, long versionIndex) {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(indexPrefix.length + encodedValue.length + id.length() + 12);
    out.writeBytes(indexPrefix);
    out.writeBytes(encodedValue);
    IndexValueCodec.writeEscaped(id.getBytes(StandardCharsets.UTF_8), out);
    out.writeBytes(Bytes.ofLong(~versionIndex));
    return out.toByteArray();
  }

  /**
   * One parsed entry key.
   *
   * @param valueStart offset of the encoded value in the key
   * @param valueLength its length
   * @param idStart offset of the escaped id
   * @param idLength its length, terminator included
   * @param versionIndex the index of the document version the entry was written for
   */
  public record Entry(
      int valueStart, int valueLength, int idStart, int idLength, long versionIndex) {
    public String id(byte[] key) {
      return IndexValueCodec.unescape(key, idStart, idLength);
    }
  }

  /** Parses an entry key of the index whose prefix has {@code prefixLength} bytes. */
  public static Entry parse(byte[] key, int prefixLength) {
    int valueLength = IndexValueCodec.encodedLength(key, prefixLength);
    int idStart = prefixLength + valueLength;
    int idLength = valueLength < 0 ? -1 : IndexValueCodec.escapedLength(key, idStart);
    Invariants.check(
        valueLength > 0 && idLength > 0 && idStart + idLength + 8 == key.length,
        () -> "malformed index entry key " + Bytes.hex(key));
    return new Entry(
        prefixLength, valueLength, idStart, idLength, ~Bytes.getLong(key, idStart + idLength));
  }
}
