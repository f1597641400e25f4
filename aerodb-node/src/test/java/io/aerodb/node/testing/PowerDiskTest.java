package io.aerodb.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-failure disk really forgets (issue 18): what was not fsynced is gone after a cut, what
 * was fsynced stays; strict mode also forgets names whose directory was not fsynced; the lying mode
 * forgets an fsynced write. Real FUSE mounts (needs root, /dev/fuse, python3-fusepy).
 */
class PowerDiskTest {
  @TempDir Path dir;

  private static void write(Path file, String text, boolean fsync) throws IOException {
    try (FileChannel c =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      if (fsync) {
        c.force(true);
      }
    }
  }

  private static void fsyncDirectory(Path d) throws IOException {
    try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(absent)";
  }

  @Test
  void aCutDropsWhatWasNotFsyncedAndKeepsWhatWas() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = new PowerDisk(mnt, dir.resolve("backing"), PowerDisk.Mode.LAZY)) {
      write(mnt.resolve("a"), "durable;", true);
      write(mnt.resolve("a"), "lost;", false);
      write(mnt.resolve("b"), "never synced", false);
      assertThat(read(mnt.resolve("a"))).isEqualTo("durable;lost;");
      PowerDisk.Cut cut = disk.cut();
      assertThat(read(mnt.resolve("a"))).isEqualTo("durable;");
      assertThat(read(mnt.resolve("b"))).as("the name stays in lazy mode, the bytes go").isEmpty();
      assertThat(cut.files()).isEqualTo(2);
      assertThat(cut.bytes()).isEqualTo("lost;".length() + "never synced".length());
      // The remounted disk works and starts a new journal.
      write(mnt.resolve("a"), "again;", true);
      assertThat(disk.cut().bytes()).isZero();
      assertThat(read(mnt.resolve("a"))).isEqualTo("durable;again;");
    }
  }

  @Test
  void strictModeForgetsNamesWhoseDirectoryWasNotFsynced() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = new PowerDisk(mnt, dir.resolve("backing"), PowerDisk.Mode.STRICT)) {
      write(mnt.resolve("kept"), "x", true);
      fsyncDirectory(mnt);
      write(mnt.resolve("tmp"), "y", true); // its data is durable, its name is not
      Files.move(mnt.resolve("tmp"), mnt.resolve("renamed"));
      Files.delete(mnt.resolve("kept"));
      PowerDisk.Cut cut = disk.cut();
      assertThat(read(mnt.resolve("kept")))
          .as("an unlink without a directory fsync")
          .isEqualTo("x");
      assertThat(read(mnt.resolve("renamed"))).isEqualTo("(absent)");
      assertThat(read(mnt.resolve("tmp"))).isEqualTo("(absent)");
      assertThat(cut.names()).isEqualTo(3);
    }
  }

  @Test
  void aLyingDiskDropsAnFsyncedWrite() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = new PowerDisk(mnt, dir.resolve("backing"), PowerDisk.Mode.LYING)) {
      write(mnt.resolve("a"), "first;", true); // honoured: the file's first fsync
      write(mnt.resolve("a"), "second;", true); // within 3 s of it: a lie
      disk.cut();
      assertThat(read(mnt.resolve("a"))).isEqualTo("first;");
    }
  }

  /**
   * The instant of the power cut is the power-off, not the kill: an fsync still in flight then (the
   * slow disk holds each one 100 ms) fails and makes nothing durable.
   */
  @Test
  void anFsyncInFlightAtThePowerOffNeverCompletes() throws Exception {
    assertThat(PowerDisk.available()).as("root, /dev/fuse and python3-fusepy").isTrue();
    Path mnt = dir.resolve("mnt");
    try (PowerDisk disk = new PowerDisk(mnt, dir.resolve("backing"), PowerDisk.Mode.SLOW)) {
      write(mnt.resolve("a"), "durable;", true);
      try (FileChannel c = FileChannel.open(mnt.resolve("a"), StandardOpenOption.APPEND)) {
        c.write(ByteBuffer.wrap("in flight;".getBytes(StandardCharsets.UTF_8)));
        java.util.concurrent.CompletableFuture<Void> fsync =
            java.util.concurrent.CompletableFuture.runAsync(
                () -> {
                  try {
                    c.force(true);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        // the fsync waits 100 ms inside the disk; the power goes within that window
        Thread.sleep(20); // lets the fsync reach the disk: a schedule, not a synchronization
        PowerDisk.powerOff(java.util.List.of(disk));
        assertThat(fsync)
            .as("an fsync in flight at the power-off fails")
            .failsWithin(java.time.Duration.ofSeconds(10));
      }
      PowerDisk.Cut cut = disk.cut();
      assertThat(read(mnt.resolve("a"))).isEqualTo("durable;");
      assertThat(cut.bytes()).isEqualTo("in flight;".length());
    }
  }
}
