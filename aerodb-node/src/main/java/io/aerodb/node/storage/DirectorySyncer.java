package io.aerodb.node.storage;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the names in the node's directories durable as soon as they change. A mitigation for a
 * Ratis that never fsyncs a directory ({@link Directories}): after a rename of raft-meta (a vote)
 * or the creation of a log segment, a power cut before the directory's fsync can lose the name on a
 * file system that does not order metadata with data (ext4 with data=ordered, the default, commits
 * it with the next fsync of any file, which the log does constantly).
 *
 * <p>Two triggers, one rule — a directory is fsynced after every change to its names, by an fsync
 * that starts after the change:
 *
 * <ul>
 *   <li><b>Events</b> (the file system's change notification, inotify on Linux): each watched
 *       directory is registered for created, deleted and renamed names (not for writes into files,
 *       so the log's appends wake nothing); a signalled directory is fsynced at once, its signal
 *       re-armed before the fsync so that a change during it signals again. A directory that
 *       appears later (Ratis creates its group directories at its first start) or replaces a
 *       watched one (a store install swaps the store directory) is registered, and fsynced, when
 *       the change in its parent is seen. An event queue overflow fsyncs every directory.
 *   <li><b>A backstop poll</b> every {@code pollMs}: each directory whose modification time changed
 *       since its last fsync is fsynced, as before events were used; it covers anything the events
 *       missed and is the only trigger where no change notification exists ({@link #eventsWatched}
 *       false) or a directory cannot be watched (e.g. the user's inotify watches are used up): the
 *       poll then runs every {@link #POLL_WITHOUT_EVENTS_MS}.
 * </ul>
 *
 * <p>Before events, the poll ran every 10 ms: a residual window of ~10 ms for a vote's rename and
 * 1.4 % of a core per node at all times, idle or not (docs/PERFORMANCE.md). One daemon thread;
 * never on the apply or request path. Thread-safe: its state is the constructor's, then its
 * thread's, then {@link #close}'s once that thread has ended.
 */
public final class DirectorySyncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectorySyncer.class);

  /** The poll's period when the file system gives no change notification. */
  static final long POLL_WITHOUT_EVENTS_MS = 10;

  /** How long a directory must have been unchanged before its time alone proves it synced. */
  static final long QUIET_MS = 50;

  private final List<Path> dirs;
  private final long pollMs;
  private final WatchService watcher; // null: no change notification here, poll only
  private final Thread thread;
  private volatile boolean closed;

  // the constructor's, then the syncer thread's, then close()'s (see the class comment)
  private final Map<Path, FileTime> synced = new HashMap<>();
  private final Map<WatchKey, Path> keys = new HashMap<>();
  private final Map<Path, Watched> watched = new HashMap<>();
  private final Set<Path> unwatchable = new TreeSet<>(); // registration failed: polled every 10 ms

  /** The key that watches a path, and the directory (inode) it was registered for. */
  private record Watched(WatchKey key, Object file) {}

  /**
   * Starts watching {@code dirs} (missing ones are watched once they exist): the ones that exist
   * are registered and fsynced before this returns, so every later change to them is seen.
   *
   * @param name the thread's name
   * @param pollMs the backstop poll's period (a directory's changes are also seen as they happen
   *     where the file system notifies them)
   */
  public DirectorySyncer(String name, List<Path> dirs, long pollMs) {
    this(name, dirs, pollMs, true);
  }

  /** As the public constructor; {@code useEvents} false polls only (the fallback, for tests). */
  DirectorySyncer(String name, List<Path> dirs, long pollMs, boolean useEvents) {
    this.dirs = List.copyOf(dirs);
    this.watcher = useEvents ? newWatcher(this.dirs) : null;
    this.pollMs = watcher == null ? Math.min(pollMs, POLL_WITHOUT_EVENTS_MS) : pollMs;
    // before returning: a change from now on has an event, and everything before is synced here
    watchNew();
    syncChangedSincePoll();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether directory changes are seen as they happen (else only by the poll). */
  public boolean eventsWatched() {
    return watcher != null;
  }

  private static WatchService newWatcher(List<Path> dirs) {
    if (dirs.isEmpty()) {
      return null;
    }
    try {
      return dirs.get(0).getFileSystem().newWatchService();
    } catch (IOException | UnsupportedOperationException e) {
      // e.g. the user's inotify instances are used up: the poll alone, at its old period
      LOG.warn(
          "no change notification for the data directory ({}); directories are polled every {} ms",
          e.toString(),
          POLL_WITHOUT_EVENTS_MS);
      return null;
    }
  }

  private void run() {
    long nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(period());
    while (!closed) {
      try {
        long waitNs = nextPoll - System.nanoTime();
        TreeSet<Path> signalled = waitForChanges(Math.max(0, waitNs));
        for (Path d : signalled) {
          if (Files.isDirectory(d)) {
            sync(d);
          }
        }
        if (!signalled.isEmpty()) {
          watchNew(); // a directory created or replaced inside a signalled one
        }
        if (System.nanoTime() - nextPoll >= 0) {
          watchNew();
          syncChangedSincePoll();
          nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(period());
        }
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return; // closed
      } catch (RuntimeException e) {
        // never end silently: every directory fsync of the node depends on this thread
        LOG.error("directory syncer: unexpected failure, going on", e);
        try {
          TimeUnit.MILLISECONDS.sleep(period()); // a failure that repeats must not spin
        } catch (InterruptedException stop) {
          return;
        }
        nextPoll = System.nanoTime();
      }
    }
  }

  /** The poll's period now: the fallback's while any existing directory could not be watched. */
  private long period() {
    return unwatchable.isEmpty() ? pollMs : Math.min(pollMs, POLL_WITHOUT_EVENTS_MS);
  }

  /**
   * The directories signalled within {@code waitNs} (every key signalled by then, re-armed before
   * it is returned: a change from now on signals again). Sleeps when there are no events.
   */
  private TreeSet<Path> waitForChanges(long waitNs) throws InterruptedException {
    TreeSet<Path> signalled = new TreeSet<>();
    if (watcher == null) {
      TimeUnit.NANOSECONDS.sleep(waitNs);
      return signalled;
    }
    WatchKey key = watcher.poll(waitNs, TimeUnit.NANOSECONDS);
    while (key != null) {
      Path d = keys.get(key);
      boolean overflow = false;
      for (WatchEvent<?> e : key.pollEvents()) {
        overflow |= e.kind() == StandardWatchEventKinds.OVERFLOW;
      }
      if (overflow) {
        signalled.addAll(dirs);
      } else if (d != null) {
        signalled.add(d);
      }
      if (!key.reset()) {
        forget(key); // its directory is gone; watchNew registers what replaces it
      }
      key = watcher.poll();
    }
    return signalled;
  }

  /**
   * Registers every directory that exists and is not watched as the directory now at its path, and
   * fsyncs it: changes made before the registration have no event.
   */
  private void watchNew() {
    if (watcher == null) {
      return;
    }
    for (Path d : dirs) {
      try {
        Optional<Object> file = fileOf(d);
        Watched old = watched.get(d);
        if (file.isEmpty() || (old != null && Objects.equals(file.get(), old.file()))) {
          continue;
        }
        if (old != null) {
          old.key().cancel(); // it watches a directory moved away from this path
          forget(old.key());
        }
        WatchKey key =
            d.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE);
        keys.put(key, d);
        watched.put(d, new Watched(key, file.get()));
        unwatchable.remove(d);
        sync(d);
      } catch (ClosedWatchServiceException e) {
        throw e; // closed
      } catch (IOException | RuntimeException e) {
        if (unwatchable.add(d)) { // once per directory, not at every poll
          LOG.warn(
              "cannot watch directory {} ({}); it is polled every {} ms",
              d,
              e.toString(),
              POLL_WITHOUT_EVENTS_MS);
        }
      }
    }
  }

  private void forget(WatchKey key) {
    Path d = keys.remove(key);
    if (d != null && watched.get(d) != null && watched.get(d).key().equals(key)) {
      watched.remove(d);
    }
  }

  /** The identity of the directory at {@code d} (its inode where the file system has one). */
  private static Optional<Object> fileOf(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return Optional.empty();
    }
    BasicFileAttributes a = Files.readAttributes(d, BasicFileAttributes.class);
    return Optional.of(a.fileKey() == null ? d.toAbsolutePath() : a.fileKey());
  }

  /** The backstop: fsyncs each directory whose modification time changed since its last fsync. */
  private void syncChangedSincePoll() {
    for (Path d : dirs) {
      try {
        if (!Files.isDirectory(d)) {
          continue;
        }
        if (!Files.getLastModifiedTime(d).equals(synced.get(d))) {
          sync(d);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("fsync of directory {} failed: {}", d, e.toString());
      }
    }
  }

  /** Fsyncs {@code d}, covering every change to its names up to now. */
  private void sync(Path d) {
    try {
      FileTime modified = Files.getLastModifiedTime(d);
      Directories.fsync(d);
      boolean quiet = System.currentTimeMillis() - modified.toMillis() > QUIET_MS;
      if (quiet) {
        synced.put(d, modified);
      } else {
        synced.remove(d); // a change in the same clock tick would not show: the poll syncs again
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("fsync of directory {} failed: {}", d, e.toString());
    }
  }

  /** Stops watching, after a last fsync of every directory. */
  @Override
  public void close() {
    closed = true;
    if (watcher != null) {
      try {
        watcher.close(); // wakes the thread
      } catch (IOException e) {
        LOG.warn("closing the directory watcher failed: {}", e.toString());
      }
    } else {
      thread.interrupt(); // wakes its sleep
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("directory syncer did not stop within 5 s (an fsync hangs?); no last fsync");
      return; // its state is still the thread's
    }
    for (Path d : dirs) {
      if (Files.isDirectory(d)) {
        sync(d);
      }
    }
    synced.clear();
  }
}
