package io.aerodb.core.command;

/**
 * Replaces an existing document (full replacement); fails with AERO_DOCUMENT_NOT_FOUND if it is
 * absent.
 *
 * @param documentJson raw client text before prepare; canonical JSON in the log
 * @param schemaVersion the schema version the leader validated the document against (0 before
 *     prepare, and in a retry prepared without validation); apply validates again against the
 *     version in force then, unless it is this very version [S4] — so it is a claim that a decoded
 *     entry makes only for an intact document ({@code LogEntryCodec} decodes 0 otherwise)
 * @param expected the client's guard on the document's version [TX2]
 */
public record Update(
    String collection, byte[] documentJson, int schemaVersion, Precondition expected)
    implements Command {

  public Update {
    expected = expected == null ? Precondition.NONE : expected;
  }

  /** A client's update, before prepare. */
  public Update(String collection, byte[] documentJson) {
    this(collection, documentJson, 0, Precondition.NONE);
  }

  /** A client's guarded update, before prepare. */
  public Update(String collection, byte[] documentJson, Precondition expected) {
    this(collection, documentJson, 0, expected);
  }

  /** An unguarded update as the log holds it. */
  public Update(String collection, byte[] documentJson, int schemaVersion) {
    this(collection, documentJson, schemaVersion, Precondition.NONE);
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    return DocumentPut.prepare(context, this, false);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    return DocumentPut.apply(context, this, false);
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
  public String fingerprintName() {
    return DocumentPut.guardedName(commandName(), expected);
  }

  @Override
  public byte[] fingerprintBody() {
    return documentJson;
  }
}
