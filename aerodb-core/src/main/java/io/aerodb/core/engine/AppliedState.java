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

  public byte[] encode() {
    byte[] v = new byte[16 + 32];
    Bytes.putLong(v, 0, term);
    Bytes.putLong(v, 8, index);
    System.arraycopy(digest, 0, v, 16, 32);
    return v;
  }

  public static AppliedState decode(byte[] v) {
    return new AppliedState(
        Bytes.getLong(v, 0), Bytes.getLong(v, 8), java.util.Arrays.copyOfRange(v, 16, 48));
  }

  public String digestHex() {
    return Bytes.hex(digest);
  }
}
