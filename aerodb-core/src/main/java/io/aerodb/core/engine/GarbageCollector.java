package io.aerodb.core.engine;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.index.IndexMaintenance;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Collects what a garbage-collection floor made reclaimable (docs/adr/0008), in passes of bounded
 * steps that run beside apply, never inside it. A pass up to floor F walks every document version
 * in key order (each document's versions newest first) and deletes, for each document:
 *
 * <ul>
 *   <li>every version older than the newest version at or below F (a newer version at or below the
 *       floor shadows it: no read at F or above can see it), with its index entries;
 *   <li>that newest version too if it is a tombstone (a read at F or above sees nothing either
 *       way).
 * </ul>
 *
 * A pass then deletes the change feed at or below F, and ends by deleting the state digests
 * recorded for entries below F (the digest history starts at the floor). Order within a document
 * matters: a tombstone at the base is deleted only after every version it shadows (in the same
 * batch or a later one), because a pass cut short by a crash or a store replacement starts again
 * from scratch: had the tombstone gone first, the next pass would take the older version below it
 * for the base and keep it, and the deleted document would be live again (found by the cluster
 * simulation, seed 1). The set is a function of the store and F alone, so every node deletes
 * exactly the same keys, whatever its step sizes. Versions above F are never touched, and neither
 * is anything apply reads (the newest version at or below the applied index), so passes and apply
 * do not interfere. At the end of a pass the floor it reached is persisted ({@code gccollected}); a
 * pass a crash cut short is redone from the start after a restart (deleting again is harmless).
 *
 * <p>Not thread-safe: one collector thread (the engine serializes steps with store replacement).
 */
final class GarbageCollector {
  private final KvStore store;

  /** The floor of the pass under way (0: none). */
  private long passFloor;

  /** Where the pass resumes (the next key to examine). */
  private byte[] next;

  /**
   * The document the cursor is in, and whether its newest version at or below the floor was seen.
   */
  private byte[] document;

  private boolean baseSeen;

  /** The document's base version when it is a tombstone: deleted once the document is done. */
  private byte[] baseTombstone;

  /** Whether the pass is in its second phase, the change feed at or below the floor. */
  private boolean feed;

  /** Whether the pass is in its third phase, the digest history below the floor. */
  private boolean digests;

  private long deleted;

  GarbageCollector(KvStore store) {
    this.store = store;
  }

  /** What a step did and what remains. */
  record Step(long collected, long passFloor, long deletedKeys, boolean more) {}

  /** The floor up to which collection completed (persisted). */
  long collected() {
    byte[] v = store.get(Keys.gcCollected());
    return v == null ? 0 : Bytes.getLong(v, 0);
  }

  /** Forgets a pass under way (the store was replaced). */
  void reset() {
    baseTombstone = null;
    feed = false;
    digests = false;
    passFloor = 0;
    next = null;
    document = null;
    baseSeen = false;
  }

  /**
   * One bounded step: examines at most {@code maxKeys} keys and deletes what they make reclaimable,
   * in one store batch.
   *
   * @param target the floor to collect up to: the GC floor, lowered to the oldest pinned read
   */
  Step step(long target, Catalog catalog, int maxKeys) {
    long collected = collected();
    if (passFloor == 0) {
      if (target <= collected) {
        return new Step(collected, 0, deleted, false);
      }
      passFloor = target;
      next = new byte[] {Keys.DOCUMENT};
      document = null;
      baseSeen = false;
    }
    if (digests) {
      return digestStep(collected, target, maxKeys);
    }
    if (feed) {
      return feedStep(collected, maxKeys);
    }
    byte[] end = new byte[] {Keys.DOCUMENT + 1};
    WriteBatch batch = new WriteBatch();
    int examined = 0;
    boolean done = false;
    try (KvCursor c = store.seek(next)) {
      while (true) {
        if (!c.valid() || Bytes.compare(c.key(), end) >= 0) {
          endDocument(batch);
          done = true;
          break;
        }
        if (examined == maxKeys) {
          next = c.key();
          break;
        }
        examined++;
        byte[] key = c.key();
        byte[] prefix = Arrays.copyOf(key, key.length - 8);
        if (document == null || !Arrays.equals(prefix, document)) {
          endDocument(batch);
          document = prefix;
          baseSeen = false;
        }
        long index = Keys.versionIndex(key);
        if (index > passFloor) {
          c.next();
          continue;
        }
        DocumentVersion v = VersionCodec.decode(index, c.value());
        if (!baseSeen) {
          baseSeen = true;
          if (v.tombstone()) {
            baseTombstone = key; // after every version it shadows: see the class comment
          }
        } else {
          batch.delete(key);
          if (!v.tombstone()) {
            deleteIndexEntries(batch, catalog, key, v);
          }
        }
        c.next();
      }
    }
    if (!batch.isEmpty()) {
      store.write(batch);
      deleted += batch.ops().size();
    }
    if (!done) {
      return new Step(collected, passFloor, deleted, true);
    }
    feed = true;
    next = new byte[] {Keys.CHANGE};
    return new Step(collected, passFloor, deleted, true);
  }

  /**
   * The second phase: deletes the change feed's keys at or below the pass's floor (a watch from
   * there is refused anyway), collection by collection: the keys of a collection are ordered by
   * index, so once one is above the floor the next step skips the rest of that collection.
   */
  private Step feedStep(long collected, int maxKeys) {
    byte[] end = new byte[] {Keys.CHANGE + 1};
    WriteBatch batch = new WriteBatch();
    boolean done = false;
    try (KvCursor c = store.seek(next)) {
      for (int examined = 0; ; examined++) {
        if (!c.valid() || Bytes.compare(c.key(), end) >= 0) {
          done = true;
          break;
        }
        if (examined == maxKeys) {
          next = c.key();
          break;
        }
        byte[] key = c.key();
        int nameEnd = 1;
        while (key[nameEnd] != 0) {
          nameEnd++;
        }
        if (Keys.changeIndex(key, nameEnd + 1) <= passFloor) {
          batch.delete(key);
          c.next();
        } else { // the next step starts past every key of this collection (names have no 0x00)
          next = Arrays.copyOf(key, nameEnd + 1);
          next[nameEnd] = 1;
          break;
        }
      }
    }
    if (!batch.isEmpty()) {
      store.write(batch);
      deleted += batch.ops().size();
    }
    if (!done) {
      return new Step(collected, passFloor, deleted, true);
    }
    feed = false;
    digests = true;
    next = Keys.digestAt(0);
    return new Step(collected, passFloor, deleted, true);
  }

  /** The document the cursor was in is done: its base tombstone can go now. */
  private void endDocument(WriteBatch batch) {
    if (baseTombstone != null) {
      batch.delete(baseTombstone);
      baseTombstone = null;
    }
  }

  /** The second phase: deletes the digests of entries below the pass's floor, then ends it. */
  private Step digestStep(long collected, long target, int maxKeys) {
    byte[] end = Keys.digestAt(passFloor);
    WriteBatch batch = new WriteBatch();
    boolean done = false;
    try (KvCursor c = store.seek(next)) {
      for (int examined = 0; ; examined++) {
        if (!c.valid() || Bytes.compare(c.key(), end) >= 0) {
          done = true;
          break;
        }
        if (examined == maxKeys) {
          next = c.key();
          break;
        }
        batch.delete(c.key());
        c.next();
      }
    }
    if (!batch.isEmpty()) {
      store.write(batch);
      deleted += batch.ops().size();
    }
    if (!done) {
      return new Step(collected, passFloor, deleted, true);
    }
    store.write(new WriteBatch().put(Keys.gcCollected(), Bytes.ofLong(passFloor)));
    long reached = passFloor;
    reset();
    return new Step(reached, 0, deleted, target > reached); // a higher floor: another pass
  }

  /** Deletes the entries the version has in every index of its collection, live or dropped. */
  private static void deleteIndexEntries(
      WriteBatch batch, Catalog catalog, byte[] versionKey, DocumentVersion v) {
    String collection = collectionOf(versionKey);
    Optional<CollectionInfo> info = catalog.collection(collection);
    if (info.isEmpty() || info.get().indexes().isEmpty()) {
      return;
    }
    JsonValue.Obj doc = (JsonValue.Obj) JsonReader.parse(v.json(), Limits.DOCUMENT_JSON);
    String id = ((JsonValue.Str) doc.get("_id")).value();
    List<byte[]> keys =
        IndexMaintenance.entryKeys(collection, info.get().indexes(), id, doc, v.index());
    for (byte[] k : keys) {
      batch.delete(k);
    }
  }

  /** The collection name of a document-version key (tag, name, 0x00, ...). */
  private static String collectionOf(byte[] key) {
    int zero = 1;
    while (key[zero] != 0) {
      zero++;
    }
    return new String(key, 1, zero - 1, StandardCharsets.UTF_8);
  }
}
