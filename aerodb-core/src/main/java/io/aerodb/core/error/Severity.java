package io.aerodb.core.error;

/** How a failure must be handled (SPEC §6, Errors). */
public enum Severity {
  /** The client's request is wrong; the same request will always fail the same way. */
  REJECT,
  /** This operation failed; the node keeps serving and a retry may succeed. */
  ERROR,
  /** The node stops serving (it refused to start, or found corruption). */
  FATAL
}
