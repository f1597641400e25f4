package io.aerodb.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.aerodb.proto.v1.DocumentServiceGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Only the memory-only handlers skip the API executor: a renamed or added method must not move a
 * handler that reads the store or waits onto the transport thread, nor drop the one that may.
 */
class TransportThreadCallsTest {
  private static <Q, A> ServerCall<Q, A> callOf(MethodDescriptor<Q, A> method) {
    return new ServerCall<>() {
      @Override
      public void request(int numMessages) {}

      @Override
      public void sendHeaders(Metadata headers) {}

      @Override
      public void sendMessage(A message) {}

      @Override
      public void close(Status status, Metadata trailers) {}

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public MethodDescriptor<Q, A> getMethodDescriptor() {
        return method;
      }
    };
  }

  @Test
  void theLeadershipQuestionIsAnsweredOnTheThreadThatReceivedIt() {
    TransportThreadCalls calls = new TransportThreadCalls();
    var executor =
        calls.getExecutor(callOf(PeerServiceGrpc.getConfirmLeaderMethod()), new Metadata());
    assertThat(executor).isNotNull();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    executor.execute(() -> ranOn.set(Thread.currentThread()));
    assertThat(ranOn.get()).isSameAs(Thread.currentThread());
  }

  @Test
  void everyOtherCallGoesToTheApiExecutor() {
    TransportThreadCalls calls = new TransportThreadCalls();
    assertThat(calls.getExecutor(callOf(PeerServiceGrpc.getFetchStoreMethod()), new Metadata()))
        .isNull();
    assertThat(calls.getExecutor(callOf(PeerServiceGrpc.getHandoverMethod()), new Metadata()))
        .isNull();
    assertThat(calls.getExecutor(callOf(DocumentServiceGrpc.getGetMethod()), new Metadata()))
        .isNull();
    assertThat(calls.getExecutor(callOf(DocumentServiceGrpc.getInsertMethod()), new Metadata()))
        .isNull();
  }
}
