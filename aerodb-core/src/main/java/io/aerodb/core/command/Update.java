package io.aerodb.core.command;

/**
 * Replaces an existing document (full replacement); fails with AERO_DOCUMENT_NOT_FOUND if it is
 * absent.
 *
 * @param documentJson raw client text before prepare; canonical JSON in the log
 * @param schemaVersion the schema version the leader validated the document against (0 before
 *     prepare); apply validates again against the version in force then [S4]
 */
public record Update(String collection, byte[] documentJson, int schemaVersion) implements Command {

  /** A client's update, before prepare. */
  public Update(String collection, byte[] documentJson) {
    this(collection, documentJson, 0);
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    return DocumentPut.prepare(context, collection, documentJson, false);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    return DocumentPut.apply(context, collection, documentJson, false);
  }

  @Override
  public boolean isDocumentWrite() {
    return true;
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "update";
  }

  @Override
  public byte[] fingerprintBody() {
    return documentJson;
  }
}
