package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaParser;

/**
 * Publishes a new, immutable schema version of an existing collection [S1]; new writes validate
 * against it, stored documents keep the version they were written under [S4].
 */
public record PublishSchema(String collection, byte[] schemaJson) implements Command {

  @Override
  public Prepared prepare(PrepareContext context) {
    Rejections.checkName(collection);
    PublishSchema canonical =
        new PublishSchema(collection, SchemaParser.parse(schemaJson).canonicalJson());
    if (context.checksState()) {
      canonical.check(context.catalog());
    }
    return Prepared.of(canonical);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    Catalog catalog = context.catalog();
    check(catalog);
    CollectionInfo info = catalog.collection(collection).orElseThrow();
    SchemaVersion sv =
        new SchemaVersion(
            info.latest().version() + 1, context.index(), SchemaParser.parse(schemaJson));
    Catalog.persistSchema(context.batch(), collection, sv);
    context.changeCatalog(catalog.with(info.withSchema(sv)));
    return CommandResult.ok(context.index(), true, sv.version());
  }

  /**
   * The rule, the same on the leader and in apply: the collection exists, the schema differs from
   * the latest version, and the number of versions stays within its limit. Throws AeroException
   * with the rejection, for a malformed name or schema, or an unknown collection.
   */
  private void check(Catalog catalog) {
    CollectionInfo info = Rejections.existingCollection(collection, catalog);
    Schema schema = SchemaParser.parse(schemaJson);
    SchemaVersion latest = info.latest();
    if (schema.equals(latest.schema())) {
      throw AeroError.of(
              ErrorCode.AERO_SCHEMA_UNCHANGED,
              "the schema equals version "
                  + latest.version()
                  + " of '"
                  + collection
                  + "'; a published version is immutable and a new one must differ",
              "collection",
              collection,
              "schemaVersion",
              Integer.toString(latest.version()))
          .toException();
    }
    if (info.schemas().size() >= Limits.SCHEMA_VERSIONS_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_SCHEMA_VERSIONS,
              "'" + collection + "' has " + info.schemas().size() + " schema versions",
              "limit",
              "schemaVersionsMax",
              "limitValue",
              Integer.toString(Limits.SCHEMA_VERSIONS_MAX))
          .toException();
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "publish-schema";
  }

  @Override
  public byte[] fingerprintBody() {
    return schemaJson;
  }
}
