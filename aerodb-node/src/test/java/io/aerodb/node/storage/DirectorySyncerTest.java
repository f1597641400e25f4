package io.aerodb.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.node.testing.PowerDisk;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the strict power-failure disk (a name survives a cut only once its directory was fsynced):
 * {@link Directories#fsyncTree} makes a whole tree's names durable, and {@link DirectorySyncer}
 * makes a later create or rename durable as it happens — from the file system's change events alone
 * (the backstop poll set to an hour), for directories that appear or are replaced while it runs
 * too, and from the poll alone where there are no events; a name nobody fsynced is gone after the
 * cut. Real FUSE mounts (root, /dev/fuse, python3-fusepy). The disk is powered off before the
 * syncer closes, so the syncer's last fsync at close cannot make anything durable.
 */
class DirectorySyncerTest {
  private static final long HOUR_MS = 3_600_000;

  /** Long enough for a change event's fsync on a loaded machine; the poll-only case's 50 polls. */
  private static final long SETTLE_MS = 500;

  @TempDir Path dir;

  private static void writeSynced(Path file, String text) throws Exception {
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      c.force(true);
    }
  }

  private PowerDisk disk() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    return new PowerDisk(dir.resolve("mnt"), dir.resolve("backing"), PowerDisk.Mode.STRICT);
  }

  /** Changes made while the syncer watches. */
  private interface Changes {
    void make() throws Exception;
  }

  /**
   * Makes {@code changes}, waits {@link #SETTLE_MS}, cuts the power, then closes {@code syncer}
   * (its last fsync at close cannot make anything durable any more) and drops what was not durable.
   */
  private static void cutAfter(PowerDisk disk, DirectorySyncer syncer, Changes changes)
      throws Exception {
    try {
      changes.make();
      Thread.sleep(SETTLE_MS); // its schedule, not a synchronization
      PowerDisk.powerOff(List.of(disk));
    } finally {
      syncer.close();
    }
    disk.cut();
  }

  /** A vote's write: a temporary file, its fsync, a rename (Ratis' AtomicFileOutputStream). */
  private void renameOfAVoteSurvives(boolean events, long pollMs) throws Exception {
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = disk()) {
      Files.createDirectories(mnt.resolve("raft/current"));
      writeSynced(mnt.resolve("raft/current/meta"), "term 1");
      Directories.fsyncTree(mnt);
      Files.createDirectories(mnt.resolve("unsynced"));

      DirectorySyncer syncer =
          new DirectorySyncer("test-dirsync", List.of(mnt.resolve("raft/current")), pollMs, events);
      assertThat(syncer.eventsWatched()).isEqualTo(events);
      cutAfter(
          disk,
          syncer,
          () -> {
            writeSynced(mnt.resolve("raft/current/meta.tmp"), "term 2");
            Files.move(mnt.resolve("raft/current/meta.tmp"), mnt.resolve("raft/current/meta2"));
          });
      assertThat(Files.readString(mnt.resolve("raft/current/meta"))).isEqualTo("term 1");
      assertThat(Files.readString(mnt.resolve("raft/current/meta2"))).isEqualTo("term 2");
      assertThat(mnt.resolve("unsynced")).as("a directory nobody fsynced").doesNotExist();
    }
  }

  @Test
  void aRenameIsMadeDurableByItsChangeEvent() throws Exception {
    renameOfAVoteSurvives(true, HOUR_MS);
  }

  @Test
  void withoutChangeEventsThePollMakesItDurable() throws Exception {
    // without events the poll runs every 10 ms, whatever period was asked for
    renameOfAVoteSurvives(false, HOUR_MS);
  }

  @Test
  void directoriesCreatedAfterTheStartAreWatchedToo() throws Exception {
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = disk()) {
      Path raft = mnt.resolve("raft");
      Path group = raft.resolve("group");
      Path current = group.resolve("current");
      Files.createDirectories(raft);
      Directories.fsyncTree(mnt);

      // Ratis creates its group's directories at its first start, after the syncer started
      DirectorySyncer syncer =
          new DirectorySyncer("test-dirsync", List.of(raft, group, current), HOUR_MS);
      cutAfter(
          disk,
          syncer,
          () -> {
            Files.createDirectories(current);
            writeSynced(current.resolve("raft-meta"), "term 1");
            Thread.sleep(SETTLE_MS);
            writeSynced(current.resolve("log_inprogress_0"), "entries");
          });
      assertThat(Files.readString(current.resolve("raft-meta"))).isEqualTo("term 1");
      assertThat(Files.readString(current.resolve("log_inprogress_0"))).isEqualTo("entries");
    }
  }

  @Test
  void aDirectoryReplacedWhileWatchedIsWatchedAsTheNewOne() throws Exception {
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = disk()) {
      Path store = mnt.resolve("store");
      Files.createDirectories(store);
      Files.createDirectories(mnt.resolve("store.new"));
      Directories.fsyncTree(mnt);

      DirectorySyncer syncer = new DirectorySyncer("test-dirsync", List.of(mnt, store), HOUR_MS);
      cutAfter(
          disk,
          syncer,
          () -> {
            // a store install's swap: the old store moves aside, the staged one takes its name
            Files.move(store, mnt.resolve("store.old"));
            Files.move(mnt.resolve("store.new"), store);
            Thread.sleep(SETTLE_MS);
            writeSynced(store.resolve("000042.sst"), "rows");
          });
      assertThat(mnt.resolve("store.old")).isDirectory();
      assertThat(Files.readString(store.resolve("000042.sst")))
          .as("a name created in the directory that replaced the watched one")
          .isEqualTo("rows");
    }
  }
}
