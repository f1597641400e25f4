package io.aerodb.core.mvcc;

import io.aerodb.core.store.WriteBatch;

/**
 * The change feed (docs/FORMATS.md, Store keys 0x30): one key per document write that took effect,
 * by collection, then commit index, then {@code _id}, so the changes of a collection from index N
 * are one range scan in commit order. Written by apply in the entry's own store batch, next to the
 * version it announces; derived from the versions (the state digest leaves it out); collected with
 * the history below the GC floor. What {@code Watch} streams [W1].
 */
public final class ChangeFeed {
  private ChangeFeed() {}

  /** What a write did to its document. */
  public enum Kind {
    INSERT((byte) 'I'),
    UPDATE((byte) 'U'),
    DELETE((byte) 'D');

    private final byte code;

    Kind(byte code) {
      this.code = code;
    }

    /** The kind a feed value names; IllegalArgumentException for any other bytes. */
    public static Kind of(byte[] value) {
      if (value.length == 1) {
        for (Kind k : values()) {
          if (k.code == value[0]) {
            return k;
          }
        }
      }
      throw new IllegalArgumentException("not a change-feed value");
    }
  }

  /** Adds the feed key of a write of {@code id} at {@code index} to the entry's batch. */
  public static void record(WriteBatch batch, String collection, long index, String id, Kind kind) {
    batch.put(Keys.change(collection, index, id), new byte[] {kind.code});
  }
}
