package io.aerodb.core.catalog;

import io.aerodb.core.json.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A collection as of the latest applied index: when it was created, its schema versions (at least
 * one: the schema is mandatory [S1]) and its secondary indexes, live and dropped. Immutable.
 *
 * <p>Everything carries the index of the entry that created it, so the state of the collection at
 * any read view V at or below the applied index can be derived from this value: {@link #schemasAt},
 * {@link #indexesAt}. A reader that takes its view first and the catalog second (the catalog is
 * published before the applied index) always gets a catalog at least as new as its view.
 *
 * @param indexes every index definition ever created, sorted by (field, createdIndex)
 */
public record CollectionInfo(
    String name,
    long createdIndex,
    SortedMap<Integer, SchemaVersion> schemas,
    List<IndexDefinition> indexes) {

  private static final Comparator<IndexDefinition> INDEX_ORDER =
      Comparator.comparing(IndexDefinition::field, JsonValue.KEY_ORDER)
          .thenComparingLong(IndexDefinition::createdIndex);

  public CollectionInfo {
    if (schemas.isEmpty()) {
      throw new IllegalArgumentException("a collection has at least one schema version [S1]");
    }
    schemas = Collections.unmodifiableSortedMap(new TreeMap<>(schemas));
    List<IndexDefinition> sorted = new ArrayList<>(indexes);
    sorted.sort(INDEX_ORDER);
    indexes = List.copyOf(sorted);
  }

  /** A collection without secondary indexes. */
  public CollectionInfo(String name, long createdIndex, SortedMap<Integer, SchemaVersion> schemas) {
    this(name, createdIndex, schemas, List.of());
  }

  /** The schema version in force for new writes. */
  public SchemaVersion latest() {
    return schemas.get(schemas.lastKey());
  }

  public SchemaVersion version(int version) {
    return schemas.get(version);
  }

  /** Whether the collection exists in the read view {@code viewIndex}. */
  public boolean existsAt(long viewIndex) {
    return createdIndex <= viewIndex;
  }

  /** The schema versions published at or below {@code viewIndex}. */
  public SortedMap<Integer, SchemaVersion> schemasAt(long viewIndex) {
    TreeMap<Integer, SchemaVersion> out = new TreeMap<>();
    for (SchemaVersion v : schemas.values()) {
      if (v.createdIndex() <= viewIndex) {
        out.put(v.version(), v);
      }
    }
    return out;
  }

  /** The live index on {@code field}, if any. */
  public Optional<IndexDefinition> liveIndex(String field) {
    for (IndexDefinition d : indexes) {
      if (d.isLive() && d.field().equals(field)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The live indexes by field, in field order. */
  public SortedMap<String, IndexDefinition> liveIndexes() {
    TreeMap<String, IndexDefinition> out = new TreeMap<>(JsonValue.KEY_ORDER);
    for (IndexDefinition d : indexes) {
      if (d.isLive()) {
        out.put(d.field(), d);
      }
    }
    return out;
  }

  /** The indexes a read at {@code viewIndex} may use, by field (at most one per field). */
  public SortedMap<String, IndexDefinition> indexesAt(long viewIndex) {
    TreeMap<String, IndexDefinition> out = new TreeMap<>(JsonValue.KEY_ORDER);
    for (IndexDefinition d : indexes) {
      if (d.usableAt(viewIndex)) {
        out.put(d.field(), d);
      }
    }
    return out;
  }

  /** This collection with one more schema version. */
  public CollectionInfo withSchema(SchemaVersion v) {
    TreeMap<Integer, SchemaVersion> copy = new TreeMap<>(schemas);
    copy.put(v.version(), v);
    return new CollectionInfo(name, createdIndex, copy, indexes);
  }

  /** This collection with {@code d} added, or replacing the definition of the same generation. */
  public CollectionInfo withIndex(IndexDefinition d) {
    List<IndexDefinition> copy = new ArrayList<>();
    for (IndexDefinition x : indexes) {
      if (!(x.field().equals(d.field()) && x.createdIndex() == d.createdIndex())) {
        copy.add(x);
      }
    }
    copy.add(d);
    return new CollectionInfo(name, createdIndex, schemas, copy);
  }
}
