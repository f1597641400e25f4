package io.aerodb.node.server;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.ratis.RaftLogInspector;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names why a node could not start, from what its start threw (SPEC §5: corruption is never
 * repaired silently; the node refuses to serve, naming the reason and the place): the store's own
 * AERO_STORAGE_* error; AERO_STORAGE_CORRUPTION for damage Ratis found in the log (a checksum
 * mismatch, a torn or corrupt entry), with the segment file when its message names one; otherwise
 * AERO_STORAGE_IO with the cause. Never a stack trace as the only explanation.
 */
public final class StartFailure {
  private static final Pattern SEGMENT =
      Pattern.compile("(log_(?:inprogress_)?[0-9]+(?:-[0-9]+)?)");

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
    String lower = chain.toLowerCase(Locale.ROOT);
    if (lower.contains("checksum") || lower.contains("corrupt")) {
      AeroError e =
          AeroError.of(
              ErrorCode.AERO_STORAGE_CORRUPTION,
              "the Raft log under " + dataDir.resolve("raft") + " is damaged: " + chain,
              "path",
              dataDir.resolve("raft").toString());
      Matcher m = SEGMENT.matcher(chain);
      if (m.find()) {
        return e.withDetail("file", m.group(1));
      }
      // Ratis' checksum message names no file: read the segments to find the damaged one(s)
      try {
        Path current =
            RaftLogInspector.currentDir(
                dataDir.resolve("raft"), RaftDivision.groupIdOf(clusterName).getUuid().toString());
        List<String> damaged = RaftLogInspector.check(current, -1).damaged();
        if (!damaged.isEmpty()) {
          String first = damaged.get(0);
          int colon = first.indexOf(':');
          return e.withDetail("file", colon > 0 ? first.substring(0, colon) : first)
              .withDetail("damagedSegments", String.join("; ", damaged));
        }
      } catch (java.io.IOException | RuntimeException unreadable) {
        // the refusal stands without the file name
      }
      return e;
    }
    return AeroError.of(
        ErrorCode.AERO_STORAGE_IO,
        "the node could not start: " + chain,
        "path",
        dataDir.toString());
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
