package io.aerodb.core.engine;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.command.CommandResult;
import java.util.List;

/**
 * The outcome of applying one log entry: one result per write, in order, and the authority records
 * the entry added (for events; a deduplicated retry adds none).
 */
public record AppliedEntry(List<CommandResult> results, List<AuthorityRecord> authorityRecords) {
  public AppliedEntry {
    results = List.copyOf(results);
    authorityRecords = List.copyOf(authorityRecords);
  }
}
