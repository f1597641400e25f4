package io.aerodb.node.api;

import com.google.protobuf.Any;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
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

  public static io.aerodb.proto.v1.AeroError toProto(AeroError e, String nodeId) {
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

  public static StatusRuntimeException toStatus(AeroError e, String nodeId) {
    io.aerodb.proto.v1.AeroError proto = toProto(e, nodeId);
    Status.Code code = Status.Code.valueOf(e.code().statusClass().name());
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(e.code().name() + ": " + e.message())
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
