package io.aerodb.core.engine;

import io.aerodb.core.util.Bytes;

/**
 * What the store reflects: the last applied log entry (term, index) and the state digest after it.
 * Persisted in the same atomic batch as the entry's writes, so after any crash it names exactly the
 * state on disk.
 *
 * @param digest SHA-256 chain over every applied write set: {@code d(i) = SHA-256(d(i-1) | i |
 *     write set)}, starting from 32 zero bytes. Equal on every node at the same index.
 */
public record AppliedState(long term, long index, byte[] digest) {
  public static final AppliedState INITIAL = new AppliedState(0, 0, new byte[32]);

  /**
   * The store layout this code keeps, carried by the applied record as its 49th byte (docs/
   * FORMATS.md, Store keys): 2 = the document heads ({@code 0x12}, {@link
   * io.aerodb.core.mvcc.DocumentHeads}) are kept in every batch. A record of 48 bytes is layout 1:
   * its last writer did not keep heads (AeroDB before them, which also reads a longer record and
   * writes a 48-byte one back), so whatever heads the store holds may be stale.
   */
  public static final int STORE_LAYOUT = 2;

  private static final int LENGTH_LAYOUT_1 = 16 + 32;

  /** The applied record, marked as written by code that keeps {@link #STORE_LAYOUT}. */
  public byte[] encode() {
    byte[] v = new byte[LENGTH_LAYOUT_1 + 1];
    Bytes.putLong(v, 0, term);
    Bytes.putLong(v, 8, index);
    System.arraycopy(digest, 0, v, 16, 32);
    v[LENGTH_LAYOUT_1] = (byte) STORE_LAYOUT;
    return v;
  }

  /** The store layout an encoded applied record says its writer kept. */
  public static int layoutOf(byte[] encoded) {
    return encoded.length > LENGTH_LAYOUT_1 ? encoded[LENGTH_LAYOUT_1] & 0xFF : 1;
  }

  public static AppliedState decode(byte[] v) {
    return new AppliedState(
        Bytes.getLong(v, 0), Bytes.getLong(v, 8), java.util.Arrays.copyOfRange(v, 16, 48));
  }

  public String digestHex() {
    return Bytes.hex(digest);
  }
}
