package io.aerodb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The hand-off counter of the benchmark rows: real threads read from /proc, counted thread by
 * thread.
 */
class ProcCpuTest {
  private static ProcCpu.Switches sw(long voluntary, long involuntary) {
    return new ProcCpu.Switches(voluntary, involuntary);
  }

  @Test
  void aThreadThatWaitsTwentyTimesShowsTwentyVoluntarySwitches() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    long pid = ProcessHandle.current().pid();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch slept = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long[] tid = new long[1];
    Thread waiter =
        new Thread(
            () -> {
              try {
                tid[0] =
                    Long.parseLong(
                        Path.of("/proc/thread-self").toRealPath().getFileName().toString());
                started.countDown();
                go.await();
                for (int i = 0; i < 20; i++) {
                  Thread.sleep(2); // each sleep gives the CPU up: one voluntary switch at least
                }
                slept.countDown();
                release.await(); // stays alive: an ended thread leaves /proc
              } catch (Exception e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();
    started.await();
    Map<Long, ProcCpu.Switches> before = ProcCpu.threadSwitches(pid);
    go.countDown();
    slept.await();
    Map<Long, ProcCpu.Switches> after = ProcCpu.threadSwitches(pid);
    release.countDown();
    waiter.join();
    assertThat(after.get(tid[0]).voluntary() - before.get(tid[0]).voluntary())
        .isGreaterThanOrEqualTo(20);
    assertThat(ProcCpu.switchesBetween(before, after).voluntary()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void switchesAreCountedThreadByThreadSoThatAnEndedThreadNeverSubtracts() {
    Map<Long, ProcCpu.Switches> before = Map.of(1L, sw(100, 10), 2L, sw(5_000, 50), 3L, sw(40, 4));
    Map<Long, ProcCpu.Switches> after =
        Map.of(
            1L, sw(130, 12), // alive at both ends: its difference
            // 2: ended in between: nothing (not minus its whole life)
            3L, sw(7, 1), // a new thread reusing an ended one's id: all of its count
            4L, sw(9, 0)); // started in between: all of its count
    ProcCpu.Switches between = ProcCpu.switchesBetween(before, after);
    assertThat(between.voluntary()).isEqualTo(30 + 7 + 9);
    assertThat(between.involuntary()).isEqualTo(2 + 1);
    assertThat(between.total()).isEqualTo(49);
  }
}
