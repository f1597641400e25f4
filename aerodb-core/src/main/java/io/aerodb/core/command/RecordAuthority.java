package io.aerodb.core.command;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.error.AeroError;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A record of the replicated authority history [P6-D2]: leadership epochs, transfer intents and
 * outcomes, membership changes, unsafe recoveries ({@link AuthorityHistory}).
 */
public record RecordAuthority(String kind, SortedMap<String, String> fields) implements Command {
  public RecordAuthority {
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  @Override
  public String collection() {
    return "";
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    AeroError e = AuthorityHistory.check(kind, fields);
    if (e != null) {
      throw e.toException();
    }
    return Prepared.of(this);
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    AeroError e = AuthorityHistory.check(kind, fields);
    if (e != null) {
      throw e.toException();
    }
    context.recordAuthority(new AuthorityRecord(context.index(), context.term(), kind, fields));
    return CommandResult.ok(context.index(), false, 0);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "authority";
  }

  /** The record's own kind (epoch, membership, ...) and its fields. */
  @Override
  public byte[] fingerprintBody() {
    return (kind + fields).getBytes(StandardCharsets.UTF_8);
  }
}
