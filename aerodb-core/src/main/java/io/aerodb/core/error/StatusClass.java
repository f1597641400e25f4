package io.aerodb.core.error;

/**
 * The transport status an error maps to. The names are exactly those of {@code
 * io.grpc.Status.Code}, so the RPC layer maps them by name; core itself knows nothing of gRPC.
 */
public enum StatusClass {
  INVALID_ARGUMENT,
  NOT_FOUND,
  ALREADY_EXISTS,
  FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED,
  UNAVAILABLE,
  DEADLINE_EXCEEDED,
  UNKNOWN,
  DATA_LOSS,
  INTERNAL
}
