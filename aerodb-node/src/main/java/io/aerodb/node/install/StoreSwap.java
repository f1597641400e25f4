package io.aerodb.node.install;

import io.aerodb.node.storage.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The on-disk steps of a store install, each an atomic rename made durable before the next, so that
 * a crash at any point leaves either the old store or the complete new one (docs/FORMATS.md, Store
 * install):
 *
 * <pre>
 * dataDir/install/incoming/   a fetch in progress: never trusted, discarded at start and before a fetch
 * dataDir/install/ready/      a complete, verified store: once it exists, the install is decided
 * dataDir/install/previous/   the replaced store, deleted once the swap is durable
 * </pre>
 *
 * The swap is {@code store -> install/previous}, then {@code install/ready -> store}, then the
 * previous store is deleted. {@link #recover} (at start, before the store opens) finishes a swap a
 * crash interrupted and discards the rest.
 */
public final class StoreSwap {
  private final Path root;
  private final Path store;
  private final Path install;
  private final Path incoming;
  private final Path ready;
  private final Path previous;

  /**
   * @param root the node's data directory
   * @param store the live store's directory (in root)
   */
  public StoreSwap(Path root, Path store) {
    this.root = root;
    this.store = store;
    this.install = root.resolve("install");
    this.incoming = install.resolve("incoming");
    this.ready = install.resolve("ready");
    this.previous = install.resolve("previous");
  }

  /** What {@link #recover} found. */
  public enum Recovered {
    /** No install was under way. */
    NOTHING,
    /** A fetch had not completed: discarded; the old store stays. */
    DISCARDED_INCOMPLETE_FETCH,
    /** A verified store was ready (or half swapped in): the swap was finished. */
    FINISHED_SWAP,
    /**
     * A ready store no newer than the live one (staged, then never swapped in while the node went
     * on from the log): discarded.
     */
    DISCARDED_STALE_STORE
  }

  /**
   * Finishes or discards what a crash left; call with the store closed (at start, before it opens).
   * A ready store is swapped in only if it is newer than the live one ({@code appliedIndexOf} reads
   * a store directory's applied index): one that was staged and then never swapped in while the
   * node went on applying the log would take it back in time.
   */
  public synchronized Recovered recover(java.util.function.ToLongFunction<Path> appliedIndexOf)
      throws IOException {
    boolean hadIncoming = Files.exists(incoming);
    deleteTree(incoming);
    if (Files.exists(ready)) {
      if (Files.exists(store)
          && !Files.exists(previous)
          && appliedIndexOf.applyAsLong(ready) <= appliedIndexOf.applyAsLong(store)) {
        deleteTree(ready);
        Directories.fsync(install);
        return Recovered.DISCARDED_STALE_STORE;
      }
      swap();
      return Recovered.FINISHED_SWAP;
    }
    deleteTree(previous); // a swap that completed before its clean-up did
    return hadIncoming ? Recovered.DISCARDED_INCOMPLETE_FETCH : Recovered.NOTHING;
  }

  /** An empty directory for a new fetch (anything an earlier attempt left is removed first). */
  synchronized Path freshIncoming() throws IOException {
    deleteTree(incoming);
    deleteTree(ready); // staged by an attempt Ratis then gave up on; this fetch replaces it
    Files.createDirectories(incoming);
    Directories.fsync(install);
    Directories.fsync(root);
    return incoming;
  }

  /** Decides the install: the complete, verified, fsynced incoming store becomes ready. */
  synchronized void markReady() throws IOException {
    Directories.fsync(incoming);
    Files.move(incoming, ready, StandardCopyOption.ATOMIC_MOVE);
    Directories.fsync(install);
  }

  /** Puts the ready store in place of the live one (which must be closed); durable on return. */
  synchronized void swap() throws IOException {
    if (!Files.exists(ready)) {
      throw new IOException("no store is ready in " + ready);
    }
    if (Files.exists(store)) {
      deleteTree(previous); // left by an older swap whose clean-up a crash cut short
      Files.move(store, previous, StandardCopyOption.ATOMIC_MOVE);
      Directories.fsync(install);
      Directories.fsync(root);
    }
    Files.move(ready, store, StandardCopyOption.ATOMIC_MOVE);
    Directories.fsync(root);
    Directories.fsync(install);
    deleteTree(previous);
  }

  /** Deletes a directory tree, deepest entries first; nothing if it does not exist. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
