package io.aerodb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  void aThreadThatWaitsTwentyTimesShowsTwentySwitches() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    long pid = ProcessHandle.current().pid();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch slept = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              try {
                go.await();
                for (int i = 0; i < 20; i++) {
                  Thread.sleep(5); // each sleep gives the CPU up: one switch at least
                }
                slept.countDown();
                release.await(); // stays alive: an ended thread leaves /proc
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "switch-counter"); // its Linux comm: how the test finds its thread id
    waiter.start();
    try {
      long tid = threadIdNamed("switch-counter");
      Map<Long, ProcCpu.Switches> before = ProcCpu.threadSwitches(pid);
      go.countDown();
      assertThat(slept.await(60, TimeUnit.SECONDS)).isTrue();
      Map<Long, ProcCpu.Switches> after = ProcCpu.threadSwitches(pid);
      ProcCpu.Switches mine = after.get(tid).minus(before.get(tid));
      // a sleep whose deadline passed while the thread was preempted returns without waiting: the
      // switch was then involuntary, so the total is what is certain
      assertThat(mine.total()).isGreaterThanOrEqualTo(20);
      assertThat(mine.voluntary()).isGreaterThanOrEqualTo(10);
      assertThat(ProcCpu.switchesBetween(before, after).total()).isGreaterThanOrEqualTo(20);
    } finally {
      go.countDown();
      release.countDown();
      waiter.join();
    }
  }

  /** The Linux id of this process's thread named {@code name} (the JVM names it as it starts). */
  private static long threadIdNamed(String name) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 500; attempt++) {
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            String comm = Files.readString(task.resolve("comm"), StandardCharsets.ISO_8859_1);
            if (comm.trim().equals(name)) {
              return Long.parseLong(task.getFileName().toString());
            }
          } catch (IOException ended) {
            // another thread ended while we looked
          }
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no thread named " + name + " after 5 s");
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
