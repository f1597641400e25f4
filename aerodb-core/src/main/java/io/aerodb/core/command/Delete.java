package io.aerodb.core.command;

import io.aerodb.core.document.Document;
import io.aerodb.core.mvcc.ChangeFeed;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import java.nio.charset.StandardCharsets;

/**
 * Deletes a document by writing a tombstone version; deleting an absent document is not an error
 * (the result says {@code existed=false} and nothing is written).
 *
 * @param expected the client's guard on the document's version [TX2]
 */
public record Delete(String collection, String id, Precondition expected) implements Command {

  public Delete {
    expected = expected == null ? Precondition.NONE : expected;
  }

  public Delete(String collection, String id) {
    this(collection, id, Precondition.NONE);
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    Rejections.existingCollection(collection, context.catalog());
    Document.checkId(id);
    if (context.checksState()) {
      expected.check(commandName(), collection, id, context.live(collection, id));
    }
    return Prepared.of(this, new DocumentKey(collection, id));
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    Rejections.existingCollection(collection, context.catalog());
    Document.checkId(id);
    DocumentKey key = new DocumentKey(collection, id);
    context.checkNotWritten(key);
    var live = context.live(collection, id);
    expected.check(commandName(), collection, id, live);
    boolean existed = live.isPresent();
    if (!existed) {
      context.markAddressed(key); // a batch writes each document at most once [TX1]
    } else {
      context.markWritten(key);
      byte[] document = Keys.document(collection, id);
      context
          .batch()
          .put(Keys.documentVersion(document, context.index()), VersionCodec.tombstone());
      DocumentHeads.deleted(context.batch(), document);
      ChangeFeed.record(context.batch(), collection, context.index(), id, ChangeFeed.Kind.DELETE);
    }
    return CommandResult.ok(context.index(), existed, 0);
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
    return "delete";
  }

  @Override
  public String fingerprintName() {
    return DocumentPut.guardedName(commandName(), expected);
  }

  @Override
  public byte[] fingerprintBody() {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
