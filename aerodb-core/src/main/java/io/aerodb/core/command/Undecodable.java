package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;

/**
 * An entry (or a write of one) that could not be decoded. Applying it changes nothing but the
 * applied index and rejects it with AERO_LOG_ENTRY_INVALID, identically on every node: apply never
 * throws for bad input. The leader never proposes one.
 */
public record Undecodable(String reason) implements Command {
  @Override
  public String collection() {
    return "";
  }

  @Override
  public Prepared prepare(PrepareContext context) {
    throw AeroError.of(ErrorCode.AERO_REQUEST_INVALID, reason).toException();
  }

  @Override
  public CommandResult apply(ApplyContext context) {
    throw AeroError.of(
            ErrorCode.AERO_LOG_ENTRY_INVALID,
            "log entry " + context.index() + " could not be decoded: " + reason,
            "index",
            Long.toString(context.index()))
        .toException();
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.visit(this);
  }

  @Override
  public String commandName() {
    return "undecodable";
  }

  @Override
  public byte[] fingerprintBody() {
    return new byte[0];
  }
}
