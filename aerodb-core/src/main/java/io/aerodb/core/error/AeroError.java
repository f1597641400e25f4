package io.aerodb.core.error;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One failure as the client sees it: a catalogue code, a message, and the evidence (details, sorted
 * by key so that the same failure always renders to the same bytes).
 */
public record AeroError(ErrorCode code, String message, SortedMap<String, String> details) {

  public AeroError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
  }

  public static AeroError of(ErrorCode code, String message) {
    return new AeroError(code, message, new TreeMap<>());
  }

  /** Builds an error with details given as alternating key/value pairs. */
  public static AeroError of(ErrorCode code, String message, String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("details need key/value pairs");
    }
    TreeMap<String, String> details = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      details.put(keyValues[i], keyValues[i + 1]);
    }
    return new AeroError(code, message, details);
  }

  public AeroError withDetail(String key, String value) {
    TreeMap<String, String> copy = new TreeMap<>(details);
    copy.put(key, value);
    return new AeroError(code, message, copy);
  }

  public AeroError withDetails(Map<String, String> more) {
    TreeMap<String, String> copy = new TreeMap<>(details);
    copy.putAll(more);
    return new AeroError(code, message, copy);
  }

  public Severity severity() {
    return code.severity();
  }

  public String invariant() {
    return code.invariant();
  }

  /** This error within the size a reply may carry ({@link ErrorBounds}). */
  public AeroError bounded() {
    return ErrorBounds.bound(this);
  }

  public AeroException toException() {
    return new AeroException(this);
  }

  @Override
  public String toString() {
    String inv = code.invariant().isEmpty() ? "" : " [" + code.invariant() + "]";
    return code + inv + ": " + message + (details.isEmpty() ? "" : " " + details);
  }
}
