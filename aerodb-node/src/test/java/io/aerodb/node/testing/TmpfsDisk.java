package io.aerodb.node.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small RAM-backed file system (tmpfs, needs root) mounted over a directory, so that a test can
 * fill it up: a node whose disk is full. {@link #fill} writes a filler file until the kernel says
 * ENOSPC; {@link #free} deletes it. {@link #close} unmounts (lazily if a process still holds it),
 * also after a failed test.
 */
public final class TmpfsDisk implements AutoCloseable {
  private final Path dir;
  private boolean mounted;

  public TmpfsDisk(Path dir, int sizeMb) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m,mode=0755", "tmpfs", dir.toString());
    mounted = true;
  }

  /** Writes a filler file until the disk is full; returns how many bytes it took. */
  public long fill() throws IOException {
    long written = 0;
    byte[] chunk = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(filler())) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException e) {
      // ENOSPC: "No space left on device" — the disk is full, which is what was asked
      if (written == 0 && !String.valueOf(e.getMessage()).contains("space")) {
        throw e;
      }
    }
    return written;
  }

  public void free() throws IOException {
    Files.deleteIfExists(filler());
  }

  private Path filler() {
    return dir.resolve("filler.bin");
  }

  @Override
  public void close() throws IOException {
    if (mounted) {
      mounted = false;
      try {
        run("umount", dir.toString());
      } catch (IOException e) {
        run("umount", "-l", dir.toString());
      }
    }
  }

  private static void run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        String out = new String(p.getInputStream().readAllBytes());
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
