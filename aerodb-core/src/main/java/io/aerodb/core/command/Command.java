package io.aerodb.core.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A replicated command: what one Raft log entry asks the state machine to do. Before it is
 * appended, a command's JSON is raw client text; the leader's {@link Engine#prepare} turns it into
 * canonical JSON, and the log holds only that form.
 */
public sealed interface Command {

  /** The collection the command addresses. */
  String collection();

  /** Creates a collection with its first schema (version 1) [S1]. */
  record CreateCollection(String collection, byte[] schemaJson) implements Command {}

  /** Inserts a new document; fails if its {@code _id} exists. */
  record Insert(String collection, byte[] documentJson) implements Command {}

  /** Replaces an existing document; fails if it is absent. */
  record Update(String collection, byte[] documentJson) implements Command {}

  /** Deletes a document (a tombstone version); an absent document is not an error. */
  record Delete(String collection, String id) implements Command {}

  /**
   * A record of the replicated authority history [P6-D2] (leadership epochs, transfer intents and
   * outcomes, membership changes, unsafe recoveries); see {@link
   * io.aerodb.core.authority.AuthorityHistory}.
   */
  record RecordAuthority(String kind, java.util.SortedMap<String, String> fields)
      implements Command {
    public RecordAuthority {
      fields = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(fields));
    }

    @Override
    public String collection() {
      return "";
    }
  }

  /**
   * Publishes a new, immutable schema version of an existing collection [S1]; new writes validate
   * against it, stored documents keep the version they were written under [S4].
   */
  record PublishSchema(String collection, byte[] schemaJson) implements Command {}

  /**
   * Creates a secondary index on a scalar field path; applying it builds the index for the existing
   * documents in the same batch [Q2].
   */
  record CreateIndex(String collection, String field) implements Command {}

  /** Drops the live index on a field path (its definition is kept for older read views). */
  record DropIndex(String collection, String field) implements Command {}

  /**
   * Independent document writes carried by one log entry (the leader's group commit): each write
   * keeps its own request_id and result; all share the entry's index and one store batch, so they
   * become visible together [MVCC-2]. Only Insert, Update and Delete may be batched, and no two
   * writes of a batch may touch the same document or carry the same request_id; the engine rejects
   * an offending write with AERO_LOG_ENTRY_INVALID, identically on every node.
   */
  record Batch(java.util.List<Write> writes) implements Command {
    public Batch {
      writes = java.util.List.copyOf(writes);
    }

    /** One write of a batch: the client's idempotency key (possibly empty) and the command. */
    public record Write(byte[] requestId, Command command) {}

    @Override
    public String collection() {
      return "";
    }
  }

  /**
   * An entry that could not be decoded. Applying it changes nothing but the applied index and
   * rejects it with AERO_LOG_ENTRY_INVALID, identically on every node (apply must never throw for
   * bad input).
   */
  record Undecodable(String reason) implements Command {
    @Override
    public String collection() {
      return "";
    }
  }

  /**
   * The key of the document a prepared document write touches ({@code collection NUL _id}); empty
   * for every other command. Two writes with one key cannot share a log entry (their versions would
   * share a store key): the leader's group commit keeps them apart, and apply refuses such an
   * entry.
   */
  static java.util.Optional<String> documentKey(Command command) {
    if (command instanceof Insert c) {
      return java.util.Optional.of(documentKey(c.collection(), Documents.idOf(c.documentJson())));
    }
    if (command instanceof Update c) {
      return java.util.Optional.of(documentKey(c.collection(), Documents.idOf(c.documentJson())));
    }
    if (command instanceof Delete c) {
      return java.util.Optional.of(documentKey(c.collection(), c.id()));
    }
    return java.util.Optional.empty();
  }

  /** {@code collection NUL id}: see {@link #documentKey(Command)}. */
  static String documentKey(String collection, String id) {
    return collection + "\u0000" + id;
  }

  /**
   * A digest of the command's canonical content, stored with its idempotency record so that a
   * request_id reused for a different command is detected (AERO_IDEMPOTENCY_KEY_REUSED).
   */
  static byte[] fingerprint(Command command) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
    String tag;
    byte[] body;
    if (command instanceof CreateCollection c) {
      tag = "create";
      body = c.schemaJson();
    } else if (command instanceof Insert c) {
      tag = "insert";
      body = c.documentJson();
    } else if (command instanceof Update c) {
      tag = "update";
      body = c.documentJson();
    } else if (command instanceof Delete c) {
      tag = "delete";
      body = c.id().getBytes(StandardCharsets.UTF_8);
    } else if (command instanceof RecordAuthority c) {
      tag = "authority";
      body = (c.kind() + c.fields()).getBytes(StandardCharsets.UTF_8);
    } else if (command instanceof PublishSchema c) {
      tag = "publish-schema";
      body = c.schemaJson();
    } else if (command instanceof CreateIndex c) {
      tag = "create-index";
      body = c.field().getBytes(StandardCharsets.UTF_8);
    } else if (command instanceof DropIndex c) {
      tag = "drop-index";
      body = c.field().getBytes(StandardCharsets.UTF_8);
    } else {
      tag = "undecodable";
      body = new byte[0];
    }
    for (String part : new String[] {tag, command.collection()}) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      md.update(io.aerodb.core.util.Bytes.ofLong(b.length));
      md.update(b);
    }
    md.update(io.aerodb.core.util.Bytes.ofLong(body.length));
    md.update(body);
    return md.digest();
  }

  static boolean sameBytes(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
