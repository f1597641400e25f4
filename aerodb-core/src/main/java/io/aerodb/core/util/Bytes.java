package io.aerodb.core.util;

/** Big-endian fixed-width integer encoding used by keys and values (docs/FORMATS.md). */
public final class Bytes {
  private Bytes() {}

  public static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  public static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  public static void putInt(byte[] b, int off, int v) {
    for (int i = 3; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  public static int getInt(byte[] b, int off) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  public static byte[] ofLong(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  public static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    return java.util.Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Unsigned lexicographic comparison: the key order of the store. */
  public static int compare(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b);
  }

  /**
   * The smallest byte string greater than every string that starts with {@code prefix}, or null if
   * there is none (the prefix is empty or all 0xFF). Used as the exclusive end of a prefix range.
   */
  public static byte[] prefixSuccessor(byte[] prefix) {
    int end = prefix.length;
    while (end > 0 && prefix[end - 1] == (byte) 0xFF) {
      end--;
    }
    if (end == 0) {
      return null;
    }
    byte[] next = java.util.Arrays.copyOf(prefix, end);
    next[end - 1]++;
    return next;
  }

  /** The concatenation of the given arrays. */
  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  public static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
