package io.aerodb.client;

import io.aerodb.proto.v1.DocumentChange;

/**
 * What a {@link Watch} tells its owner, in order, on one thread at a time. A slow listener slows
 * its stream (gRPC flow control), and one that takes no change for the server's watchSlowMs is cut
 * off ({@link #onError} with AERO_WATCH_TOO_SLOW).
 */
public interface WatchListener {
  /** The next committed change: commit order, no gap, no repeat, also across resumes. */
  void onChange(DocumentChange change);

  /** Every change up to {@code index} has been delivered (the stream is caught up). */
  default void onProgress(long index) {}

  /**
   * The stream broke ({@code cause}) and goes on at {@code endpoint} from the position it had
   * reached, without repeating or skipping a change.
   */
  default void onResume(
      String endpoint, long fromIndex, String afterId, AeroClientException cause) {}

  /**
   * The watch ended for good: a rejection (AERO_MVCC_SNAPSHOT_TOO_OLD, AERO_COLLECTION_NOT_FOUND,
   * ...), AERO_WATCH_TOO_SLOW, or no node served it for the client's deadline.
   */
  default void onError(AeroClientException error) {}
}
