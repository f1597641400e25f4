package io.aerodb.node.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the names in the node's directories durable soon after they change: every {@code
 * intervalMs} it reads each directory's modification time (a create, rename or delete in it changes
 * it) and fsyncs the ones that changed since their last fsync. A mitigation for a Ratis that never
 * fsyncs a directory ({@link Directories}): after a rename of raft-meta (a vote) or the creation of
 * a log segment, a power cut within the interval and the fsync can still lose the name on a file
 * system that does not order metadata with data (ext4 with data=ordered, the default, commits it
 * with the next fsync of any file, which the log does constantly). One daemon thread, a stat per
 * directory per interval; never on the apply or request path.
 */
public final class DirectorySyncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectorySyncer.class);

  private final List<Path> dirs;
  // only the syncer thread touches it, and close() once that thread has ended
  private final Map<Path, FileTime> synced = new HashMap<>();
  private final ScheduledExecutorService thread;

  /**
   * Starts watching {@code dirs} (missing ones are skipped until they exist).
   *
   * @param name the thread's name
   */
  public DirectorySyncer(String name, List<Path> dirs, long intervalMs) {
    this.dirs = List.copyOf(dirs);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::syncChanged, 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** How long a directory must have been unchanged before its time alone proves it synced. */
  static final long QUIET_MS = 50;

  private void syncChanged() {
    for (Path d : dirs) {
      try {
        if (!Files.isDirectory(d)) {
          continue;
        }
        FileTime modified = Files.getLastModifiedTime(d);
        if (modified.equals(synced.get(d))) {
          continue;
        }
        Directories.fsync(d); // covers every change up to now, including any since the stat
        boolean quiet = System.currentTimeMillis() - modified.toMillis() > QUIET_MS;
        if (quiet) {
          synced.put(d, modified);
        } else {
          synced.remove(d); // a change in the same clock tick would not show: sync again
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("fsync of directory {} failed: {}", d, e.toString());
      }
    }
  }

  /** Stops watching, after a last fsync of every directory. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synced.clear();
    syncChanged();
  }
}
