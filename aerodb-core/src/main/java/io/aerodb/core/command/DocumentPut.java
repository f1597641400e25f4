package io.aerodb.core.command;

import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.document.Document;
import io.aerodb.core.index.IndexMaintenance;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.ChangeFeed;
import io.aerodb.core.mvcc.DocumentHeads;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;

/**
 * The rules {@link Insert} and {@link Update} share; they differ only in whether the document must
 * be absent or present.
 */
final class DocumentPut {
  private DocumentPut() {}

  /**
   * Leader-side: admits the client's document under the latest schema version (parse, validate [S2,
   * S3], canonicalize: the one parse of the write) and checks existence on the applied state.
   *
   * <p>A retry of a recorded request_id is only canonicalized, not validated: its apply returns the
   * stored result (or refuses a reused key), and a schema published since the original took effect
   * must not turn a write that happened into a refusal (the cluster simulation found that, seed 11:
   * the client was told "rejected" while its insert was in the database). Apply still validates
   * anything it would write [S4].
   */
  static Prepared prepare(PrepareContext context, Command put, boolean insert) {
    String collection = put.collection();
    byte[] json = insert ? ((Insert) put).documentJson() : ((Update) put).documentJson();
    Precondition expected = insert ? ((Insert) put).expected() : ((Update) put).expected();
    if (!context.checksState()) {
      return prepareRetry(context, collection, json, insert, expected);
    }
    SchemaVersion sv = Rejections.existingCollection(collection, context.catalog()).latest();
    Document doc = Document.admit(json, sv.schema(), collection, sv.version());
    var live = context.live(collection, doc.id());
    expected.check(put.commandName(), collection, doc.id(), live);
    checkExistence(collection, doc.id(), live.isPresent(), insert);
    Command canonical =
        insert
            ? new Insert(collection, doc.canonicalJson(), sv.version(), expected)
            : new Update(collection, doc.canonicalJson(), sv.version(), expected);
    return Prepared.of(canonical, new DocumentKey(collection, doc.id()));
  }

  /**
   * The name a guarded write's fingerprint carries ("update?expected=17"), so that a request_id
   * reused with another guard is a different command; an unguarded write keeps its plain name.
   */
  static String guardedName(String commandName, Precondition expected) {
    return expected.isNone() ? commandName : commandName + "?expected=" + expected.describe();
  }

  /**
   * A retry of a recorded request_id: the canonical form of the client's JSON (what the stored
   * fingerprint covers; canonical bytes do not depend on the schema) and, when it has a usable
   * {@code _id}, the document key. Schema version 0: nothing was validated here.
   */
  private static Prepared prepareRetry(
      PrepareContext context,
      String collection,
      byte[] json,
      boolean insert,
      Precondition expected) {
    Rejections.existingCollection(collection, context.catalog());
    JsonValue parsed = JsonReader.parse(json, Limits.DOCUMENT_JSON);
    byte[] canonical = CanonicalJson.toBytes(parsed);
    Command command =
        insert
            ? new Insert(collection, canonical, 0, expected)
            : new Update(collection, canonical, 0, expected);
    if (parsed instanceof JsonValue.Obj o && o.get("_id") instanceof JsonValue.Str id) {
      return Prepared.of(command, new DocumentKey(collection, id.value()));
    }
    return Prepared.of(command);
  }

  /**
   * Checks the document against the schema in force at apply [S4], checks the guard at the entry's
   * view [TX2], then writes the version (keyed by the entry's index [MVCC-2]) and the entries of
   * every live index [Q2].
   */
  static CommandResult apply(ApplyContext context, Command put, boolean insert) {
    String collection = put.collection();
    byte[] json = insert ? ((Insert) put).documentJson() : ((Update) put).documentJson();
    Precondition expected = insert ? ((Insert) put).expected() : ((Update) put).expected();
    int validatedAgainst = insert ? ((Insert) put).schemaVersion() : ((Update) put).schemaVersion();
    CollectionInfo info = Rejections.existingCollection(collection, context.catalog());
    SchemaVersion sv = info.latest();
    Document doc = admitAtApply(json, validatedAgainst, sv, collection);
    DocumentKey key = new DocumentKey(collection, doc.id());
    context.checkNotWritten(key);
    var live = context.live(collection, doc.id());
    expected.check(put.commandName(), collection, doc.id(), live);
    boolean exists = live.isPresent();
    checkExistence(collection, doc.id(), exists, insert);
    context.markWritten(key);
    long index = context.index();
    byte[] document = Keys.document(collection, doc.id());
    context
        .batch()
        .put(
            Keys.documentVersion(document, index),
            VersionCodec.document(sv.version(), doc.canonicalJson()));
    DocumentHeads.written(context.batch(), document, index);
    IndexMaintenance.addEntries(
        context.batch(), collection, info.liveIndexes().values(), doc.id(), doc.value(), index);
    ChangeFeed.record(
        context.batch(),
        collection,
        index,
        doc.id(),
        insert ? ChangeFeed.Kind.INSERT : ChangeFeed.Kind.UPDATE);
    return CommandResult.ok(index, exists, sv.version());
  }

  /**
   * The document as apply writes it [S4]: validated against {@code inForce}, the latest schema
   * version at apply. When the leader validated it against that very version (the entry says so,
   * and a published version never changes), its canonical bytes are taken as they are: the same
   * check on the same bytes could only pass again. Otherwise — a schema published since, or a retry
   * prepared without validation (version 0) — it is admitted in full. Deterministic: the choice
   * depends only on the entry and the replicated catalog.
   */
  private static Document admitAtApply(
      byte[] json, int validatedAgainst, SchemaVersion inForce, String collection) {
    if (validatedAgainst == inForce.version()) {
      var admitted = Document.admittedByLeader(json);
      if (admitted.isPresent()) {
        return admitted.get();
      }
    }
    return Document.admit(json, inForce.schema(), collection, inForce.version());
  }

  private static void checkExistence(String collection, String id, boolean exists, boolean insert) {
    if (insert && exists) {
      throw Rejections.documentExists(collection, id).toException();
    }
    if (!insert && !exists) {
      throw Rejections.documentNotFound(collection, id).toException();
    }
  }
}
