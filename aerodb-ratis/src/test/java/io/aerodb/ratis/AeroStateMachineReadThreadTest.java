package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.Engine;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.proto.internal.v1.GetDocument;
import io.aerodb.proto.internal.v1.ReadQuery;
import io.aerodb.proto.internal.v1.ReadResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ratis resumes a linearizable read that waited for apply on the StateMachineUpdater thread; {@link
 * AeroStateMachine#query} then answers it on the reader threads, so a long query never holds up the
 * next apply. From any other thread a read is answered where it is asked.
 */
class AeroStateMachineReadThreadTest {
  private final ExecutorService readers =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-reader"));
  private final AeroStateMachine sm =
      new AeroStateMachine(
          Engine.open(new MemoryKvStore()), new RaftEvents() {}, QueryLimits.DEFAULTS, readers);

  @AfterEach
  void stop() {
    readers.shutdownNow();
  }

  @Test
  void aReadAskedOnTheUpdaterThreadIsAnsweredOnAReaderThread() throws Exception {
    CountDownLatch readerBusy = new CountDownLatch(1);
    readers.execute(
        () -> {
          try {
            readerBusy.await(); // holds the reader until the read is queued behind it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    AtomicReference<CompletableFuture<String>> answeredOn = new AtomicReference<>();
    AtomicReference<Boolean> doneOnUpdater = new AtomicReference<>();
    Thread updater =
        new Thread(
            () -> {
              sm.applyTransaction(entry(1)).join(); // this thread is now the updater
              CompletableFuture<Message> f = sm.query(get("users", "u1"));
              doneOnUpdater.set(f.isDone());
              answeredOn.set(
                  f.thenApply(m -> Thread.currentThread().getName() + " at " + viewIndex(m)));
            },
            "test-updater");
    updater.start();
    updater.join();
    assertThat(doneOnUpdater.get()).as("not answered on the updater thread").isFalse();
    readerBusy.countDown();
    assertThat(answeredOn.get().get(10, TimeUnit.SECONDS)).isEqualTo("test-reader at 1");
  }

  @Test
  void aReadAskedElsewhereIsAnsweredAtOnce() throws Exception {
    Thread updater = new Thread(() -> sm.applyTransaction(entry(1)).join(), "test-updater");
    updater.start();
    updater.join();
    CompletableFuture<Message> f = sm.query(get("users", "u1"));
    assertThat(f.isDone()).isTrue();
    assertThat(viewIndex(f.get())).isEqualTo(1);
  }

  /** An entry the engine refuses as undecodable: it still advances the applied index. */
  private TransactionContext entry(long index) {
    LogEntryProto e =
        LogEntryProto.newBuilder()
            .setTerm(1)
            .setIndex(index)
            .setStateMachineLogEntry(
                StateMachineLogEntryProto.newBuilder()
                    .setLogData(
                        ShadedBytes.wrap("not a LogEntry".getBytes(StandardCharsets.UTF_8))))
            .build();
    return TransactionContext.newBuilder()
        .setServerRole(RaftPeerRole.FOLLOWER)
        .setStateMachine(sm)
        .setLogEntry(e)
        .build();
  }

  private static Message get(String collection, String id) {
    ReadQuery q =
        ReadQuery.newBuilder()
            .setGet(GetDocument.newBuilder().setCollection(collection).setId(id))
            .build();
    return Message.valueOf(ShadedBytes.wrap(q.toByteArray()));
  }

  /** The applied index the read was served at. */
  private static long viewIndex(Message m) {
    try {
      return ReadResult.parseFrom(m.getContent().asReadOnlyByteBuffer()).getViewIndex();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
