package io.aerodb.core.index;

import io.aerodb.core.catalog.IndexDefinition;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;

/**
 * Writes index entries, always inside the apply batch of the entry that causes them, so an index is
 * never visible half-built and every replica writes the same entries in the same order.
 *
 * <p>What an index holds: for each document version written while the index is live (and, at its
 * creation, for the newest version of every live document), one entry if the version has a
 * <em>scalar</em> value at the field path, whatever its type (string, int, float or bool, each
 * encoded with its type class). A version without the field, or with an object or array there, has
 * no entry. Tombstones have none. Entries are never removed by later writes (see {@link
 * IndexKeys}).
 */
public final class IndexMaintenance {
  private static final byte[] EMPTY = new byte[0];

  private IndexMaintenance() {}

  /** Adds the entries of the new version {@code versionIndex} of {@code document}. */
  public static void addEntries(
      WriteBatch batch,
      String collection,
      Collection<IndexDefinition> liveIndexes,
      String id,
      JsonValue.Obj document,
      long versionIndex) {
    for (IndexDefinition d : liveIndexes) {
      entryKey(collection, d, id, document, versionIndex).ifPresent(k -> batch.put(k, EMPTY));
    }
  }

  /**
   * Builds the new index {@code d} for the documents of {@code collection} as the store holds them
   * now (the state before the creating entry): one entry for the newest version of each live
   * document. Visits documents in key order, so the batch is the same on every replica. Returns the
   * number of entries written.
   *
   * <p>Cost: one seek per document of the collection plus a parse of each live one; it runs inside
   * apply, so it delays the entries after it (a background build is future work).
   */
  public static long build(KvStore store, WriteBatch batch, String collection, IndexDefinition d) {
    byte[] collectionPrefix = Keys.collectionDocuments(collection);
    byte[] end = Bytes.prefixSuccessor(collectionPrefix);
    byte[] from = collectionPrefix;
    long written = 0;
    while (true) {
      byte[] key;
      byte[] value;
      try (KvCursor c = store.seek(from)) {
        if (!c.valid() || Bytes.compare(c.key(), end) >= 0) {
          return written;
        }
        key = c.key();
        value = c.value();
      }
      byte[] documentPrefix = Arrays.copyOf(key, key.length - 8);
      // The first key of a document is its newest version (versions are ordered newest first).
      DocumentVersion v = VersionCodec.decode(Keys.versionIndex(key), value);
      if (!v.tombstone()) {
        JsonValue.Obj doc = (JsonValue.Obj) JsonReader.parse(v.json(), Limits.DOCUMENT_JSON);
        String id = ((JsonValue.Str) doc.get("_id")).value();
        Optional<byte[]> k = entryKey(collection, d, id, doc, v.index());
        if (k.isPresent()) {
          batch.put(k.get(), EMPTY);
          written++;
        }
      }
      from = Bytes.prefixSuccessor(documentPrefix); // the next document's first key
    }
  }

  /**
   * The keys of every entry the version {@code versionIndex} of {@code document} can have, one per
   * index definition that gives it one (garbage collection deletes them with the version).
   */
  public static java.util.List<byte[]> entryKeys(
      String collection,
      Collection<IndexDefinition> definitions,
      String id,
      JsonValue.Obj document,
      long versionIndex) {
    java.util.List<byte[]> keys = new java.util.ArrayList<>();
    for (IndexDefinition d : definitions) {
      entryKey(collection, d, id, document, versionIndex).ifPresent(keys::add);
    }
    return keys;
  }

  private static Optional<byte[]> entryKey(
      String collection, IndexDefinition d, String id, JsonValue.Obj document, long versionIndex) {
    FieldPath.Parsed path = FieldPath.parse(d.field());
    if (!path.isOk()) {
      return Optional.empty();
    }
    Optional<JsonValue> value = path.path().extract(document);
    if (value.isEmpty() || !IndexValueCodec.isScalar(value.get())) {
      return Optional.empty();
    }
    return Optional.of(
        IndexKeys.entry(
            IndexKeys.indexPrefix(collection, d.field(), d.createdIndex()),
            IndexValueCodec.encode(value.get()),
            id,
            versionIndex));
  }
}
