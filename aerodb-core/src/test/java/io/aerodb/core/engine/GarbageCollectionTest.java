package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.TestSeeds;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.IndexKeys;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.util.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Garbage collection below the floor (docs/adr/0008) against a model of every document's version
 * chain: after a floor F and a collection in random step sizes, exactly the versions a newer
 * version at or below F shadows (and tombstones at or below F) are gone with their index entries;
 * every read at F or above answers as before; a read below F is refused naming both numbers; two
 * engines collecting in different step sizes end with identical stores; a pinned read holds the
 * collection below its view.
 */
class GarbageCollectionTest {
  private static final byte[] NONE = new byte[0];
  private static final int IDS = 6;

  @TempDir Path dir;

  /** What was written: per document, (index, json or null for a tombstone), oldest first. */
  private final TreeMap<String, List<Object[]>> chains = new TreeMap<>();

  private long index;

  private CommandResult apply(Engine e, Command c) {
    return e.apply(1, ++index, NONE, c);
  }

  /** Random inserts, updates and deletes over a few ids, with an index on age from the start. */
  private void workload(Engine e, Random r, int writes) {
    apply(e, createUsers());
    apply(e, new CreateIndex("users", "age"));
    for (int i = 0; i < writes; i++) {
      String id = "u" + r.nextInt(IDS);
      List<Object[]> chain = chains.computeIfAbsent(id, k -> new ArrayList<>());
      boolean live = !chain.isEmpty() && chain.get(chain.size() - 1)[1] != null;
      String json = "{\"_id\":\"" + id + "\",\"name\":\"n" + i + "\",\"age\":" + r.nextInt(5) + "}";
      CommandResult res;
      if (!live) {
        res = apply(e, new Insert("users", utf8(json)));
        chain.add(new Object[] {index, json});
      } else if (r.nextInt(3) == 0) {
        res = apply(e, delete(id));
        chain.add(new Object[] {index, null});
      } else {
        res = apply(e, new Update("users", utf8(json)));
        chain.add(new Object[] {index, json});
      }
      assertThat(res.isOk()).as("write %d", i).isTrue();
    }
  }

  private static TreeMap<String, byte[]> dump(Engine e) {
    TreeMap<String, byte[]> all = new TreeMap<>();
    e.withStore(
        s -> {
          try (KvCursor c = s.seek(new byte[0])) {
            for (; c.valid(); c.next()) {
              all.put(Bytes.hex(c.key()), c.value());
            }
          }
          return null;
        });
    return all;
  }

  private static String read(Engine e, String id, long view) {
    ReadResult r = e.get("users", id, view);
    if (r.rejection() != null) {
      return r.rejection().code().name();
    }
    return r.version().map(DocumentVersion::jsonText).orElse("-");
  }

  private static void collectAll(Engine e, Random r) {
    for (int i = 0; i < 100_000; i++) {
      if (!e.collectGarbage(1 + r.nextInt(7)).more()) {
        return;
      }
    }
    throw new AssertionError("collection did not end");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void exactlyTheShadowedVersionsGoAndEveryReadAtOrAboveTheFloorAnswersAsBefore(StoreKind kind)
      throws Exception {
    for (long seed : TestSeeds.seeds(1, 2, 3)) {
      chains.clear();
      index = 0;
      Path d = dir.resolve("s" + seed);
      try (Engine e = Engine.open(kind.open(d))) {
        Random r = new Random(seed);
        workload(e, r, 120);
        long floor = 20 + r.nextInt((int) index - 30);
        long applied = index;
        TreeMap<String, String> before = new TreeMap<>();
        for (long v = floor; v <= applied; v++) {
          for (String id : chains.keySet()) {
            before.put(id + "@" + v, read(e, id, v));
          }
        }
        assertThat(apply(e, new SetGcFloor(floor)).isOk()).isTrue();
        collectAll(e, r);

        for (long v = floor; v <= applied; v++) {
          for (String id : chains.keySet()) {
            assertThat(read(e, id, v))
                .as("seed %d: %s at %d", seed, id, v)
                .isEqualTo(before.get(id + "@" + v));
          }
        }
        ReadResult tooOld = e.get("users", "u0", floor - 1);
        assertThat(tooOld.rejection().code()).isEqualTo(ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD);
        assertThat(tooOld.rejection().details())
            .containsEntry("index", Long.toString(floor - 1))
            .containsEntry("gcFloor", Long.toString(floor));

        // the versions left are exactly the model's
        TreeSet<String> expected = new TreeSet<>();
        for (var c : chains.entrySet()) {
          List<Object[]> chain = c.getValue();
          int base = -1;
          for (int i = 0; i < chain.size(); i++) {
            if ((long) chain.get(i)[0] <= floor) {
              base = i;
            }
          }
          for (int i = 0; i < chain.size(); i++) {
            boolean keep = i > base || (i == base && chain.get(i)[1] != null);
            if (keep) {
              expected.add(
                  Bytes.hex(
                      Keys.documentVersion(
                          Keys.document("users", c.getKey()), (long) chain.get(i)[0])));
            }
          }
        }
        TreeMap<String, byte[]> after = dump(e);
        TreeSet<String> versions = new TreeSet<>();
        for (String k : after.keySet()) {
          if (k.startsWith(String.format("%02x", Keys.DOCUMENT))) {
            versions.add(k);
          }
        }
        assertThat(versions).as("seed %d", seed).isEqualTo(expected);

        // every index entry left belongs to a version left
        byte[] prefix = IndexKeys.indexPrefix("users", "age", 2);
        e.withStore(
            s -> {
              try (KvCursor c = s.seek(prefix)) {
                for (; c.valid() && Bytes.startsWith(c.key(), prefix); c.next()) {
                  IndexKeys.Entry en = IndexKeys.parse(c.key(), prefix.length);
                  String version =
                      Bytes.hex(
                          Keys.documentVersion(
                              Keys.document("users", en.id(c.key())), en.versionIndex()));
                  assertThat(expected).as("entry of %s", version).contains(version);
                }
              }
              return null;
            });
        assertThat(e.collectGarbage(10).collected()).isEqualTo(floor);
        // the digest history starts at the floor
        assertThat(e.digestAt(floor)).isPresent();
        assertThat(e.digestAt(applied)).isPresent();
        assertThat(e.digestAt(floor - 1)).isEmpty();
      }
    }
  }

  /**
   * A pass cut short after any step (a crash, a store replacement) starts again from scratch on a
   * new engine: whatever it deleted so far, no read at or above the floor changes, and no deleted
   * document comes back. (Deleting a tombstone before the versions it shadows would resurrect them:
   * the next pass takes the older version for the base.)
   */
  @Test
  void aPassCutShortAfterAnyStepNeverChangesAReadAboveTheFloor() {
    MemoryKvStore store = new MemoryKvStore();
    Engine e = Engine.open(store);
    workload(e, new Random(21), 160);
    long floor = index - 10;
    long applied = index;
    TreeMap<String, String> before = new TreeMap<>();
    for (long v = floor; v <= applied; v++) {
      for (String id : chains.keySet()) {
        before.put(id + "@" + v, read(e, id, v));
      }
    }
    assertThat(apply(e, new SetGcFloor(floor)).isOk()).isTrue();
    long restarts = 0;
    Random r = new Random(5);
    while (true) {
      Engine.GcProgress p = null;
      for (int steps = 1 + r.nextInt(25); steps > 0; steps--) {
        p = e.collectGarbage(1 + r.nextInt(3));
      }
      if (p.collected() >= floor) {
        break;
      }
      e = Engine.open(store); // the process restarts: a new collector, a new pass
      restarts++;
      for (String id : chains.keySet()) {
        for (long v = floor; v <= applied; v += 7) {
          assertThat(read(e, id, v))
              .as("%s at %d after %d restarts", id, v, restarts)
              .isEqualTo(before.get(id + "@" + v));
        }
      }
      assertThat(restarts).isLessThan(100_000);
    }
    assertThat(restarts).isGreaterThan(5);
  }

  @Test
  void twoNodesCollectingInDifferentStepsEndWithIdenticalStores() {
    List<TreeMap<String, byte[]>> stores = new ArrayList<>();
    for (int node = 0; node < 2; node++) {
      chains.clear();
      index = 0;
      try (Engine e = Engine.open(new MemoryKvStore())) {
        workload(e, new Random(7), 150);
        apply(e, new SetGcFloor(90));
        collectAll(e, new Random(node));
        apply(e, new SetGcFloor(140));
        collectAll(e, new Random(100 + node));
        stores.add(dump(e));
      }
    }
    assertThat(stores.get(0).keySet()).isEqualTo(stores.get(1).keySet());
    for (String k : stores.get(0).keySet()) {
      assertThat(stores.get(0).get(k)).as(k).isEqualTo(stores.get(1).get(k));
    }
  }

  @Test
  void aPinnedReadHoldsCollectionBelowItsView() {
    try (Engine e = Engine.open(new MemoryKvStore())) {
      workload(e, new Random(11), 100);
      long view = 40;
      e.pinsForTest().pin(view);
      String before = read(e, "u1", view);
      apply(e, new SetGcFloor(90));
      collectAll(e, new Random(1));
      assertThat(e.collectGarbage(10).collected()).isEqualTo(view);
      assertThat(e.collectGarbage(10).floor()).isEqualTo(90);
      // the pinned view still answers (a new read at it is refused: it is below the floor)
      assertThat(VersionReaderView.read(e, "u1", view)).isEqualTo(before);
      e.pinsForTest().unpin(view);
      collectAll(e, new Random(2));
      assertThat(e.collectGarbage(10).collected()).isEqualTo(90);
    }
  }

  @Test
  void theFloorNeverGoesDownNorReachesTheEntrysIndex() {
    try (Engine e = Engine.open(new MemoryKvStore())) {
      workload(e, new Random(3), 20);
      assertThat(apply(e, new SetGcFloor(10)).isOk()).isTrue();
      CommandResult down = apply(e, new SetGcFloor(5));
      assertThat(down.rejection().code()).isEqualTo(ErrorCode.AERO_GC_FLOOR_INVALID);
      assertThat(down.rejection().details()).containsEntry("currentFloor", "10");
      CommandResult future = apply(e, new SetGcFloor(index + 5));
      assertThat(future.rejection().code()).isEqualTo(ErrorCode.AERO_GC_FLOOR_INVALID);
      assertThat(e.gcFloor()).isEqualTo(10);
    }
  }

  /** Reads a version the way a running query does: straight from the store at the pinned view. */
  private static final class VersionReaderView {
    static String read(Engine e, String id, long view) {
      Optional<DocumentVersion> v =
          e.withStore((KvStore s) -> io.aerodb.core.mvcc.VersionReader.live(s, "users", id, view));
      return v.map(DocumentVersion::jsonText).orElse("-");
    }
  }
}
