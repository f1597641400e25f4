package io.aerodb.node.observe;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.proto.v1.AeroError;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts and times every RPC of the client API in one place (not in each service): per method the
 * latency (the Prometheus histogram {@code aerodb_rpc_latency_seconds{method}}: fixed buckets, so
 * it aggregates across nodes, and recording is a few lock-free adds, no decaying reservoir on the
 * hot path), per method and gRPC status the requests ({@code rpc.requests.<Method>.<STATUS>}), and
 * per method and AeroDB error code the errors ({@code rpc.errors.<Method>.<AERO_CODE>}). The
 * counters are exported as aerodb_rpc_* by {@link MetricsExporter}, the histogram through the
 * Prometheus client's own text format.
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
  /**
   * Bucket upper bounds in seconds: from 0.25 ms (a local read) to 30 s (beyond the client's 15 s
   * deadline), about two per decade plus the steps where write latency lives (1-20 ms).
   */
  static final double[] LATENCY_BUCKETS = {
    0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  private final MetricRegistry registry;
  private final Histogram latency;
  private final AtomicLong total = new AtomicLong();

  /**
   * @param registry where the request and error counters go
   * @param histograms where the latency histogram is registered
   */
  public RpcMetricsInterceptor(MetricRegistry registry, PrometheusRegistry histograms) {
    this.registry = registry;
    this.latency =
        Histogram.builder()
            .name("aerodb_rpc_latency_seconds")
            .help("Client API latency by method, from the call's start to its close.")
            .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
            .labelNames("method")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(histograms);
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
    long started = System.nanoTime();
    total.incrementAndGet();
    ServerCall<ReqT, RespT> counted =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            latency.labelValues(method).observe((System.nanoTime() - started) / 1e9);
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
