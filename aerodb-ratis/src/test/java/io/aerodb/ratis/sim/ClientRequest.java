package io.aerodb.ratis.sim;

import io.aerodb.core.command.Command;
import io.aerodb.core.util.Bytes;

/**
 * One client write as its client sees it: the raw command (before prepare), the request_id that
 * every attempt of it carries, and what the client learned. A client retries an attempt whose
 * outcome it does not know with the same request_id, as AeroClient's Retrier does.
 */
final class ClientRequest {
  /** What the client knows about its latest attempt. */
  enum Outcome {
    /** Prepared on a leader, not answered yet. */
    PENDING,
    /** Refused before anything was proposed (a rejection by prepare, no leader, not ready). */
    REFUSED,
    /** May or may not be in the log: the leader lost leadership or crashed before answering. */
    UNKNOWN,
    /** Answered after the leader applied the entry. */
    ACKNOWLEDGED
  }

  final long id;
  final byte[] requestId;
  final Command command;
  final String description;
  int attempts;
  Outcome outcome = Outcome.PENDING;

  /** The fingerprint of the command as a leader first prepared it (null until then). */
  byte[] preparedFingerprint;

  ClientRequest(long id, byte[] requestId, Command command, String description) {
    this.id = id;
    this.requestId = requestId;
    this.command = command;
    this.description = description;
  }

  boolean hasRequestId() {
    return requestId.length > 0;
  }

  @Override
  public String toString() {
    return "request#"
        + id
        + (requestId.length > 0 ? "[" + Bytes.hex(requestId) + "]" : "")
        + " "
        + description;
  }
}
