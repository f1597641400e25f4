package io.aerodb.core.query;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;

/** Builds query rejections; a limit's error always names the limit and its value. */
final class QueryErrors {
  private QueryErrors() {}

  static AeroException of(ErrorCode code, String message, String... keyValues) {
    return AeroError.of(code, message, keyValues).toException();
  }

  /** A limit exceeded; {@code actual} is left out when negative (not known exactly). */
  static AeroException limit(
      ErrorCode code, String message, String limitName, long limitValue, long actual) {
    AeroError e =
        AeroError.of(code, message, "limit", limitName, "limitValue", Long.toString(limitValue));
    if (actual >= 0) {
      e = e.withDetail("actual", Long.toString(actual));
    }
    return e.toException();
  }
}
