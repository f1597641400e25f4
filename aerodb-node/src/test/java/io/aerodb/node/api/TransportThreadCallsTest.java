package io.aerodb.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.proto.peer.v1.ConfirmLeaderReply;
import io.aerodb.proto.peer.v1.ConfirmLeaderRequest;
import io.aerodb.proto.peer.v1.HandoverReply;
import io.aerodb.proto.peer.v1.HandoverRequest;
import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocalThread;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through a real gRPC server on loopback: the leadership question [R-LIN] is answered on the Netty
 * thread that received it, every other call on the API executor. (A supplier alone, over an
 * executor-backed server, still hopped once: this test is what catches that.)
 */
class TransportThreadCallsTest {
  private final AtomicReference<Thread> confirmRanOn = new AtomicReference<>();
  private final AtomicReference<Thread> handoverRanOn = new AtomicReference<>();
  private ExecutorService api;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    api = Executors.newFixedThreadPool(2, r -> new Thread(r, "api-under-test"));
    server =
        TransportThreadCalls.wire(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), api)
            .addService(new RecordingPeerService())
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    api.shutdownNow();
  }

  @Test
  void theLeadershipQuestionIsAnsweredOnTheTransportThread() {
    PeerServiceGrpc.newBlockingStub(channel)
        .confirmLeader(ConfirmLeaderRequest.newBuilder().setLeaderId("n1").setTerm(3).build());
    assertThat(confirmRanOn.get()).isInstanceOf(FastThreadLocalThread.class);
    assertThat(confirmRanOn.get().getName()).isNotEqualTo("api-under-test");
  }

  @Test
  void everyOtherCallRunsOnTheApiExecutor() {
    PeerServiceGrpc.newBlockingStub(channel)
        .handover(HandoverRequest.newBuilder().setRequestId("r").build());
    assertThat(handoverRanOn.get().getName()).isEqualTo("api-under-test");
  }

  private final class RecordingPeerService extends PeerServiceGrpc.PeerServiceImplBase {
    @Override
    public void confirmLeader(
        ConfirmLeaderRequest request, StreamObserver<ConfirmLeaderReply> out) {
      confirmRanOn.set(Thread.currentThread());
      out.onNext(ConfirmLeaderReply.newBuilder().setConfirms(true).build());
      out.onCompleted();
    }

    @Override
    public void handover(HandoverRequest request, StreamObserver<HandoverReply> out) {
      handoverRanOn.set(Thread.currentThread());
      out.onNext(HandoverReply.getDefaultInstance());
      out.onCompleted();
    }
  }
}
