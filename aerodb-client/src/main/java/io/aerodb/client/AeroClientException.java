package io.aerodb.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A failed AeroDB call, carrying the server's structured error (or one the client produced: {@link
 * ClientErrors}). {@link #code()} is the stable AERO_* code; {@link #severity()} says whether to
 * fix the request (REJECT), maybe retry (ERROR), or page someone (FATAL).
 */
public final class AeroClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The code of a transport failure after which the request may have been sent. */
  static final String TRANSPORT = "transport";

  private final String code;
  private final String severity;
  private final String invariant;
  private final SortedMap<String, String> details;
  private final String leaderAddress;
  private final String leaderId;
  private final String nodeId;

  public AeroClientException(
      String code,
      String severity,
      String message,
      String invariant,
      SortedMap<String, String> details,
      String leaderAddress,
      String leaderId,
      String nodeId) {
    super(code + ": " + message, null, false, false);
    this.code = code;
    this.severity = severity;
    this.invariant = invariant;
    this.details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
    this.leaderAddress = leaderAddress;
    this.leaderId = leaderId;
    this.nodeId = nodeId;
  }

  public String code() {
    return code;
  }

  public String severity() {
    return severity;
  }

  /** The message without the code prefix. */
  public String detailMessage() {
    return getMessage().substring(code.length() + 2);
  }

  public String invariant() {
    return invariant;
  }

  public SortedMap<String, String> details() {
    return details;
  }

  /** The leader's API address when the server named it (AERO_NOT_LEADER), else "". */
  public String leaderAddress() {
    return leaderAddress;
  }

  public String leaderId() {
    return leaderId;
  }

  /** The node that produced the error, or "" if the client did. */
  public String nodeId() {
    return nodeId;
  }

  public boolean isReject() {
    return "REJECT".equals(severity);
  }

  /**
   * A gRPC failure as an AeroClientException: the server's AeroError when there is one. Otherwise a
   * refused connection is AERO_CLUSTER_UNAVAILABLE, and any other transport failure gets the
   * internal code "transport" (the request may have been sent; the client's retry loop turns it
   * into AERO_CLUSTER_UNAVAILABLE or AERO_OUTCOME_UNKNOWN).
   */
  public static AeroClientException fromStatus(StatusRuntimeException e, String target) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status != null) {
      for (com.google.protobuf.Any any : status.getDetailsList()) {
        if (any.is(io.aerodb.proto.v1.AeroError.class)) {
          try {
            io.aerodb.proto.v1.AeroError err = any.unpack(io.aerodb.proto.v1.AeroError.class);
            return new AeroClientException(
                err.getCode(),
                err.getSeverity(),
                err.getMessage(),
                err.getInvariant(),
                new TreeMap<>(err.getDetailsMap()),
                err.getLeaderAddress(),
                err.getLeaderId(),
                err.getNodeId());
          } catch (InvalidProtocolBufferException ignored) {
            break;
          }
        }
      }
    }
    Status s = e.getStatus();
    if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      return ClientErrors.of(
          ClientErrors.LIMIT_REQUEST_SIZE,
          "the server refused the message: " + s.getDescription(),
          "node",
          target);
    }
    boolean refused = hasCause(e, ConnectException.class);
    String code = refused ? ClientErrors.CLUSTER_UNAVAILABLE : TRANSPORT;
    TreeMap<String, String> details = new TreeMap<>();
    details.put("node", target);
    details.put("grpcStatus", s.getCode().name());
    return new AeroClientException(
        code,
        "ERROR",
        target + ": " + s.getCode() + " " + s.getDescription(),
        "",
        details,
        "",
        "",
        "");
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
