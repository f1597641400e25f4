package io.aerodb.core.catalog;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A collection as of the latest applied index: when it was created and its schema versions (at
 * least one: the schema is mandatory [S1]). Immutable.
 */
public record CollectionInfo(
    String name, long createdIndex, SortedMap<Integer, SchemaVersion> schemas) {

  public CollectionInfo {
    if (schemas.isEmpty()) {
      throw new IllegalArgumentException("a collection has at least one schema version [S1]");
    }
    schemas = Collections.unmodifiableSortedMap(new TreeMap<>(schemas));
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
}
