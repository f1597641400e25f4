package io.aerodb.core.engine;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.mvcc.ChangeFeed;
import io.aerodb.core.mvcc.DocumentVersion;
import java.util.List;

/**
 * A stretch of a collection's change feed (what {@link Engine#changes} read): the changes in commit
 * order (by index, then {@code _id}), whether they reach the view the read ran at, or the read's
 * rejection.
 *
 * @param events the changes, at most the number asked for
 * @param complete whether every change up to {@code view} is in {@code events} (otherwise the next
 *     read starts after the last event)
 * @param view the applied index the read ran at
 * @param rejection null, or why nothing was read (AERO_MVCC_SNAPSHOT_TOO_OLD: the history from
 *     there is not kept; AERO_COLLECTION_NOT_FOUND; ...)
 */
public record Changes(List<Change> events, boolean complete, long view, AeroError rejection) {
  public Changes {
    events = List.copyOf(events);
  }

  static Changes rejected(long view, AeroError rejection) {
    return new Changes(List.of(), false, view, rejection);
  }

  /**
   * One committed change: the write of document {@code id} at commit {@code index}, and the version
   * it created (a tombstone for a delete).
   */
  public record Change(long index, String id, ChangeFeed.Kind kind, DocumentVersion version) {}
}
