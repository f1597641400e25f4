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

  /**
   * {@link #newestAtOrBelow} on a store that keeps document heads ({@link DocumentHeads}: a store
   * the engine opened, which brought it to the current layout first): when the document's head
   * names a version at or below the view, that version is the newest one at or below it (the head
   * names the newest of all), read with two point gets instead of an iterator seek; otherwise (no
   * head — never written, or deleted since — or a head above the view) the seek. Never for a store
   * opened another way (an offline audit of an older store), whose heads may be stale.
   *
   * <p>The version the head names cannot vanish before the second get: the caller pins the view,
   * and garbage collection keeps the newest version at or below every pinned view.
   */
  public static Optional<DocumentVersion> newestAtOrBelowByHead(
      KvStore store, String collection, String id, long viewIndex) {
    byte[] prefix = Keys.document(collection, id);
    byte[] head = store.get(Keys.head(prefix));
    if (head != null) {
      long index = Bytes.getLong(head, 0);
      if (index <= viewIndex) {
        byte[] value = store.get(Keys.documentVersion(prefix, index));
        if (value != null) {
          return Optional.of(VersionCodec.decode(index, value));
        }
      }
    }
    return newestAtOrBelow(store, collection, id, viewIndex);
  }

  /** {@link #live} by {@link #newestAtOrBelowByHead}. */
  public static Optional<DocumentVersion> liveByHead(
      KvStore store, String collection, String id, long viewIndex) {
    return newestAtOrBelowByHead(store, collection, id, viewIndex).filter(v -> !v.tombstone());
  }
}
