package io.aerodb.core.command;

/**
 * One write of a log entry: the client's idempotency key (empty for none, at most {@link
 * io.aerodb.core.limits.Limits#REQUEST_ID_BYTES_MAX} bytes) and the command.
 */
public record Write(byte[] requestId, Command command) {
  public static final byte[] NO_REQUEST_ID = new byte[0];

  public Write {
    requestId = requestId == null ? NO_REQUEST_ID : requestId;
  }

  public boolean hasRequestId() {
    return requestId.length > 0;
  }
}
