package io.aerodb.core.engine;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.index.IndexKeys;
import io.aerodb.core.index.IndexMaintenance;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An offline check of a whole store (issue 12, {@code aerodb verify --data-dir}): every stored
 * document version is readable, carries the id of its key and is valid under the schema version it
 * names [S2, S4]; no version is above the applied index; every index entry names an index
 * definition, an existing document version whose field has exactly the entry's value, and a version
 * the index covers; every version the index covers has its entry (docs/FORMATS.md, Index entries).
 *
 * <p>Which versions an index covers ({@link IndexMaintenance}): versions written while it is live
 * (created &lt; V, and V &lt; dropped if dropped), and, from its build, the newest version of each
 * document below its creating index. Garbage collection removes versions together with their
 * entries, so only existing versions are judged. The change feed: from the feed's start and above
 * the floor, one key per version with the right kind ({@link #checkFeed}). The document heads, in a
 * store whose applied record says it keeps them: a head for exactly the documents whose newest
 * version is a document, holding that version's index ({@link DocumentHeads}). Callers pass a store
 * nobody writes to.
 */
public final class StoreAudit {
  /** One problem: what, the store key it is about (hex), and the details. */
  public record Problem(String kind, String keyHex, String detail) {}

  /**
   * @param problems the first {@code problemsMax} found, in key order
   * @param problemCount all found
   */
  public record Report(
      AppliedState applied,
      long versions,
      long documents,
      long indexEntries,
      List<Problem> problems,
      long problemCount) {
    public boolean ok() {
      return problemCount == 0;
    }
  }

  private final KvStore store;
  private final Catalog catalog;
  private final AppliedState applied;
  private final int problemsMax;
  private final List<Problem> problems = new ArrayList<>();
  private long problemCount;

  /** The first index the change feed must be complete from: above the floor and its start. */
  private final long feedFrom;

  /** Per collection, the versions at or above {@link #feedFrom} (each must have its feed key). */
  private final java.util.TreeMap<String, Long> feedVersions = new java.util.TreeMap<>();

  /** Whether the store's last writer kept the document heads (store layout 2 and later). */
  private final boolean keepsHeads;

  private StoreAudit(KvStore store, int problemsMax) {
    this.store = store;
    this.catalog = Catalog.load(store);
    byte[] record = store.get(Keys.applied());
    this.applied = record == null ? AppliedState.INITIAL : AppliedState.decode(record);
    this.keepsHeads = record == null || AppliedState.layoutOf(record) >= AppliedState.STORE_LAYOUT;
    this.problemsMax = problemsMax;
    byte[] start = store.get(Keys.feedStart());
    byte[] floor = store.get(Keys.gcFloor());
    this.feedFrom =
        Math.max(
            start == null ? Long.MAX_VALUE : Bytes.getLong(start, 0),
            floor == null ? 1 : Bytes.getLong(floor, 0) + 1);
  }

  /** Checks {@code store}; reports at most {@code problemsMax} problems (and counts them all). */
  public static Report audit(KvStore store, int problemsMax) {
    StoreAudit a = new StoreAudit(store, problemsMax);
    long[] documents = a.checkDocuments();
    long entries = a.checkIndexEntries();
    a.checkFeed();
    a.checkHeads();
    return new Report(
        a.applied, documents[0], documents[1], entries, List.copyOf(a.problems), a.problemCount);
  }

  /** One pass over every document version; returns {versions, live documents}. */
  private long[] checkDocuments() {
    long versions = 0;
    long live = 0;
    byte[] from = new byte[] {Keys.DOCUMENT};
    byte[] end = new byte[] {Keys.DOCUMENT + 1};
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    byte[] current = null;
    try (KvCursor c = store.seek(from)) {
      for (; c.valid() && Bytes.compare(c.key(), end) < 0; c.next()) {
        byte[] k = c.key();
        byte[] prefix = Arrays.copyOf(k, k.length - 8);
        if (current != null && !Arrays.equals(prefix, current)) {
          live += checkDocument(current, keys, values);
          keys.clear();
          values.clear();
        }
        current = prefix;
        keys.add(k);
        values.add(c.value());
        versions++;
      }
    }
    if (current != null) {
      live += checkDocument(current, keys, values);
    }
    return new long[] {versions, live};
  }

  /** The versions of one document, newest first. Returns 1 if its newest version is live. */
  private int checkDocument(byte[] prefix, List<byte[]> keys, List<byte[]> values) {
    String collectionName = collectionOf(prefix);
    Optional<CollectionInfo> collection = catalog.collection(collectionName);
    if (collection.isEmpty()) {
      problem("COLLECTION_UNKNOWN", prefix, "document versions of a collection the catalog lacks");
      return 0;
    }
    long[] indexes = new long[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      indexes[i] = Keys.versionIndex(keys.get(i));
    }
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      long v = indexes[i];
      if (v >= feedFrom) {
        feedVersions.merge(collectionName, 1L, Long::sum);
      }
      if (v > applied.index()) {
        problem(
            "VERSION_ABOVE_APPLIED",
            key,
            "version " + v + " is above the applied index " + applied.index());
      }
      Optional<JsonValue.Obj> doc = readVersion(key, values.get(i), v, collection.get());
      if (doc.isEmpty()) {
        continue;
      }
      String id = ((JsonValue.Str) doc.get().get("_id")).value();
      if (!Arrays.equals(Keys.document(collectionName, id), prefix)) {
        problem("DOCUMENT_KEY_MISMATCH", key, "the document's _id " + id + " is not its key's");
        continue;
      }
      for (IndexDefinition d : collection.get().indexes()) {
        if (covers(d, v, indexes) != Boolean.TRUE) {
          continue;
        }
        for (byte[] expected :
            IndexMaintenance.entryKeys(collectionName, List.of(d), id, doc.get(), v)) {
          if (store.get(expected) == null) {
            problem(
                "INDEX_ENTRY_MISSING",
                key,
                "version "
                    + v
                    + " of "
                    + id
                    + " has no entry in the index on "
                    + d.field()
                    + " created at "
                    + d.createdIndex());
          }
        }
      }
    }
    boolean live = VersionCodec.isDocument(values.get(0));
    checkHead(prefix, live ? indexes[0] : 0);
    return live ? 1 : 0;
  }

  /** The document's head holds {@code liveIndex}, or is absent when it is 0 (no live version). */
  private void checkHead(byte[] documentPrefix, long liveIndex) {
    if (!keepsHeads) {
      return;
    }
    byte[] head = store.get(Keys.head(documentPrefix));
    if (head != null && !DocumentHeads.isWellFormed(head)) {
      return; // checkHeads reports it
    }
    long held = head == null ? 0 : Bytes.getLong(head, 0);
    if (held != liveIndex) {
      problem(
          "HEAD_MISMATCH",
          Keys.head(documentPrefix),
          "the document's head says "
              + (head == null ? "no live version" : "live version " + held)
              + ", its newest version is "
              + (liveIndex == 0 ? "a tombstone" : "the live version " + liveIndex));
    }
  }

  /**
   * Every head names a document version that exists and is not a tombstone (that it is the newest
   * one, {@link #checkHead} checks from the versions' side).
   */
  private void checkHeads() {
    if (!keepsHeads) {
      return;
    }
    byte[] end = new byte[] {Keys.HEAD + 1};
    try (KvCursor c = store.seek(new byte[] {Keys.HEAD})) {
      for (; c.valid() && Bytes.compare(c.key(), end) < 0; c.next()) {
        byte[] key = c.key();
        if (!DocumentHeads.isWellFormed(c.value())) {
          problem("HEAD_MALFORMED", key, "a head's value is not an index (8 bytes, above 0)");
          continue;
        }
        long index = Bytes.getLong(c.value(), 0);
        byte[] version = store.get(Keys.documentVersion(Keys.documentOfHead(key), index));
        if (version == null || !VersionCodec.isDocument(version)) {
          problem(
              "HEAD_ORPHANED",
              key,
              "a head names version "
                  + index
                  + (version == null ? ", which does not exist" : ", which is a tombstone"));
        }
      }
    }
  }

  /**
   * The change feed from {@link #feedFrom} on: every key names an existing version with the right
   * kind (D for a tombstone, U when the version before it is live, else I), and each collection has
   * as many keys as versions there (so, keys being distinct, every version has its key).
   */
  private void checkFeed() {
    if (feedFrom == Long.MAX_VALUE) {
      return; // a store this code never opened: it has no feed yet
    }
    java.util.TreeMap<String, Long> keysPerCollection = new java.util.TreeMap<>();
    byte[] end = new byte[] {Keys.CHANGE + 1};
    try (KvCursor c = store.seek(new byte[] {Keys.CHANGE})) {
      for (; c.valid() && Bytes.compare(c.key(), end) < 0; c.next()) {
        byte[] key = c.key();
        int nameEnd = indexOf(key, 1);
        String collection = new String(key, 1, nameEnd - 1, StandardCharsets.UTF_8);
        long index = Keys.changeIndex(key, nameEnd + 1);
        if (index < feedFrom) {
          continue; // at or below the floor: the collector may not have reached it yet
        }
        String id = Keys.changeId(key, nameEnd + 1);
        byte[] version = store.get(Keys.documentVersion(Keys.document(collection, id), index));
        if (version == null) {
          problem(
              "FEED_ORPHAN", key, "a change of " + id + " at " + index + " without its version");
          continue;
        }
        keysPerCollection.merge(collection, 1L, Long::sum); // keys that name a version: distinct
        boolean tombstone = VersionCodec.decode(index, version).tombstone();
        boolean before =
            io.aerodb.core.mvcc.VersionReader.live(store, collection, id, index - 1).isPresent();
        io.aerodb.core.mvcc.ChangeFeed.Kind expected =
            tombstone
                ? io.aerodb.core.mvcc.ChangeFeed.Kind.DELETE
                : before
                    ? io.aerodb.core.mvcc.ChangeFeed.Kind.UPDATE
                    : io.aerodb.core.mvcc.ChangeFeed.Kind.INSERT;
        io.aerodb.core.mvcc.ChangeFeed.Kind actual;
        try {
          actual = io.aerodb.core.mvcc.ChangeFeed.Kind.of(c.value());
        } catch (IllegalArgumentException e) {
          actual = null;
        }
        if (actual != expected) {
          problem(
              "FEED_KIND_MISMATCH",
              key,
              "the change of "
                  + id
                  + " at "
                  + index
                  + " says "
                  + actual
                  + ", its version "
                  + expected);
        }
      }
    }
    java.util.TreeSet<String> collections = new java.util.TreeSet<>(feedVersions.keySet());
    collections.addAll(keysPerCollection.keySet());
    for (String collection : collections) {
      long versions = feedVersions.getOrDefault(collection, 0L);
      long keys = keysPerCollection.getOrDefault(collection, 0L);
      if (versions != keys) {
        problem(
            "FEED_INCOMPLETE",
            Keys.changes(collection),
            collection
                + " has "
                + versions
                + " versions from index "
                + feedFrom
                + " on but "
                + keys
                + " change-feed keys");
      }
    }
  }

  /**
   * The document of a version (empty for a tombstone or a version with a problem, which is
   * reported).
   */
  private Optional<JsonValue.Obj> readVersion(
      byte[] key, byte[] value, long v, CollectionInfo collection) {
    DocumentVersion version;
    JsonValue json;
    try {
      version = VersionCodec.decode(v, value);
      if (version.tombstone()) {
        return Optional.empty();
      }
      json = JsonReader.parse(version.json(), Limits.DOCUMENT_JSON);
    } catch (RuntimeException e) {
      problem("VERSION_UNREADABLE", key, "version " + v + " cannot be read: " + e.getMessage());
      return Optional.empty();
    }
    if (!(json instanceof JsonValue.Obj obj) || !(obj.get("_id") instanceof JsonValue.Str)) {
      problem("VERSION_UNREADABLE", key, "version " + v + " is not a document with a string _id");
      return Optional.empty();
    }
    SchemaVersion schema = collection.schemas().get(version.schemaVersion());
    if (schema == null) {
      problem(
          "SCHEMA_VERSION_UNKNOWN",
          key,
          "version "
              + v
              + " names schema version "
              + version.schemaVersion()
              + ", which is unknown");
      return Optional.empty();
    }
    Optional<AeroError> invalid =
        io.aerodb.core.schema.SchemaValidator.validate(
            schema.schema(), obj, collection.name(), version.schemaVersion());
    if (invalid.isPresent()) {
      problem(
          "DOCUMENT_INVALID",
          key,
          "version "
              + v
              + " is invalid under schema version "
              + version.schemaVersion()
              + ": "
              + invalid.get().message());
    }
    return Optional.of(obj);
  }

  /**
   * Whether index {@code d} covers version {@code v} of a document whose existing versions are
   * {@code indexes} (newest first): true, false, or null when it cannot be told (a version at the
   * creating index itself, written in the same entry).
   */
  private static Boolean covers(IndexDefinition d, long v, long[] indexes) {
    long created = d.createdIndex();
    if (v == created) {
      return null;
    }
    if (v > created) {
      return d.isLive() || v < d.droppedIndex();
    }
    for (long other : indexes) {
      if (other > v && other < created) {
        return false; // not the newest version below the creating index
      }
    }
    return true;
  }

  /** One pass over every index entry; returns how many there are. */
  private long checkIndexEntries() {
    long entries = 0;
    byte[] end = new byte[] {Keys.INDEX_ENTRY + 1};
    try (KvCursor c = store.seek(new byte[] {Keys.INDEX_ENTRY})) {
      for (; c.valid() && Bytes.compare(c.key(), end) < 0; c.next()) {
        entries++;
        checkIndexEntry(c.key());
      }
    }
    return entries;
  }

  private void checkIndexEntry(byte[] key) {
    // 0x11 collection 0x00 field 0x00 created u64 | value | esc(id) 0x00 0x01 | ~index u64
    int collectionEnd = indexOf(key, 1);
    int fieldEnd = collectionEnd < 0 ? -1 : indexOf(key, collectionEnd + 1);
    if (fieldEnd < 0 || key.length < fieldEnd + 1 + 8) {
      problem("INDEX_ENTRY_MALFORMED", key, "not an index entry key");
      return;
    }
    String collectionName = new String(key, 1, collectionEnd - 1, StandardCharsets.UTF_8);
    String field =
        new String(key, collectionEnd + 1, fieldEnd - collectionEnd - 1, StandardCharsets.UTF_8);
    long created = Bytes.getLong(key, fieldEnd + 1);
    Optional<IndexDefinition> definition =
        catalog.collection(collectionName).stream()
            .flatMap(ci -> ci.indexes().stream())
            .filter(d -> d.field().equals(field) && d.createdIndex() == created)
            .findFirst();
    if (definition.isEmpty()) {
      problem(
          "INDEX_ENTRY_ORPHANED",
          key,
          "an entry of an index on "
              + collectionName
              + "."
              + field
              + " created at "
              + created
              + ", which the catalog lacks");
      return;
    }
    IndexKeys.Entry entry;
    try {
      entry = IndexKeys.parse(key, fieldEnd + 1 + 8);
    } catch (RuntimeException e) {
      problem("INDEX_ENTRY_MALFORMED", key, e.getMessage());
      return;
    }
    String id = entry.id(key);
    long v = entry.versionIndex();
    byte[] prefix = Keys.document(collectionName, id);
    List<Long> versions = new ArrayList<>();
    byte[] value = null;
    byte[] end = Bytes.prefixSuccessor(prefix);
    try (KvCursor c = store.seek(prefix)) {
      for (; c.valid() && Bytes.compare(c.key(), end) < 0; c.next()) {
        long at = Keys.versionIndex(c.key());
        versions.add(at);
        if (at == v) {
          value = c.value();
        }
      }
    }
    if (value == null || !VersionCodec.isDocument(value)) {
      problem(
          "INDEX_ENTRY_ORPHANED",
          key,
          "the entry names version "
              + v
              + " of "
              + id
              + ", which "
              + (value == null ? "does not exist" : "is a tombstone"));
      return;
    }
    long[] indexes = versions.stream().mapToLong(Long::longValue).toArray();
    if (covers(definition.get(), v, indexes) == Boolean.FALSE) {
      problem(
          "INDEX_ENTRY_ORPHANED",
          key,
          "the index on "
              + field
              + " created at "
              + created
              + " does not cover version "
              + v
              + " of "
              + id);
      return;
    }
    JsonValue.Obj doc;
    try {
      doc =
          (JsonValue.Obj)
              JsonReader.parse(VersionCodec.decode(v, value).json(), Limits.DOCUMENT_JSON);
    } catch (RuntimeException e) {
      return; // reported by the document pass
    }
    List<byte[]> expected =
        IndexMaintenance.entryKeys(collectionName, List.of(definition.get()), id, doc, v);
    if (expected.stream().noneMatch(k -> Arrays.equals(k, key))) {
      problem(
          "INDEX_ENTRY_ORPHANED",
          key,
          "version " + v + " of " + id + " does not have the entry's value at " + field);
    }
  }

  private void problem(String kind, byte[] key, String detail) {
    problemCount++;
    if (problems.size() < problemsMax) {
      problems.add(new Problem(kind, Bytes.hex(key), detail));
    }
  }

  private static String collectionOf(byte[] documentPrefix) {
    return new String(documentPrefix, 1, indexOf(documentPrefix, 1) - 1, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] key, int from) {
    for (int i = from; i < key.length; i++) {
      if (key[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
