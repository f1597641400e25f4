package io.aerodb.core.catalog;

import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.schema.SchemaParser;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import io.aerodb.core.util.Invariants;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Collections, their schema versions and their index definitions: an immutable value, replaced as a
 * whole by apply (copy on write), so readers on other threads always see a consistent catalog. It
 * is persisted in the store (keys 0x02, 0x03 and 0x04) in the same batch as the command that
 * changed it, and loaded from there at start.
 */
public final class Catalog {
  public static final Catalog EMPTY = new Catalog(new TreeMap<>());

  private final SortedMap<String, CollectionInfo> collections;

  private Catalog(SortedMap<String, CollectionInfo> collections) {
    this.collections = Collections.unmodifiableSortedMap(collections);
  }

  public Optional<CollectionInfo> collection(String name) {
    return Optional.ofNullable(collections.get(name));
  }

  /** All collections, sorted by name. */
  public SortedMap<String, CollectionInfo> collections() {
    return collections;
  }

  /** A catalog with {@code info} added or replaced. */
  public Catalog with(CollectionInfo info) {
    TreeMap<String, CollectionInfo> copy = new TreeMap<>(collections);
    copy.put(info.name(), info);
    return new Catalog(copy);
  }

  /** Adds the store writes that persist a new collection with its first schema version. */
  public static void persistCollection(WriteBatch batch, CollectionInfo info) {
    batch.put(Keys.collection(info.name()), Bytes.ofLong(info.createdIndex()));
    for (SchemaVersion v : info.schemas().values()) {
      persistSchema(batch, info.name(), v);
    }
  }

  public static void persistSchema(WriteBatch batch, String collection, SchemaVersion v) {
    byte[] json = v.schema().canonicalJson();
    byte[] value = new byte[8 + json.length];
    Bytes.putLong(value, 0, v.createdIndex());
    System.arraycopy(json, 0, value, 8, json.length);
    batch.put(Keys.schema(collection, v.version()), value);
  }

  /** Adds the store write that persists an index definition (created, or now dropped). */
  public static void persistIndex(WriteBatch batch, String collection, IndexDefinition d) {
    batch.put(
        Keys.indexDefinition(collection, d.field(), d.createdIndex()),
        Bytes.ofLong(d.droppedIndex()));
  }

  /** Loads the catalog persisted in {@code store}. */
  public static Catalog load(KvStore store) {
    TreeMap<String, Long> created = new TreeMap<>();
    try (KvCursor c = store.seek(Keys.collectionPrefix())) {
      for (; c.valid() && c.key()[0] == Keys.COLLECTION; c.next()) {
        byte[] k = c.key();
        created.put(
            new String(k, 1, k.length - 1, StandardCharsets.UTF_8), Bytes.getLong(c.value(), 0));
      }
    }
    TreeMap<String, TreeMap<Integer, SchemaVersion>> schemas = new TreeMap<>();
    try (KvCursor c = store.seek(Keys.schemaPrefix())) {
      for (; c.valid() && c.key()[0] == Keys.SCHEMA; c.next()) {
        byte[] k = c.key();
        int nameEnd = k.length - 5;
        Invariants.check(k[nameEnd] == 0, () -> "malformed schema key " + Bytes.hex(k));
        String name = new String(k, 1, nameEnd - 1, StandardCharsets.UTF_8);
        int version = Bytes.getInt(k, nameEnd + 1);
        byte[] v = c.value();
        SchemaVersion sv =
            new SchemaVersion(
                version,
                Bytes.getLong(v, 0),
                SchemaParser.parse(Arrays.copyOfRange(v, 8, v.length)));
        schemas.computeIfAbsent(name, n -> new TreeMap<>()).put(version, sv);
      }
    }
    TreeMap<String, List<IndexDefinition>> indexes = new TreeMap<>();
    try (KvCursor c = store.seek(Keys.indexDefinitionPrefix())) {
      for (; c.valid() && c.key()[0] == Keys.INDEX_DEFINITION; c.next()) {
        byte[] k = c.key();
        int nameEnd = indexOf(k, 1);
        int fieldEnd = indexOf(k, nameEnd + 1);
        Invariants.check(
            nameEnd > 0 && fieldEnd > 0 && k.length == fieldEnd + 9,
            () -> "malformed index definition key " + Bytes.hex(k));
        String name = new String(k, 1, nameEnd - 1, StandardCharsets.UTF_8);
        String field = new String(k, nameEnd + 1, fieldEnd - nameEnd - 1, StandardCharsets.UTF_8);
        IndexDefinition d =
            new IndexDefinition(field, Bytes.getLong(k, fieldEnd + 1), Bytes.getLong(c.value(), 0));
        indexes.computeIfAbsent(name, n -> new ArrayList<>()).add(d);
      }
    }
    TreeMap<String, CollectionInfo> out = new TreeMap<>();
    created.forEach(
        (name, index) -> {
          TreeMap<Integer, SchemaVersion> versions = schemas.get(name);
          Invariants.check(versions != null, () -> "collection " + name + " has no schema [S1]");
          out.put(
              name,
              new CollectionInfo(name, index, versions, indexes.getOrDefault(name, List.of())));
        });
    return new Catalog(out);
  }

  private static int indexOf(byte[] k, int from) {
    for (int i = from; i < k.length; i++) {
      if (k[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
