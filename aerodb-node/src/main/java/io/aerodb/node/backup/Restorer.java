package io.aerodb.node.backup;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.node.storage.DataDirectory;
import io.aerodb.node.storage.Directories;
import io.aerodb.ratis.RaftLogInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * An offline, all-or-nothing restore of a backup into a new node data directory (SPEC §5). Every
 * byte goes to a staging directory next to the target ({@code .<name>.restore-staging}), is
 * verified there ({@link BackupReader}: every checksum, the applied record, the content digest),
 * gets the node's identity and a Ratis storage whose term is the backup's, is fsynced, and only
 * then is renamed to the target. An interrupted or failed restore leaves the target as it was
 * (absent or empty); a leftover staging directory is deleted by the next restore to the same
 * target.
 *
 * <p>The restored node starts with an empty Raft log above the store's applied index: Ratis takes
 * the store as its snapshot, so commit indexes continue above the backup's index, and the first
 * election is above the backup's term, so the leadership-epoch history in the store continues.
 */
public final class Restorer {
  private Restorer() {}

  /**
   * @param clusterName the restored node's cluster; null keeps the backup's
   */
  public static BackupReader.Verified restore(
      Path backup, Path dataDir, String nodeId, String clusterName, LongConsumer progress)
      throws IOException {
    Path target = dataDir.toAbsolutePath().normalize();
    if (!BackupFormat.NODE_ID.matcher(nodeId).matches()) {
      throw refused(
          target, "node id '" + nodeId + "' is not one a node can have ([a-z][a-z0-9-]{0,31})");
    }
    if (clusterName != null && !BackupFormat.CLUSTER_NAME.matcher(clusterName).matches()) {
      throw refused(
          target,
          "cluster name '"
              + clusterName
              + "' is not one a node can have ([a-z0-9][a-z0-9-]{0,62})");
    }
    if (Files.isSymbolicLink(target)) {
      throw refused(target, target + " is a symbolic link; restore into the directory it names");
    }
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw refused(target, "the target data directory " + target + " is not empty");
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    if (Files.exists(target) && !Files.getFileStore(target).equals(Files.getFileStore(parent))) {
      throw refused(
          target,
          target
              + " is a mount point: the restore stages next to it and renames, so name a new"
              + " directory inside it");
    }
    Path staging = parent.resolve("." + target.getFileName() + ".restore-staging");
    deleteTree(staging); // an interrupted restore's leftover
    Files.createDirectory(staging);
    try {
      BackupReader.Verified v =
          BackupReader.extractAndVerify(backup, DataDirectory.storeDir(staging), true, progress);
      String cluster = clusterName != null ? clusterName : v.manifest().getClusterName();
      DataDirectory.writeIdentity(staging, nodeId, cluster);
      RaftLogInspector.formatWithTerm(
          DataDirectory.raftDir(staging),
          RaftDivision.groupIdOf(cluster).getUuid().toString(),
          v.manifest().getTerm());
      Directories.fsyncTree(staging);
      if (Files.exists(target)) {
        Files.delete(target); // empty, checked above
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      Directories.fsync(parent);
      return v;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(staging, e);
      throw e;
    }
  }

  /** Deletes {@code root}; a failure is added to {@code cause} rather than hiding it. */
  static void deleteQuietly(Path root, Exception cause) {
    try {
      deleteTree(root);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static AeroException refused(Path target, String message) {
    return new AeroException(
        AeroError.of(ErrorCode.AERO_RESTORE_REFUSED, message, "dataDir", target.toString()));
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
