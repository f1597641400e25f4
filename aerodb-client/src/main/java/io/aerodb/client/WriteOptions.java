package io.aerodb.client;

import com.google.protobuf.ByteString;
import io.aerodb.proto.v1.ExpectedVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How one write is sent: its guard (the version the document must have when the write applies, a
 * failed guard is AERO_TXN_PRECONDITION_FAILED) and its request_id (the caller's own idempotency
 * key, 1..64 bytes; by default the client draws a random one per call). Immutable.
 */
public record WriteOptions(Optional<ExpectedVersion> expected, Optional<ByteString> requestId) {
  public static WriteOptions none() {
    return new WriteOptions(Optional.empty(), Optional.empty());
  }

  /** The document's live version must be the one created at {@code commitIndex}. */
  public WriteOptions expectVersion(long commitIndex) {
    return new WriteOptions(
        Optional.of(ExpectedVersion.newBuilder().setVersion(commitIndex).build()), requestId);
  }

  /** The document must have no live version (never written, or deleted). */
  public WriteOptions expectAbsent() {
    return new WriteOptions(
        Optional.of(ExpectedVersion.newBuilder().setAbsent(true).build()), requestId);
  }

  /** The caller's idempotency key: a retry with the same key returns the original result. */
  public WriteOptions requestId(String key) {
    return new WriteOptions(
        expected, Optional.of(ByteString.copyFrom(key, StandardCharsets.UTF_8)));
  }
}
