package io.aerodb.core.command;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaParser;
import java.util.TreeMap;

/** Creates a collection with its first schema (version 1) [S1]. */
public record CreateCollection(String collection, byte[] schemaJson) implements Command {

  @Override
  public Prepared prepare(PrepareContext context) {
    Rejections.checkName(collection);
    Schema schema = SchemaParser.parse(schemaJson);
    if (context.checksState() && context.catalog().collection(collection).isPresent()) {
      throw Rejections.collectionExists(collection).toException();
    }
    return Prepared.of(new CreateCollection(collection, schema.canonicalJson()));
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    Rejections.checkName(collection);
    Catalog catalog = context.catalog();
    if (catalog.collection(collection).isPresent()) {
      throw Rejections.collectionExists(collection).toException();
    }
    Schema schema = SchemaParser.parse(schemaJson);
    TreeMap<Integer, SchemaVersion> versions = new TreeMap<>();
    versions.put(1, new SchemaVersion(1, context.index(), schema));
    CollectionInfo info = new CollectionInfo(collection, context.index(), versions);
    Catalog.persistCollection(context.batch(), info);
    context.changeCatalog(catalog.with(info));
    return CommandResult.ok(context.index(), false, 1);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "create";
  }

  @Override
  public byte[] fingerprintBody() {
    return schemaJson;
  }
}
