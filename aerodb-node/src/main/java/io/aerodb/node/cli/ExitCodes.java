package io.aerodb.node.cli;

/** Exit codes of the aerodb command (README, CLI contract). */
final class ExitCodes {
  static final int OK = 0;

  /** The request was rejected (severity REJECT): fix it, retrying will not help. */
  static final int REJECTED = 1;

  /** The command line itself is wrong. */
  static final int USAGE = 2;

  /** The operation failed (severity ERROR); a retry may succeed. */
  static final int FAILED = 3;

  /** A write may or may not have committed (AERO_OUTCOME_UNKNOWN). */
  static final int OUTCOME_UNKNOWN = 4;

  /** FATAL: the node refused to start or stopped serving. */
  static final int FATAL = 5;

  private ExitCodes() {}

  static int forSeverity(String code, String severity) {
    if ("AERO_OUTCOME_UNKNOWN".equals(code)) {
      return OUTCOME_UNKNOWN;
    }
    switch (severity) {
      case "REJECT":
        return REJECTED;
      case "FATAL":
        return FATAL;
      default:
        return FAILED;
    }
  }
}
