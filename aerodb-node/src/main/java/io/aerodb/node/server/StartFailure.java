package io.aerodb.node.server;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.ratis.RaftLogInspector;
import java.nio.file.Path;
import java.util.List;

/**
 * Names why a node could not start, from what its start threw (SPEC §5: corruption is never
 * repaired silently; the node refuses to serve, naming the reason and the place): the store's own
 * AERO_STORAGE_* error; AERO_STORAGE_CORRUPTION when Ratis' checks find a damaged log segment
 * (named) or a cause is a checksum or corruption exception; otherwise AERO_STORAGE_IO for an I/O
 * failure and AERO_INTERNAL for anything else (a port in use, say), each with the causes. Never a
 * stack trace as the only explanation.
 */
public final class StartFailure {
  private StartFailure() {}

  /**
   * @param clusterName names the Raft group whose log is looked at to name a damaged segment
   */
  public static AeroError classify(Throwable failure, Path dataDir, String clusterName) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof AeroException a
          && (a.code() == ErrorCode.AERO_STORAGE_CORRUPTION
              || a.code() == ErrorCode.AERO_STORAGE_IO)) {
        return a.error();
      }
    }
    String chain = describe(failure);
    Path raft = dataDir.resolve("raft");
    // Ratis' messages for a damaged log vary (a checksum, an entry length, a gap): when loading
    // the log failed, read the segments with Ratis' own checks and let what they find decide
    boolean fromTheLog = chain.contains("RaftLog") || namesCorruption(failure);
    List<String> damaged = fromTheLog ? damagedSegments(raft, clusterName) : List.of();
    if (!damaged.isEmpty() || namesCorruption(failure)) {
      AeroError e =
          AeroError.of(
              ErrorCode.AERO_STORAGE_CORRUPTION,
              "the Raft log under " + raft + " is damaged: " + chain,
              "path",
              raft.toString());
      if (!damaged.isEmpty()) {
        String first = damaged.get(0);
        int colon = first.indexOf(':');
        e =
            e.withDetail("file", colon > 0 ? first.substring(0, colon) : first)
                .withDetail("damagedSegments", String.join("; ", damaged));
      }
      return e;
    }
    boolean io = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      io |= t instanceof java.io.IOException;
    }
    return AeroError.of(
        io ? ErrorCode.AERO_STORAGE_IO : ErrorCode.AERO_INTERNAL,
        "the node could not start: " + chain,
        "path",
        dataDir.toString());
  }

  /** Whether a cause's class says checksum or corruption (its message and paths are not read). */
  private static boolean namesCorruption(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String name = t.getClass().getSimpleName();
      if (name.contains("Checksum") || name.contains("Corrupt")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> damagedSegments(Path raft, String clusterName) {
    try {
      Path current =
          RaftLogInspector.currentDir(
              raft, RaftDivision.groupIdOf(clusterName).getUuid().toString());
      return java.nio.file.Files.isDirectory(current)
          ? RaftLogInspector.check(current, -1).damaged()
          : List.of();
    } catch (java.io.IOException | RuntimeException unreadable) {
      return List.of(); // the refusal stands without the file name
    }
  }

  /** Every cause's class and message, outermost first, on one line. */
  private static String describe(Throwable failure) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = failure; t != null && b.length() < 2000; t = t.getCause()) {
      if (b.length() > 0) {
        b.append(" <- ");
      }
      b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return b.toString();
  }
}
