package io.aerodb.node.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A stopped node's files as the byte-flip scenarios and the corruption tests see them: Raft log
 * segments and single bytes.
 */
public final class NodeFiles {
  private NodeFiles() {}

  public static Path newestSegment(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("log_"))
          .filter(Files::isRegularFile)
          .max(
              (a, b) -> {
                try {
                  return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
                } catch (IOException e) {
                  return 0;
                }
              })
          .orElseThrow(() -> new IOException("no Raft log segment under " + dataDir));
    }
  }

  /** Length up to the last non-zero byte (a segment is preallocated with zeros). */
  public static long writtenLength(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    int end = all.length;
    while (end > 0 && all[end - 1] == 0) {
      end--;
    }
    return end;
  }

  public static byte flip(Path file, long offset, int bit) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      byte b = raf.readByte();
      raf.seek(offset);
      raf.writeByte(b ^ bit);
      raf.getFD().sync();
      return b;
    }
  }

  public static byte readByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(offset);
      return raf.readByte();
    }
  }
}
