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
 * makes a later create or rename durable within its interval; a name nobody fsynced is gone after
 * the cut. Real FUSE mounts (root, /dev/fuse, python3-fusepy).
 */
class DirectorySyncerTest {
  @TempDir Path dir;

  private static void writeSynced(Path file, String text) throws Exception {
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      c.force(true);
    }
  }

  @Test
  void namesBecomeDurableThroughTheTreeSyncAndTheSyncer() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = new PowerDisk(mnt, dir.resolve("backing"), PowerDisk.Mode.STRICT)) {
      Files.createDirectories(mnt.resolve("raft/current"));
      writeSynced(mnt.resolve("raft/current/meta"), "term 1");
      Directories.fsyncTree(mnt);
      Files.createDirectories(mnt.resolve("unsynced"));

      DirectorySyncer syncer =
          new DirectorySyncer("test-dirsync", List.of(mnt.resolve("raft/current")), 10);
      try {
        writeSynced(mnt.resolve("raft/current/meta.tmp"), "term 2");
        Files.move(mnt.resolve("raft/current/meta.tmp"), mnt.resolve("raft/current/meta2"));
        Thread.sleep(200); // twenty of the syncer's intervals: its schedule, not a synchronization
        PowerDisk.powerOff(List.of(disk));
      } finally {
        syncer.close();
      }
      disk.cut();
      assertThat(Files.readString(mnt.resolve("raft/current/meta"))).isEqualTo("term 1");
      assertThat(Files.readString(mnt.resolve("raft/current/meta2"))).isEqualTo("term 2");
      assertThat(mnt.resolve("unsynced")).as("a directory nobody fsynced").doesNotExist();
    }
  }
}
