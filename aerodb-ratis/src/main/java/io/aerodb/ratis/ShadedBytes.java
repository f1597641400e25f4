package io.aerodb.ratis;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The one place where our bytes become Ratis' shaded protobuf ByteString
 * (org.apache.ratis.thirdparty.com.google.protobuf); in the other direction the codec reads Ratis'
 * bytes as a ByteBuffer. Keep shaded types from leaking past this module.
 */
public final class ShadedBytes {
  private ShadedBytes() {}

  /** Wraps without copying; the caller must not modify {@code bytes} afterwards. */
  public static ByteString wrap(byte[] bytes) {
    return UnsafeByteOperations.unsafeWrap(bytes);
  }
}
