package io.aerodb.ratis;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The one place where bytes cross between our protobuf (com.google.protobuf) and Ratis' shaded copy
 * (org.apache.ratis.thirdparty.com.google.protobuf). Keep shaded types from leaking past this
 * module.
 */
public final class ShadedBytes {
  private ShadedBytes() {}

  /** Wraps without copying; the caller must not modify {@code bytes} afterwards. */
  public static ByteString wrap(byte[] bytes) {
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  public static ByteString wrap(com.google.protobuf.ByteString ours) {
    return UnsafeByteOperations.unsafeWrap(ours.asReadOnlyByteBuffer());
  }

  public static com.google.protobuf.ByteString unwrap(ByteString shaded) {
    return com.google.protobuf.UnsafeByteOperations.unsafeWrap(shaded.asReadOnlyByteBuffer());
  }
}
