package io.aerodb.core.mvcc;

import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The head of each live document: one key per document whose newest version is not a tombstone,
 * holding that version's index (docs/FORMATS.md, Store keys, {@code 0x12}). It is written in the
 * same batch as the version it names and deleted in the batch of the tombstone, so in the newest
 * applied state "is the document live, and at which version" is one point read, which the store's
 * Bloom filters answer for an absent document without reading a data block, instead of an iterator
 * seek through every level of the store [MVCC-2]. Reads at an older view still seek the versions
 * ({@link VersionReader}).
 *
 * <p>Invariant: in every applied state, a document has a head iff its newest version is a document
 * (not a tombstone), and the head holds that version's index. Heads are derived from the versions:
 * outside the state digest, like the change feed; {@link #rebuild} derives them again for a store
 * whose writer did not keep them; StoreAudit checks them. Garbage collection never touches a head:
 * it keeps the newest version of every document unless that version is a tombstone, which has no
 * head.
 */
public final class DocumentHeads {
  private DocumentHeads() {}

  /** The index of the live version of the document in the newest state the store holds. */
  public static OptionalLong liveIndex(KvStore store, String collection, String id) {
    byte[] v = store.get(Keys.head(Keys.document(collection, id)));
    if (v == null) {
      return OptionalLong.empty();
    }
    Invariants.check(isWellFormed(v), () -> "malformed head of " + id + " in " + collection);
    return OptionalLong.of(Bytes.getLong(v, 0));
  }

  /** Whether a head's value is an index: 8 bytes, above 0. */
  public static boolean isWellFormed(byte[] value) {
    return value.length == 8 && Bytes.getLong(value, 0) > 0;
  }

  /** Adds the head of a document whose new version at {@code index} is a document. */
  public static void written(WriteBatch batch, byte[] documentPrefix, long index) {
    batch.put(Keys.head(documentPrefix), Bytes.ofLong(index));
  }

  /** Adds the removal of the head of a document whose new version is a tombstone. */
  public static void deleted(WriteBatch batch, byte[] documentPrefix) {
    batch.delete(Keys.head(documentPrefix));
  }

  /**
   * Derives every head from the versions, replacing whatever heads the store held (a store written
   * by a version of AeroDB that did not keep them, or kept them and was then written by one that
   * did not): deletes every head key, then writes one for each document whose newest version is a
   * document, in batches of bounded size. The caller marks the store as keeping heads only after
   * this returns, so a rebuild a crash cut short is simply done again. Nobody else may write the
   * store meanwhile.
   *
   * @param batchOps operations per store batch at most
   * @return the number of heads written (the live documents)
   */
  public static long rebuild(KvStore store, int batchOps) {
    WriteBatch batch = new WriteBatch();
    byte[] headsEnd = new byte[] {Keys.HEAD + 1};
    try (KvCursor c = store.seek(new byte[] {Keys.HEAD})) {
      for (; c.valid() && Bytes.compare(c.key(), headsEnd) < 0; c.next()) {
        batch = flushIfFull(store, batch.delete(c.key()), batchOps);
      }
    }
    long heads = 0;
    byte[] versionsEnd = new byte[] {Keys.DOCUMENT + 1};
    byte[] document = null;
    try (KvCursor c = store.seek(new byte[] {Keys.DOCUMENT})) {
      for (; c.valid() && Bytes.compare(c.key(), versionsEnd) < 0; c.next()) {
        byte[] key = c.key();
        byte[] prefix = Arrays.copyOf(key, key.length - 8);
        if (document != null && Arrays.equals(prefix, document)) {
          continue; // an older version: the first key of a document is its newest version
        }
        document = prefix;
        if (VersionCodec.isDocument(c.value())) {
          written(batch, prefix, Keys.versionIndex(key));
          heads++;
          batch = flushIfFull(store, batch, batchOps);
        }
      }
    }
    if (!batch.isEmpty()) {
      store.write(batch);
    }
    return heads;
  }

  private static WriteBatch flushIfFull(KvStore store, WriteBatch batch, int batchOps) {
    if (batch.ops().size() < batchOps) {
      return batch;
    }
    store.write(batch);
    return new WriteBatch();
  }
}
