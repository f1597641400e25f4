package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read waiting for the applied index resumes on the reader threads, never on the thread that
 * advanced the index (in a node: the StateMachineUpdater, which must not run queries); a read whose
 * index is already applied goes on at once on its own thread.
 */
class AppliedIndexWaitersTest {
  private final ExecutorService readers =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-reader"));

  @AfterEach
  void stop() {
    readers.shutdownNow();
  }

  @Test
  void aWaiterResumesOnTheReadersNotOnTheAdvancingThread() throws Exception {
    AppliedIndexWaiters waiters = new AppliedIndexWaiters(readers);
    CompletableFuture<String> resumedOn =
        waiters.whenApplied(5, 10_000).thenApply(applied -> Thread.currentThread().getName());
    Thread updater = new Thread(() -> waiters.advance(5), "test-updater");
    updater.start();
    updater.join();
    assertThat(resumedOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-reader");
  }

  @Test
  void anAppliedIndexAnswersAtOnceOnTheCallersThread() throws Exception {
    AppliedIndexWaiters waiters = new AppliedIndexWaiters(readers);
    waiters.advance(7);
    CompletableFuture<String> resumedOn =
        waiters.whenApplied(7, 10_000).thenApply(applied -> Thread.currentThread().getName());
    assertThat(resumedOn.isDone()).isTrue();
    assertThat(resumedOn.get()).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void aStoppedReaderPoolStillCompletesTheWaiter() throws Exception {
    AppliedIndexWaiters waiters = new AppliedIndexWaiters(readers);
    CompletableFuture<Long> f = waiters.whenApplied(3, 10_000);
    readers.shutdownNow();
    waiters.advance(4);
    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(4L);
  }
}
