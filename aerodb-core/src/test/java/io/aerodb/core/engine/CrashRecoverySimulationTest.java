package io.aerodb.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.store.MemoryKvStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded simulation of the recovery contract (DESIGN.md, Restart): a replica applies a stream of
 * log entries (creates, inserts, updates, deletes, invalid documents, retries with request ids); at
 * random moments the process crashes — sometimes a power loss that drops a random suffix of the
 * unsynced store batches (the fault model of MemoryKvStore) — and the restarted replica replays the
 * log after the applied index its store reports. Invariants checked after the run, against a
 * replica that never crashed:
 *
 * <ul>
 *   <li>the same applied index and state digest (so exactly the same write sets) [MVCC-2];
 *   <li>every entry's result, including results computed again during replay, equals the reference
 *       result (apply is deterministic);
 *   <li>every document reads the same at every view.
 * </ul>
 *
 * The log itself is the durable record here, as Ratis' fsynced log is in production. A failure
 * names its seed and the command that replays it ({@code -Daerodb.seed=S}; {@code -Daerodb.seeds=N}
 * sweeps N more: {@link TestSeeds}).
 */
class CrashRecoverySimulationTest {

  record Entry(long term, long index, byte[] requestId, Command command) {}

  static LongStream seeds() {
    return LongStream.of(TestSeeds.seeds(1, 2, 3, 42, 1234, 98765));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void replicaThatCrashesConvergesToTheReference(long seed, TestInfo test) {
    TestSeeds.check(test, seed, CrashRecoverySimulationTest::simulate);
  }

  private static void simulate(long seed) {
    Random random = new Random(seed);
    List<Entry> log = generateLog(random, 400);

    Engine reference = Engine.open(new MemoryKvStore());
    List<CommandResult> expected = new ArrayList<>();
    for (Entry e : log) {
      expected.add(reference.apply(e.term(), e.index(), e.requestId(), e.command()));
    }

    MemoryKvStore store = new MemoryKvStore();
    Engine replica = Engine.open(store);
    int crashes = 0;
    int next = 0; // position in the log of the next entry to apply
    while (next < log.size()) {
      Entry e = log.get(next);
      CommandResult r = replica.apply(e.term(), e.index(), e.requestId(), e.command());
      assertThat(r)
          .as("result of index %d (seed %d)", e.index(), seed)
          .isEqualTo(expected.get(next));
      next++;
      if (random.nextInt(50) == 0) {
        replica.syncDurable();
      }
      if (random.nextInt(40) == 0) {
        boolean powerLoss = random.nextBoolean();
        int unsynced = store.unsyncedBatches();
        store = powerLoss ? store.crash(random.nextInt(unsynced + 1)) : store.processCrash();
        replica = Engine.open(store);
        crashes++;
        long applied = replica.applied().index();
        next = positionAfter(log, applied); // Ratis replays the log after the applied index
      }
    }
    assertThat(crashes).isPositive();
    assertThat(replica.applied()).usingRecursiveComparison().isEqualTo(reference.applied());
    for (long view = 0; view <= log.get(log.size() - 1).index(); view += 7) {
      for (int id = 0; id < 12; id++) {
        assertThat(read(replica, "d" + id, view)).isEqualTo(read(reference, "d" + id, view));
      }
    }
  }

  private static int positionAfter(List<Entry> log, long appliedIndex) {
    int i = 0;
    while (i < log.size() && log.get(i).index() <= appliedIndex) {
      i++;
    }
    return i;
  }

  private static String read(Engine e, String id, long view) {
    ReadResult r = e.get("users", id, Math.min(view, e.applied().index()));
    return r.rejection() != null
        ? r.rejection().code().name()
        : r.version().map(DocumentVersion::jsonText).orElse("-");
  }

  /**
   * A log with gaps in the indexes (Ratis' configuration and metadata entries) and term changes.
   */
  private static List<Entry> generateLog(Random random, int n) {
    List<Entry> log = new ArrayList<>();
    long index = 0;
    long term = 1;
    List<byte[]> usedKeys = new ArrayList<>();
    log.add(new Entry(term, ++index, new byte[0], Fixtures.createUsers()));
    for (int i = 0; i < n; i++) {
      index += 1 + (random.nextInt(5) == 0 ? 1 : 0);
      if (random.nextInt(30) == 0) {
        term++;
      }
      String id = "d" + random.nextInt(12);
      Command c;
      int pick = random.nextInt(10);
      if (pick < 4) {
        c = Fixtures.insert(id, "n" + i);
      } else if (pick < 7) {
        c = Fixtures.update(id, "n" + i);
      } else if (pick < 9) {
        c = Fixtures.delete(id);
      } else {
        c = new Insert("users", Fixtures.utf8("{\"_id\":\"" + id + "\",\"name\":null}"));
      }
      byte[] key;
      if (!usedKeys.isEmpty() && random.nextInt(8) == 0) {
        key = usedKeys.get(random.nextInt(usedKeys.size())); // a retry (or a reused key)
      } else if (random.nextBoolean()) {
        key = Fixtures.key("req-" + i);
        usedKeys.add(key);
      } else {
        key = new byte[0];
      }
      log.add(new Entry(term, index, key, c));
    }
    return log;
  }
}
