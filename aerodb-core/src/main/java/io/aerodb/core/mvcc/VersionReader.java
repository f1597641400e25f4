package io.aerodb.core.mvcc;

import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.util.Bytes;
import java.util.Optional;

/**
 * Reads document versions at a read view [MVCC-2]: the newest version created at or below the
 * view's index. Versions are immutable once written, so a view below the applied index is stable
 * while apply continues.
 */
public final class VersionReader {
  private VersionReader() {}

  /**
   * The newest version of the document at or below {@code viewIndex} (possibly a tombstone), if
   * any.
   */
  public static Optional<DocumentVersion> newestAtOrBelow(
      KvStore store, String collection, String id, long viewIndex) {
    byte[] prefix = Keys.document(collection, id);
    try (KvCursor c = store.seek(Keys.documentVersion(prefix, viewIndex))) {
      if (!c.valid()) {
        return Optional.empty();
      }
      byte[] key = c.key();
      if (!Bytes.startsWith(key, prefix) || key.length != prefix.length + 8) {
        return Optional.empty();
      }
      return Optional.of(VersionCodec.decode(Keys.versionIndex(key), c.value()));
    }
  }

  /** The live document at the view: the newest version if it is not a tombstone. */
  public static Optional<DocumentVersion> live(
      KvStore store, String collection, String id, long viewIndex) {
    return newestAtOrBelow(store, collection, id, viewIndex).filter(v -> !v.tombstone());
  }
}
