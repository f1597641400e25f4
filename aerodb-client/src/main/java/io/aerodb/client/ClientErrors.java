package io.aerodb.client;

import java.util.TreeMap;

/**
 * The error codes the client itself produces. They belong to the one catalogue (aerodb-core
 * ErrorCode, see docs/ERRORS.md); a test in aerodb-node checks that every code here exists there
 * with the same severity.
 */
public final class ClientErrors {
  public static final String OUTCOME_UNKNOWN = "AERO_OUTCOME_UNKNOWN";
  public static final String CLUSTER_UNAVAILABLE = "AERO_CLUSTER_UNAVAILABLE";
  public static final String REQUEST_INVALID = "AERO_REQUEST_INVALID";
  public static final String LIMIT_REQUEST_SIZE = "AERO_LIMIT_REQUEST_SIZE";
  public static final String INTERNAL = "AERO_INTERNAL";
  public static final String READ_TIMEOUT = "AERO_READ_TIMEOUT";

  /** code → severity, for the consistency test. */
  public static final TreeMap<String, String> SEVERITIES = new TreeMap<>();

  static {
    SEVERITIES.put(OUTCOME_UNKNOWN, "ERROR");
    SEVERITIES.put(CLUSTER_UNAVAILABLE, "ERROR");
    SEVERITIES.put(REQUEST_INVALID, "REJECT");
    SEVERITIES.put(LIMIT_REQUEST_SIZE, "REJECT");
    SEVERITIES.put(INTERNAL, "ERROR");
    SEVERITIES.put(READ_TIMEOUT, "ERROR");
  }

  private ClientErrors() {}

  static AeroClientException of(String code, String message, String... keyValues) {
    TreeMap<String, String> details = new TreeMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      details.put(keyValues[i], keyValues[i + 1]);
    }
    return new AeroClientException(code, SEVERITIES.get(code), message, "", details, "", "", "");
  }
}
