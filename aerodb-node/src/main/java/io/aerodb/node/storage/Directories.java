package io.aerodb.node.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * fsync of directories: a created, renamed or deleted name is durable only once its parent
 * directory was fsynced (POSIX; an fsync of the file itself covers its bytes, not its name). Ratis
 * never fsyncs a directory (3.2.1: AtomicFileOutputStream.java:82 renames raft-meta, the term and
 * vote, without it; SegmentedRaftLogWorker.java:603 renames a rolled segment without it, and new
 * segments are created without it), so the node does it for the whole data directory at start and
 * then as its directories change ({@link DirectorySyncer}). docs/FORMATS.md, Durability map.
 */
public final class Directories {
  private Directories() {}

  /** Makes the names in {@code dir} durable. */
  public static void fsync(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  /**
   * fsyncs {@code root}, every directory beneath it, and {@code root}'s parent (which holds root's
   * own name): every name created so far in the tree is durable afterwards.
   */
  public static void fsyncTree(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isDirectory).forEach(dirs::add);
    }
    for (Path d : dirs) {
      fsync(d);
    }
    Path parent = root.toAbsolutePath().getParent();
    if (parent != null) {
      fsync(parent);
    }
  }
}
