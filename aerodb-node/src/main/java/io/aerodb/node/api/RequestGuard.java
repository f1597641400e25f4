package io.aerodb.node.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checks every request passes before any handler sees it, on every service of the API port:
 *
 * <ul>
 *   <li><b>Size</b>: a request above {@code api.requestBytesMax} is refused with {@code
 *       AERO_LIMIT_REQUEST_SIZE} naming the limit. (The gRPC transport's own ceiling sits above it,
 *       at {@link #TRANSPORT_BYTES_MAX}, so that every request up to that size gets an AeroDB
 *       answer; see docs/ERRORS.md for what the transport does above it.)
 *   <li><b>Unsigned fields</b>: Java has no unsigned integers, so a proto {@code uint64} of 2^63 or
 *       more arrives as a negative {@code long} (a {@code uint32} of 2^31 or more as a negative
 *       {@code int}). Such a value compares as smaller than every real index, term, id or limit: a
 *       read "at least index 2^64-1" would be served from old state. Every unsigned field of every
 *       request, found from the message descriptors (so a field added later is covered without
 *       editing this class), must be at most 2^63-1 (2^31-1 for 32 bits); otherwise the call is
 *       refused with {@code AERO_REQUEST_INVALID} naming the field and its bound. Handlers then
 *       check the field's own, tighter bound where it has one.
 * </ul>
 *
 * <p>Thread-safe. The unsigned-field plan of each message type is computed once; a type without
 * unsigned fields (every write) costs one map lookup.
 */
public final class RequestGuard implements ServerInterceptor {
  /**
   * The gRPC transport's inbound message ceiling. Above {@code requestBytesMax} so that oversized
   * requests up to this size reach {@link #check} and get {@code AERO_LIMIT_REQUEST_SIZE}; a bound
   * on what one message may make the transport buffer.
   */
  public static final int TRANSPORT_BYTES_MAX = 16 * 1024 * 1024;

  private final String nodeId;
  private final int requestBytesMax;
  private final ConcurrentHashMap<Descriptor, List<FieldDescriptor>> unsignedFields =
      new ConcurrentHashMap<>();

  public RequestGuard(String nodeId, int requestBytesMax) {
    this.nodeId = nodeId;
    this.requestBytesMax = requestBytesMax;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      /** Set once this call was refused: its handler never sees a message or the half-close. */
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        Optional<AeroError> problem =
            message instanceof Message m ? check(m) : Optional.<AeroError>empty();
        if (problem.isPresent()) {
          refused = true;
          StatusRuntimeException s = GrpcErrors.toStatus(problem.get(), nodeId);
          call.close(s.getStatus(), s.getTrailers());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /** The first problem of {@code request}, or empty if it may go to its handler. */
  public Optional<AeroError> check(Message request) {
    int size = request.getSerializedSize();
    if (size > requestBytesMax) {
      return Optional.of(
          AeroError.of(
              ErrorCode.AERO_LIMIT_REQUEST_SIZE,
              "request of " + size + " bytes exceeds requestBytesMax=" + requestBytesMax,
              "limit",
              "requestBytesMax",
              "limitValue",
              Integer.toString(requestBytesMax),
              "actual",
              Integer.toString(size)));
    }
    return checkUnsigned(request, "");
  }

  private Optional<AeroError> checkUnsigned(Message m, String prefix) {
    for (FieldDescriptor f :
        unsignedFields.computeIfAbsent(m.getDescriptorForType(), d -> plan(d))) {
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        for (Object child : values(m, f)) {
          Optional<AeroError> p = checkUnsigned((Message) child, prefix + f.getName() + ".");
          if (p.isPresent()) {
            return p;
          }
        }
        continue;
      }
      for (Object v : values(m, f)) {
        boolean is64 = f.getJavaType() == FieldDescriptor.JavaType.LONG;
        long value = is64 ? (Long) v : (Integer) v;
        if (value < 0) {
          return Optional.of(unsignedTooLarge(m, prefix + f.getName(), is64, value));
        }
      }
    }
    return Optional.empty();
  }

  private static List<?> values(Message m, FieldDescriptor f) {
    if (f.isRepeated()) {
      return (List<?>) m.getField(f);
    }
    return m.hasField(f) || !f.hasPresence() ? List.of(m.getField(f)) : List.of();
  }

  /**
   * A field above its own bound (checked by the handler that knows it, after this guard made sure
   * the value is not negative).
   */
  static AeroError aboveBound(String field, long bound, long actual) {
    return AeroError.of(
        ErrorCode.AERO_REQUEST_INVALID,
        field + " = " + actual + " is above its bound " + bound,
        "field",
        field,
        "bound",
        Long.toString(bound),
        "actual",
        Long.toString(actual));
  }

  private static AeroError unsignedTooLarge(Message m, String field, boolean is64, long value) {
    String bound = is64 ? Long.toString(Long.MAX_VALUE) : Integer.toString(Integer.MAX_VALUE);
    String actual = is64 ? Long.toUnsignedString(value) : Integer.toUnsignedString((int) value);
    return AeroError.of(
        ErrorCode.AERO_REQUEST_INVALID,
        field
            + " = "
            + actual
            + " is above its bound "
            + bound
            + (is64 ? " (2^63-1)" : " (2^31-1)")
            + ": AeroDB's indexes, terms, ids, limits and timeouts are signed "
            + (is64 ? "64" : "32")
            + "-bit on every node",
        "field",
        field,
        "request",
        m.getDescriptorForType().getFullName(),
        "bound",
        bound,
        "actual",
        actual);
  }

  /**
   * The fields of {@code type} to look at: its unsigned scalars, and its message fields whose type
   * (transitively) has one. Computed once per type; a recursive type is followed once.
   */
  private static List<FieldDescriptor> plan(Descriptor type) {
    List<FieldDescriptor> fields = new ArrayList<>();
    for (FieldDescriptor f : type.getFields()) {
      if (isUnsigned(f)
          || (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
              && !f.isMapField()
              && hasUnsigned(f.getMessageType(), new HashSet<>()))) {
        fields.add(f);
      }
    }
    return List.copyOf(fields);
  }

  private static boolean hasUnsigned(Descriptor type, Set<String> seen) {
    if (!seen.add(type.getFullName())) {
      return false;
    }
    for (FieldDescriptor f : type.getFields()) {
      if (isUnsigned(f)
          || (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
              && !f.isMapField()
              && hasUnsigned(f.getMessageType(), seen))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnsigned(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT64, FIXED64, UINT32, FIXED32 -> true;
      default -> false;
    };
  }
}
