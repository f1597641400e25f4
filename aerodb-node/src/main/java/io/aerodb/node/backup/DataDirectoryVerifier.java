package io.aerodb.node.backup;

import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.StoreAudit;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.node.storage.DataDirectory;
import io.aerodb.ratis.RaftLogInspector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The offline check of a stopped node's data directory ({@code aerodb verify --data-dir}): the
 * store ({@link StoreAudit}: documents, schemas, index entries both ways), the Raft log (Ratis' own
 * checksums on every segment) and the two against each other (no gap between the store's applied
 * index and the log; the log's entry at the applied index has the applied term). Reads only.
 */
public final class DataDirectoryVerifier {
  /** The result: the store's audit and the log's check, and every problem found. */
  public record Report(
      Path dataDir,
      AppliedState applied,
      StoreAudit.Report store,
      RaftLogInspector.LogCheck log,
      List<StoreAudit.Problem> problems,
      long problemCount) {
    public boolean ok() {
      return problemCount == 0;
    }
  }

  private DataDirectoryVerifier() {}

  /**
   * @param problemsMax problems listed at most (all are counted)
   */
  public static Report verify(Path dataDir, int problemsMax) throws IOException {
    if (!Files.isDirectory(DataDirectory.storeDir(dataDir))) {
      throw refused(dataDir, dataDir + " is not a node data directory (no store/ in it)");
    }
    if (DataDirectory.isLocked(dataDir)) {
      throw new AeroException(
          AeroError.of(
              ErrorCode.AERO_CONFIG_DATA_DIR_LOCKED,
              "data directory " + dataDir + " is in use by a running node; stop it first",
              "dataDir",
              dataDir.toString()));
    }
    StoreAudit.Report store;
    try (RocksKvStore s = RocksKvStore.openReadOnly(DataDirectory.storeDir(dataDir))) {
      store = StoreAudit.audit(s, problemsMax);
    } catch (RuntimeException e) {
      throw new AeroException(
          AeroError.of(
              ErrorCode.AERO_STORAGE_CORRUPTION,
              "the store in "
                  + DataDirectory.storeDir(dataDir)
                  + " cannot be read: "
                  + e.getMessage(),
              "dataDir",
              dataDir.toString(),
              "file",
              DataDirectory.storeDir(dataDir).toString()));
    }
    List<StoreAudit.Problem> problems = new ArrayList<>(store.problems());
    long count = store.problemCount();
    AppliedState applied = store.applied();
    RaftLogInspector.LogCheck log = null;
    Path current = currentDir(dataDir);
    if (current != null) {
      log = RaftLogInspector.check(current, applied.index());
      for (String d : log.damaged()) {
        count++;
        problems.add(new StoreAudit.Problem("LOG_SEGMENT_DAMAGED", "", d));
      }
      if (log.firstIndex() > applied.index() + 1) {
        count++;
        problems.add(
            new StoreAudit.Problem(
                "LOG_GAP",
                "",
                "the log starts at "
                    + log.firstIndex()
                    + " but the store applied only "
                    + applied.index()
                    + ": the entries between are nowhere"));
      }
      if (log.termAt() >= 0 && log.termAt() != applied.term()) {
        count++;
        problems.add(
            new StoreAudit.Problem(
                "APPLIED_TERM_MISMATCH",
                "",
                "the store applied index "
                    + applied.index()
                    + " of term "
                    + applied.term()
                    + ", the log's entry there is of term "
                    + log.termAt()));
      }
    }
    return new Report(
        dataDir,
        applied,
        store,
        log,
        List.copyOf(problems.subList(0, Math.min(problems.size(), problemsMax))),
        count);
  }

  /** The Ratis storage of the group named by the identity file (null when there is none yet). */
  private static Path currentDir(Path dataDir) throws IOException {
    Path identity = dataDir.resolve("identity");
    if (!Files.exists(identity)) {
      return null;
    }
    Properties p = new Properties();
    p.load(new java.io.StringReader(Files.readString(identity, StandardCharsets.UTF_8)));
    String cluster = p.getProperty("clusterName");
    if (cluster == null) {
      throw refused(dataDir, "the identity file of " + dataDir + " names no cluster");
    }
    Path current =
        RaftLogInspector.currentDir(
            DataDirectory.raftDir(dataDir), RaftDivision.groupIdOf(cluster).getUuid().toString());
    return Files.isDirectory(current) ? current : null;
  }

  private static AeroException refused(Path dataDir, String message) {
    return new AeroException(
        AeroError.of(ErrorCode.AERO_REQUEST_INVALID, message, "dataDir", dataDir.toString()));
  }
}
