package io.aerodb.core.error;

/**
 * Carries an {@link AeroError} across layers that cannot return it (deep recursion in the parser,
 * I/O in the store). Boundaries (apply, the RPC layer) turn it back into a result; it never reaches
 * a client as a stack trace.
 */
public final class AeroException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient AeroError error;

  public AeroException(AeroError error) {
    super(error.toString(), null, false, false);
    this.error = error;
  }

  public AeroException(AeroError error, Throwable cause) {
    super(error.toString(), cause);
    this.error = error;
  }

  public AeroError error() {
    return error;
  }

  public ErrorCode code() {
    return error.code();
  }
}
