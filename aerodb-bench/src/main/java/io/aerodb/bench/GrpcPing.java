package io.aerodb.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ping} workload: one unary gRPC call that the server answers from memory, without its
 * store or its consensus — the standard health check ({@code grpc.health.v1.Health/Check}, service
 * ""), which AeroDB's API port and etcd's client port both serve. The same Java channel calls both,
 * so the servers' CPU per ping is what one unary call costs each server's gRPC stack (grpc-java on
 * Netty in a JVM, grpc-go): the transport's floor under every request of the other rows.
 */
final class GrpcPing implements AutoCloseable {
  private final ManagedChannel channel;
  private final HealthGrpc.HealthBlockingStub stub;

  /**
   * @param endpoint host:port, optionally with an http:// prefix (etcd's form)
   */
  GrpcPing(String endpoint) {
    String target = endpoint.replaceFirst("^https?://", "");
    this.channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    this.stub = HealthGrpc.newBlockingStub(channel);
  }

  /** One health check; throws unless the server says SERVING. */
  void ping() {
    HealthCheckResponse r =
        stub.withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
      throw new IllegalStateException("health check: " + r.getStatus());
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
