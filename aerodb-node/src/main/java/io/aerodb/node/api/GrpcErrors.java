package io.aerodb.node.api;

import com.google.protobuf.Any;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorBounds;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.v1.AeroError.Builder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * AeroError to gRPC: the status code comes from the error code's StatusClass (same names as gRPC's
 * codes), and the structured error travels as an {@code aerodb.v1.AeroError} in {@code
 * google.rpc.Status.details}. No stack trace ever reaches a client; an unexpected exception becomes
 * AERO_INTERNAL with its message.
 */
public final class GrpcErrors {
  private GrpcErrors() {}

  /** Characters of the message that also travel in the {@code grpc-message} header. */
  private static final int STATUS_MESSAGE_BYTES_MAX = 256;

  /** The wire form of {@code e}, within {@link io.aerodb.core.error.ErrorBounds}. */
  public static io.aerodb.proto.v1.AeroError toProto(AeroError error, String nodeId) {
    AeroError e = error.bounded();
    Builder b =
        io.aerodb.proto.v1.AeroError.newBuilder()
            .setCode(e.code().name())
            .setSeverity(e.severity().name())
            .setMessage(e.message())
            .setInvariant(e.invariant())
            .setNodeId(nodeId);
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      switch (d.getKey()) {
        case "leaderAddress" -> b.setLeaderAddress(d.getValue());
        case "leaderId" -> b.setLeaderId(d.getValue());
        default -> b.putDetails(d.getKey(), d.getValue());
      }
    }
    return b.build();
  }

  /**
   * {@code e} as a gRPC status: the code from its StatusClass, the AeroError in the details and a
   * short form of the message in {@code grpc-message}. Both travel in the trailers, which a
   * standard client refuses above 8 KiB: the bounded error (3 KiB of details, a 1 KiB message) plus
   * a 256-byte status message stay well below that, also base64- and percent-encoded.
   */
  public static StatusRuntimeException toStatus(AeroError e, String nodeId) {
    io.aerodb.proto.v1.AeroError proto = toProto(e, nodeId);
    Status.Code code = Status.Code.valueOf(e.code().statusClass().name());
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(
                e.code().name()
                    + ": "
                    + ErrorBounds.cut(proto.getMessage(), STATUS_MESSAGE_BYTES_MAX))
            .addDetails(Any.pack(proto))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** Any throwable from a service future, as the status a client receives. */
  public static StatusRuntimeException toStatus(Throwable t, String nodeId) {
    return toStatus(toError(t), nodeId);
  }

  public static AeroError toError(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof AeroException ae) {
      return ae.error();
    }
    return AeroError.of(ErrorCode.AERO_INTERNAL, "unexpected server error: " + t);
  }
}
