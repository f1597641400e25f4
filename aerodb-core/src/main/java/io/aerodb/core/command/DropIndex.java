package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * Drops the live index on a field path. Its definition is kept (with the index that dropped it) so
 * that older read views still plan with it; its entries stay until garbage collection.
 */
public record DropIndex(String collection, String field) implements Command {

  @Override
  public Prepared prepare(PrepareContext context) {
    Rejections.checkName(collection);
    CreateIndex.indexPath(field);
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
    IndexDefinition d = info.liveIndex(field).orElseThrow().droppedAt(context.index());
    Catalog.persistIndex(context.batch(), collection, d);
    context.changeCatalog(catalog.with(info.withIndex(d)));
    return CommandResult.ok(context.index(), true, 0);
  }

  /** The rule, the same on the leader and in apply: the field has a live index. */
  private void check(Catalog catalog) {
    CollectionInfo info = Rejections.existingCollection(collection, catalog);
    CreateIndex.indexPath(field);
    if (info.liveIndex(field).isEmpty()) {
      throw AeroError.of(
              ErrorCode.AERO_INDEX_NOT_FOUND,
              "'" + collection + "' has no index on '" + field + "'",
              "collection",
              collection,
              "field",
              field)
          .toException();
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "drop-index";
  }

  @Override
  public byte[] fingerprintBody() {
    return field.getBytes(StandardCharsets.UTF_8);
  }
}
