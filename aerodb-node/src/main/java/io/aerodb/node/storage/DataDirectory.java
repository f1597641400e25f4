package io.aerodb.node.storage;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A node's data directory: an exclusive lock held for the life of the process, and an identity file
 * that ties the directory to one node of one cluster (docs/FORMATS.md, Data directory).
 *
 * <pre>
 * dataDir/aerodb.lock      exclusive OS file lock; holds the owner's pid (for the refusal message)
 * dataDir/identity         nodeId=..., clusterName=..., format=1   (written once, atomically)
 * dataDir/raft/            Ratis storage: log segments, term and vote
 * dataDir/store/           RocksDB: document versions, catalog, applied index
 * dataDir/install/         a store install under way (install.StoreSwap)
 * dataDir/checkpoints/     store checkpoints being sent to installing members (deleted after)
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {
  static final int FORMAT = 1;

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Locks the directory and checks (or writes) its identity. Refuses with AERO_CONFIG_DATA_DIR_*.
   */
  public static DataDirectory open(NodeConfig config) throws ConfigException {
    Path root = config.dataDir();
    FileChannel channel = null;
    try {
      Files.createDirectories(root);
      Path lockFile = root.resolve("aerodb.lock");
      channel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
        channel.close();
        throw new ConfigException(
            AeroError.of(
                ErrorCode.AERO_CONFIG_DATA_DIR_LOCKED,
                "data directory " + root + " is in use by another process (pid " + holder + ")",
                "dataDir",
                root.toString(),
                "holderPid",
                holder));
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)),
          0);
      channel.force(true);
      DataDirectory dir = new DataDirectory(root, channel, lock);
      try {
        dir.checkIdentity(config);
      } catch (ConfigException e) {
        dir.close();
        throw e;
      }
      return dir;
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // the original failure is what matters
        }
      }
      throw new ConfigException(
          AeroError.of(
              ErrorCode.AERO_CONFIG_INVALID_VALUE,
              "data directory " + root + " is not usable: " + e.getMessage(),
              "key",
              "dataDir"));
    }
  }

  /** Marker written by unsafe-recover into the data directories it did not choose. */
  public static final String SUPERSEDED = "SUPERSEDED-BY-UNSAFE-RECOVER";

  /**
   * Whether another process holds the lock now (used by offline tools, which must not run beside a
   * node).
   */
  public static boolean isLocked(Path dataDir) {
    Path lockFile = dataDir.resolve("aerodb.lock");
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel c = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = c.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return true;
    }
  }

  private void checkIdentity(NodeConfig config) throws ConfigException, IOException {
    Path superseded = root.resolve(SUPERSEDED);
    if (Files.exists(superseded)) {
      throw new ConfigException(
          AeroError.of(
              ErrorCode.AERO_CONFIG_DATA_DIR_MISMATCH,
              "data directory "
                  + root
                  + " was superseded by unsafe-recover: "
                  + Files.readString(superseded, StandardCharsets.UTF_8).trim()
                  + " Wipe it and add the node again (cluster add-learner).",
              "dataDir",
              root.toString()));
    }
    Path file = root.resolve("identity");
    String expected = identity(config.nodeId(), config.clusterName());
    if (Files.exists(file)) {
      String actual = Files.readString(file, StandardCharsets.UTF_8);
      if (!actual.equals(expected)) {
        throw new ConfigException(
            AeroError.of(
                ErrorCode.AERO_CONFIG_DATA_DIR_MISMATCH,
                "data directory "
                    + root
                    + " belongs to "
                    + actual.trim().replace('\n', ' ')
                    + ", not to nodeId="
                    + config.nodeId()
                    + " clusterName="
                    + config.clusterName(),
                "dataDir",
                root.toString()));
      }
      return;
    }
    writeIdentity(root, config.nodeId(), config.clusterName());
  }

  private static String identity(String nodeId, String clusterName) {
    return "nodeId=" + nodeId + "\nclusterName=" + clusterName + "\nformat=" + FORMAT + "\n";
  }

  /**
   * Writes (atomically, fsynced) the identity file that ties {@code root} to one node of one
   * cluster: at a node's first start, and by an offline restore preparing a directory.
   */
  public static void writeIdentity(Path root, String nodeId, String clusterName)
      throws IOException {
    Path tmp = root.resolve("identity.tmp");
    Files.writeString(tmp, identity(nodeId, clusterName), StandardCharsets.UTF_8);
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    Files.move(tmp, root.resolve("identity"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The Raft storage of the data directory at {@code root}. */
  public static Path raftDir(Path root) {
    return root.resolve("raft");
  }

  /** The store (RocksDB) of the data directory at {@code root}. */
  public static Path storeDir(Path root) {
    return root.resolve("store");
  }

  public Path raftDir() {
    return raftDir(root);
  }

  public Path storeDir() {
    return storeDir(root);
  }

  public Path checkpointsDir() {
    return root.resolve("checkpoints");
  }

  public Path root() {
    return root;
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // The OS releases the lock when the process ends anyway.
    }
  }
}
