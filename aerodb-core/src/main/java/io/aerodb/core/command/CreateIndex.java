package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.FieldPath;
import io.aerodb.core.index.IndexMaintenance;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.schema.FieldKind;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Creates a secondary index on a scalar field path; applying it builds the index for the existing
 * documents in the same store batch, so no read view sees it half-built [Q2].
 */
public record CreateIndex(String collection, String field) implements Command {

  @Override
  public Prepared prepare(PrepareContext context) {
    Rejections.checkName(collection);
    indexPath(field);
    if (context.checksState()) {
      check(context.catalog());
    }
    return Prepared.of(this);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    Catalog catalog = context.catalog();
    check(catalog);
    CollectionInfo info = catalog.collection(collection).orElseThrow();
    IndexDefinition d = IndexDefinition.created(field, context.index());
    Catalog.persistIndex(context.batch(), collection, d);
    IndexMaintenance.build(context.store(), context.batch(), collection, d); // [Q2]
    context.changeCatalog(catalog.with(info.withIndex(d)));
    return CommandResult.ok(context.index(), false, 0);
  }

  /**
   * The rule, the same on the leader and in apply: not _id, not already indexed, a scalar in at
   * least one schema version, within the index limit. Throws AeroException with the rejection, or
   * for a malformed name or path, or an unknown collection.
   */
  private void check(Catalog catalog) {
    CollectionInfo info = Rejections.existingCollection(collection, catalog);
    FieldPath path = indexPath(field);
    if (path.isId() || info.liveIndex(field).isPresent()) {
      throw AeroError.of(
              ErrorCode.AERO_INDEX_EXISTS,
              path.isId()
                  ? "_id is always indexed (by the document keys)"
                  : "'"
                      + field
                      + "' of '"
                      + collection
                      + "' is already indexed (created at index "
                      + info.liveIndex(field).get().createdIndex()
                      + ")",
              "collection",
              collection,
              "field",
              field)
          .toException();
    }
    boolean scalarSomewhere = false;
    for (SchemaVersion v : info.schemas().values()) {
      Optional<FieldKind> k = path.kindIn(v.schema());
      scalarSomewhere |= k.isPresent() && k.get().isScalar();
    }
    if (!scalarSomewhere) {
      throw AeroError.of(
              ErrorCode.AERO_INDEX_FIELD_INVALID,
              "no schema version of '"
                  + collection
                  + "' declares '"
                  + field
                  + "' as a scalar (string, int, float, bool)",
              "collection",
              collection,
              "field",
              field,
              "rule",
              "declared as a scalar in at least one schema version")
          .toException();
    }
    if (info.liveIndexes().size() >= Limits.INDEXES_MAX) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_INDEX_COUNT,
              "'" + collection + "' already has " + info.liveIndexes().size() + " indexes",
              "limit",
              "indexesMax",
              "limitValue",
              Integer.toString(Limits.INDEXES_MAX))
          .toException();
    }
  }

  /** The field path of an index command, or AERO_INDEX_FIELD_INVALID as an exception. */
  static FieldPath indexPath(String field) {
    FieldPath.Parsed p = FieldPath.parse(field);
    if (!p.isOk()) {
      throw AeroError.of(
              ErrorCode.AERO_INDEX_FIELD_INVALID,
              "'" + field + "' is not a field path: " + p.problem(),
              "field",
              String.valueOf(field),
              "rule",
              p.problem())
          .toException();
    }
    return p.path();
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "create-index";
  }

  @Override
  public byte[] fingerprintBody() {
    return field.getBytes(StandardCharsets.UTF_8);
  }
}
