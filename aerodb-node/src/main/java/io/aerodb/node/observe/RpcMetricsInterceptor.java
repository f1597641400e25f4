package io.aerodb.node.observe;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.aerodb.proto.v1.AeroError;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts and times every RPC of the client API in one place (not in each service): per method the
 * latency ({@code rpc.latency.<Method>}, a Dropwizard timer), per method and gRPC status the
 * requests ({@code rpc.requests.<Method>.<STATUS>}), and per method and AeroDB error code the
 * errors ({@code rpc.errors.<Method>.<AERO_CODE>}). Exported as aerodb_rpc_* by {@link
 * PrometheusText}.
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
  private final MetricRegistry registry;
  private final AtomicLong total = new AtomicLong();

  public RpcMetricsInterceptor(MetricRegistry registry) {
    this.registry = registry;
  }

  /** Every RPC handled so far (for request rates in cluster top). */
  public long total() {
    return total.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (call.getMethodDescriptor().getServiceName() != null
        && call.getMethodDescriptor().getServiceName().startsWith("grpc.")) {
      return next.startCall(call, headers); // health checks and reflection are not counted
    }
    Timer.Context timer = registry.timer("rpc.latency." + method).time();
    total.incrementAndGet();
    ServerCall<ReqT, RespT> counted =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            timer.stop();
            registry.counter("rpc.requests." + method + "." + status.getCode().name()).inc();
            if (!status.isOk()) {
              registry.counter("rpc.errors." + method + "." + aeroCode(status, trailers)).inc();
            }
            super.close(status, trailers);
          }
        };
    return next.startCall(counted, headers);
  }

  private static String aeroCode(Status status, Metadata trailers) {
    com.google.rpc.Status s = StatusProto.fromStatusAndTrailers(status, trailers);
    if (s != null) {
      for (com.google.protobuf.Any any : s.getDetailsList()) {
        if (any.is(AeroError.class)) {
          try {
            return any.unpack(AeroError.class).getCode();
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            break;
          }
        }
      }
    }
    return "GRPC_" + status.getCode().name();
  }
}
