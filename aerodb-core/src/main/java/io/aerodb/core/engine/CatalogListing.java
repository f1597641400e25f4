package io.aerodb.core.engine;

import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.AeroError;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code index list} shows at one read view: the indexes a query may use (the implicit _id
 * index first, then by field) and the schema versions it covers (by version).
 *
 * @param rejection AERO_COLLECTION_NOT_FOUND or a malformed name, else null (then the lists hold
 *     the listing)
 */
public record CatalogListing(
    long viewIndex,
    String collection,
    List<IndexListing> indexes,
    List<SchemaListing> schemaVersions,
    AeroError rejection) {

  public CatalogListing {
    indexes = List.copyOf(indexes);
    schemaVersions = List.copyOf(schemaVersions);
  }

  /** An index: its field path, the log index that created it, whether it is the implicit _id. */
  public record IndexListing(String field, long createdIndex, boolean implicit) {}

  /** A schema version and the log index that published it. */
  public record SchemaListing(int version, long createdIndex) {}

  static CatalogListing of(CollectionInfo info, long view) {
    List<IndexListing> indexes = new ArrayList<>();
    indexes.add(new IndexListing("_id", info.createdIndex(), true));
    for (IndexDefinition d : info.indexesAt(view).values()) {
      indexes.add(new IndexListing(d.field(), d.createdIndex(), false));
    }
    List<SchemaListing> versions = new ArrayList<>();
    for (SchemaVersion v : info.schemasAt(view).values()) {
      versions.add(new SchemaListing(v.version(), v.createdIndex()));
    }
    return new CatalogListing(view, info.name(), indexes, versions, null);
  }

  static CatalogListing rejected(long view, AeroError rejection) {
    return new CatalogListing(view, "", List.of(), List.of(), rejection);
  }
}
