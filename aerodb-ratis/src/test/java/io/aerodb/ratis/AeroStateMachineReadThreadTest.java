package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.ViewRead;
import io.aerodb.core.store.MemoryKvStore;
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
import org.apache.ratis.statemachine.TransactionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ratis resumes a linearizable read that waited for apply on the StateMachineUpdater thread; {@link
 * AeroStateMachine#read} then runs it on the reader threads, so a long query never holds up the
 * next apply. From any other thread a read runs where it is asked, at the applied index.
 */
class AeroStateMachineReadThreadTest {
  private final ExecutorService readers =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-reader"));
  private final AeroStateMachine sm =
      new AeroStateMachine(Engine.open(new MemoryKvStore()), new RaftEvents() {}, readers);

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
              CompletableFuture<String> f = sm.read(WHERE_AND_AT);
              doneOnUpdater.set(f.isDone());
              answeredOn.set(f);
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
    CompletableFuture<String> f = sm.read(WHERE_AND_AT);
    assertThat(f.isDone()).isTrue();
    assertThat(f.get()).isEqualTo(Thread.currentThread().getName() + " at 1");
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

  /** A read that says where it ran and at which view. */
  private static final ViewRead<String> WHERE_AND_AT =
      (engine, view) -> {
        engine.get("users", "u1", view); // a real read at the view (an unknown collection)
        return Thread.currentThread().getName() + " at " + view;
      };
}
