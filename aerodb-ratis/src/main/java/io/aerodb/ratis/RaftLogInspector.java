package io.aerodb.ratis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;

/**
 * Offline reading (and, for unsafe recovery, rewriting) of one node's Ratis storage directory
 * ({@code <raft dir>/<group uuid>/current}, notes/ratis-3.2.md §5.1). Only for stopped nodes: the
 * caller holds the data-directory lock.
 */
public final class RaftLogInspector {
  /** What a stopped node's log says: its current term and its last entry (term, index). */
  public record LogState(long currentTerm, long lastEntryTerm, long lastIndex, long confIndex) {}

  private RaftLogInspector() {}

  public static Path currentDir(Path raftDir, String groupUuid) {
    return raftDir.resolve(groupUuid).resolve("current");
  }

  /** Reads raft-meta (term), raft-meta.conf (last configuration index) and every log segment. */
  public static LogState inspect(Path current) throws IOException {
    long term = 0;
    Path meta = current.resolve("raft-meta");
    if (Files.exists(meta)) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(meta)) {
        p.load(in);
      }
      term = Long.parseLong(p.getProperty("term", "0"));
    }
    long confIndex = -1;
    Path conf = current.resolve("raft-meta.conf");
    if (Files.exists(conf)) {
      try (InputStream in = Files.newInputStream(conf)) {
        confIndex = LogEntryProto.newBuilder().mergeFrom(in).build().getIndex();
      }
    }
    AtomicLong lastTerm = new AtomicLong();
    AtomicLong lastIndex = new AtomicLong(-1);
    for (Path f : segments(current)) {
      read(
          f,
          e -> {
            if (e.getIndex() > lastIndex.get()) {
              lastIndex.set(e.getIndex());
              lastTerm.set(e.getTerm());
            }
          });
    }
    return new LogState(term, lastTerm.get(), lastIndex.get(), confIndex);
  }

  /**
   * What an offline check of a stopped node's log finds: the first and last entry, the term of the
   * entry at {@code termAtIndex} (-1 when the log does not hold it), and the segments that fail
   * Ratis' own checks (the file and Ratis' message: a CRC32C mismatch, a torn entry).
   */
  public record LogCheck(
      long firstIndex, long lastIndex, long termAt, int segments, List<String> damaged) {}

  /** Reads every segment of {@code current} with Ratis' checks, without stopping at damage. */
  public static LogCheck check(Path current, long termAtIndex) throws IOException {
    AtomicLong first = new AtomicLong(-1);
    AtomicLong last = new AtomicLong(-1);
    AtomicLong termAt = new AtomicLong(-1);
    List<String> damaged = new ArrayList<>();
    List<Path> segments = segments(current);
    for (Path f : segments) {
      try {
        read(
            f,
            e -> {
              if (first.get() < 0 || e.getIndex() < first.get()) {
                first.set(e.getIndex());
              }
              last.set(Math.max(last.get(), e.getIndex()));
              if (e.getIndex() == termAtIndex) {
                termAt.set(e.getTerm());
              }
            });
      } catch (IOException | RuntimeException e) {
        damaged.add(f.getFileName() + ": " + e.getMessage());
      }
    }
    return new LogCheck(
        first.get(), last.get(), termAt.get(), segments.size(), List.copyOf(damaged));
  }

  /** The log segments of {@code current} (Ratis' names only), sorted by name. */
  private static List<Path> segments(Path current) throws IOException {
    try (Stream<Path> files = Files.list(current)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("log_"))
          .filter(f -> LogSegmentPath.matchLogSegment(f) != null)
          .sorted()
          .toList();
    }
  }

  /** Reads one segment with Ratis' checks (CRC32C per entry; corruption policy EXCEPTION). */
  private static void read(Path segment, java.util.function.Consumer<LogEntryProto> entries)
      throws IOException {
    LogSegment.readSegmentFile(
        segment.toFile(),
        LogSegmentPath.matchLogSegment(segment).getStartEnd(),
        SizeInBytes.valueOf("64MB"),
        RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION,
        null,
        entries::accept);
  }

  /**
   * Makes {@code nodeId} the only voter of the configuration this node starts with: a new
   * raft-meta.conf whose index is above every entry of its log, so it wins over every configuration
   * in the log. The previous file is kept as raft-meta.conf.before-unsafe-recover. Returns the new
   * configuration's index.
   */
  public static long writeSingleVoterConfiguration(Path current, String nodeId, String raftAddress)
      throws IOException {
    LogState s = inspect(current);
    long index = Math.max(s.confIndex(), s.lastIndex()) + 1;
    LogEntryProto entry =
        LogEntryProto.newBuilder()
            .setIndex(index)
            .setTerm(s.lastEntryTerm())
            .setConfigurationEntry(
                RaftConfigurationProto.newBuilder()
                    .addPeers(
                        RaftPeerProto.newBuilder()
                            .setId(ByteString.copyFromUtf8(nodeId))
                            .setAddress(raftAddress)
                            .setStartupRole(RaftPeerRole.FOLLOWER)))
            .build();
    Path conf = current.resolve("raft-meta.conf");
    if (Files.exists(conf)) {
      Files.copy(
          conf,
          current.resolve("raft-meta.conf.before-unsafe-recover"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Path tmp = current.resolve("raft-meta.conf.tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      entry.writeTo(out);
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, conf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return index;
  }

  /**
   * Formats a new, empty Ratis storage directory for one group whose current term is {@code term},
   * through Ratis' own storage API (an offline restore: the restored store's applied entry is of
   * that term, so the first election is above it and Ratis takes no entry of a lower term after
   * it). Refuses a directory that exists.
   */
  public static void formatWithTerm(Path raftDir, String groupUuid, long term) throws IOException {
    Path groupDir = raftDir.resolve(groupUuid);
    if (Files.exists(groupDir)) {
      throw new IOException("Ratis storage " + groupDir + " exists already");
    }
    Files.createDirectories(groupDir);
    try (RaftStorage storage =
        RaftStorage.newBuilder()
            .setDirectory(groupDir.toFile())
            .setOption(RaftStorage.StartupOption.FORMAT)
            .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
            .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION)
            .build()) {
      storage.initialize();
      storage.getMetadataFile().persist(RaftStorageMetadata.valueOf(term, null));
    }
  }
}
