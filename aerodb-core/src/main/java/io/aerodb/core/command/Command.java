package io.aerodb.core.command;

import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A replicated command: what one write of a Raft log entry asks the state machine to do. Each
 * command type is one record that holds its data and its rules, both in one file:
 *
 * <ul>
 *   <li>{@link #prepare} — on the leader, before the entry is proposed: parse, validate and
 *       canonicalize once, check against the applied state, and return everything the log entry
 *       needs ({@link Prepared}). Advisory: the state may change before the entry applies.
 *   <li>{@link #apply} — on every node, in log order: the authoritative, deterministic check [S4]
 *       and the effect, written into the entry's one store batch ({@link ApplyContext}).
 * </ul>
 *
 * <p>A new command type is a new record in {@code permits}; the compiler then names every place
 * that must handle it: {@link Visitor} (the log-entry codec in aerodb-ratis implements it) and the
 * codec's exhaustive switch over the protobuf {@code oneof}.
 *
 * <p>Error contract: a client's mistake is an {@link io.aerodb.core.error.AeroException} with a
 * REJECT code thrown from {@code prepare} or {@code apply} (apply's caller turns it into a rejected
 * result, identical on every node); only a store failure ({@code AERO_STORAGE_IO}, {@code
 * AERO_STORAGE_CORRUPTION}) leaves apply as an exception, and it stops the replica.
 *
 * <p>Before {@code prepare} a command's JSON is raw client text and its schema version 0; the log
 * holds only the canonical form.
 */
public sealed interface Command
    permits CreateCollection,
        Insert,
        Update,
        Delete,
        PublishSchema,
        CreateIndex,
        DropIndex,
        RecordAuthority,
        SetGcFloor,
        SetIdempotencyHorizon,
        AtomicBatch,
        Undecodable {

  /** The collection the command addresses; "" for commands about the cluster. */
  String collection();

  /**
   * Leader-side: the canonical command and its document key, or an AeroException with the rejection
   * (nothing is proposed).
   */
  Prepared prepare(PrepareContext context);

  /**
   * Applies the command as part of the entry {@code context} describes and returns its result.
   * Throws AeroException for a rejection (see the class comment).
   */
  CommandResult apply(ApplyContext context);

  /**
   * Whether the leader may carry it in a group-commit entry with other clients' writes (only
   * document writes: insert, update, delete).
   */
  default boolean isDocumentWrite() {
    return false;
  }

  <R> R accept(Visitor<R> visitor);

  /**
   * The name of the command in fingerprints and logs ("insert", "create-index", ...). Never
   * changes.
   */
  String commandName();

  /** The name the fingerprint covers: {@link #commandName} and, for a guarded write, its guard. */
  default String fingerprintName() {
    return commandName();
  }

  /** The canonical content the fingerprint covers besides name and collection. */
  byte[] fingerprintBody();

  /**
   * A digest of the command's canonical content, stored with its idempotency record so that a
   * request_id reused for a different command is detected (AERO_IDEMPOTENCY_KEY_REUSED). Layout:
   * SHA-256 of {@code len|name|len|collection|len|body}, lengths as u64, name = {@link
   * #fingerprintName} (docs/FORMATS.md).
   */
  default byte[] fingerprint() {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
    for (String part : new String[] {fingerprintName(), collection()}) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      md.update(Bytes.ofLong(b.length));
      md.update(b);
    }
    byte[] body = fingerprintBody();
    md.update(Bytes.ofLong(body.length));
    md.update(body);
    return md.digest();
  }

  /** One method per command type: adding a type breaks every visitor until it handles it. */
  interface Visitor<R> {
    R visit(CreateCollection c);

    R visit(Insert c);

    R visit(Update c);

    R visit(Delete c);

    R visit(PublishSchema c);

    R visit(CreateIndex c);

    R visit(DropIndex c);

    R visit(RecordAuthority c);

    R visit(SetGcFloor c);

    R visit(SetIdempotencyHorizon c);

    R visit(AtomicBatch c);

    R visit(Undecodable c);
  }
}
