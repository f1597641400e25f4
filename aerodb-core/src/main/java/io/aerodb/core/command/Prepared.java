package io.aerodb.core.command;

import java.util.Optional;

/**
 * What {@link Command#prepare} returns: everything the log entry needs, computed once on the
 * leader.
 *
 * @param command the canonical command (canonical JSON and the schema version it was validated
 *     against), exactly as the log will hold it
 * @param documentKey for a document write, the document it touches (the group commit keeps two
 *     writes of one document in different entries); empty for every other command
 */
public record Prepared(Command command, Optional<DocumentKey> documentKey) {
  public static Prepared of(Command command) {
    return new Prepared(command, Optional.empty());
  }

  public static Prepared of(Command command, DocumentKey key) {
    return new Prepared(command, Optional.of(key));
  }
}
