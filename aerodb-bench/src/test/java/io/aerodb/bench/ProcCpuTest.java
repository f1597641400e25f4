package io.aerodb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The hand-off counter of the benchmark rows reads this process's real threads from /proc. */
class ProcCpuTest {
  @Test
  void aThreadThatWaitsTwentyTimesAddsAtLeastTwentyContextSwitches() throws Exception {
    long pid = ProcessHandle.current().pid();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch slept = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              try {
                started.countDown();
                go.await();
                for (int i = 0; i < 20; i++) {
                  Thread.sleep(2); // each sleep gives the CPU up: one voluntary switch at least
                }
                slept.countDown();
                release.await(); // stays alive: an ended thread's switches leave /proc
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();
    started.await();
    long before = ProcCpu.contextSwitches(pid);
    go.countDown();
    slept.await();
    long after = ProcCpu.contextSwitches(pid);
    release.countDown();
    waiter.join();
    assertThat(after - before).isGreaterThanOrEqualTo(20);
  }
}
