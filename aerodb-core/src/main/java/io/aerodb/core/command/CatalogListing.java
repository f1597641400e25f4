package io.aerodb.core.command;

import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What {@code index list} shows: the indexes a query at the view may use (the implicit _id index
 * first, then by field) and the schema versions it covers, as canonical JSON:
 *
 * <pre>
 * {"collection", "indexes": [{"createdIndex", "field", "implicit"}], "readView",
 *  "schemaVersions": [{"createdIndex", "version"}]}
 * </pre>
 *
 * @param json the listing, or null if rejected
 * @param rejection AERO_COLLECTION_NOT_FOUND or a malformed name, else null
 */
public record CatalogListing(long viewIndex, byte[] json, AeroError rejection) {

  static byte[] json(CollectionInfo info, long view) {
    List<JsonValue> indexes = new ArrayList<>();
    indexes.add(index("_id", info.createdIndex(), true));
    for (IndexDefinition d : info.indexesAt(view).values()) {
      indexes.add(index(d.field(), d.createdIndex(), false));
    }
    List<JsonValue> versions = new ArrayList<>();
    for (SchemaVersion v : info.schemasAt(view).values()) {
      TreeMap<String, JsonValue> o = new TreeMap<>(JsonValue.KEY_ORDER);
      o.put("version", new JsonValue.Int(v.version()));
      o.put("createdIndex", new JsonValue.Int(v.createdIndex()));
      versions.add(new JsonValue.Obj(o));
    }
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("collection", new JsonValue.Str(info.name()));
    m.put("readView", new JsonValue.Int(view));
    m.put("indexes", new JsonValue.Arr(indexes));
    m.put("schemaVersions", new JsonValue.Arr(versions));
    return CanonicalJson.toBytes(new JsonValue.Obj(m));
  }

  private static JsonValue index(String field, long created, boolean implicit) {
    TreeMap<String, JsonValue> o = new TreeMap<>(JsonValue.KEY_ORDER);
    o.put("field", new JsonValue.Str(field));
    o.put("createdIndex", new JsonValue.Int(created));
    o.put("implicit", new JsonValue.Bool(implicit));
    return new JsonValue.Obj(o);
  }
}
