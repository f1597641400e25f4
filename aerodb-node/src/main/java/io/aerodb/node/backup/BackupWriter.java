package io.aerodb.node.backup;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.storage.Directories;
import io.aerodb.proto.v1.BackupChunk;
import io.aerodb.proto.v1.BackupFile;
import io.aerodb.proto.v1.BackupManifest;
import io.aerodb.proto.v1.BackupPart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes the parts of a node's Backup stream as a backup file ({@link BackupFormat}): into {@code
 * <out>.partial}, every file's CRC32C checked against the manifest as it ends, fsynced, then
 * renamed to {@code out}. Until {@link #finish} succeeds nothing exists at {@code out}; {@link
 * #close} without it deletes the partial file. Not thread-safe: one stream, one thread.
 */
public final class BackupWriter implements AutoCloseable {
  private final Path out;
  private final Path partial;
  private final FileChannel channel;
  private final ByteBuffer block = ByteBuffer.allocate(BackupFormat.BLOCK_BYTES);
  private final ByteBuffer word = ByteBuffer.allocate(8);
  private BackupManifest manifest;
  private int file = -1; // the file the chunks now fill
  private long fileOffset;
  private CRC32C fileCrc;
  private long written;
  private boolean finished;

  private BackupWriter(Path out, Path partial, FileChannel channel) {
    this.out = out;
    this.partial = partial;
    this.channel = channel;
  }

  /**
   * Starts a backup file at {@code out}; refuses when something exists there, or when {@code
   * out.partial} does (a backup to the same file running now, or an interrupted one's leftover,
   * which the operator deletes).
   */
  public static BackupWriter create(Path out) {
    if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw failed(out + " exists; a backup never overwrites a file");
    }
    Path partial = out.resolveSibling(out.getFileName() + ".partial");
    try {
      FileChannel ch =
          FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new BackupWriter(out, partial, ch);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw failed(
          partial
              + " exists: a backup to "
              + out
              + " is running, or one was interrupted (then delete it)");
    } catch (IOException e) {
      throw failed("cannot write " + partial + ": " + e.getMessage());
    }
  }

  /** The manifest, once the first part arrived. */
  public BackupManifest manifest() {
    return manifest;
  }

  /** Bytes of store files received so far. */
  public long fileBytes() {
    return written;
  }

  /** Takes the next part of the stream (the manifest first, then chunks in order). */
  public void accept(BackupPart part) {
    try {
      if (part.hasManifest()) {
        if (manifest != null) {
          throw failed("the node sent a second manifest");
        }
        startWith(part.getManifest());
      } else if (part.hasChunk()) {
        if (manifest == null) {
          throw failed("the node sent data before the manifest");
        }
        chunk(part.getChunk());
      } else {
        throw failed("the node sent an empty part");
      }
    } catch (IOException e) {
      throw failed("cannot write " + partial + ": " + e.getMessage());
    }
  }

  private void startWith(BackupManifest m) throws IOException {
    java.util.Optional<String> problem = BackupFormat.problemOf(m);
    if (problem.isPresent()) {
      throw failed("the node's manifest has " + problem.get());
    }
    manifest = m;
    byte[] bytes = m.toByteArray();
    write(ByteBuffer.wrap(BackupFormat.MAGIC));
    writeInt(bytes.length);
    write(ByteBuffer.wrap(bytes));
    writeInt(crc(bytes, 0, bytes.length));
  }

  private void chunk(BackupChunk c) throws IOException {
    if (c.getFile() != file) {
      if (c.getFile() < file || c.getFile() >= manifest.getFilesCount()) {
        throw failed("the node sent a chunk of file " + c.getFile() + " after file " + file);
      }
      endFilesBefore(c.getFile());
    }
    if (c.getOffset() != fileOffset) {
      throw failed(
          "the node sent offset "
              + c.getOffset()
              + " of "
              + name(file)
              + " where "
              + fileOffset
              + " was next");
    }
    ByteBuffer data = c.getData().asReadOnlyByteBuffer();
    long size = manifest.getFiles(file).getSize();
    if (fileOffset + data.remaining() > size) {
      throw failed("the node sent more than the " + size + " bytes of " + name(file));
    }
    fileOffset += data.remaining();
    written += data.remaining();
    while (data.hasRemaining()) {
      int n = Math.min(block.remaining(), data.remaining());
      ByteBuffer slice = data.slice();
      slice.limit(n);
      block.put(slice);
      data.position(data.position() + n);
      if (!block.hasRemaining()) {
        flushBlock();
      }
    }
  }

  /** Ends the current file and every (empty) one before {@code next}. */
  private void endFilesBefore(int next) throws IOException {
    if (file >= 0) {
      endFile();
    }
    for (int i = file + 1; i < next; i++) {
      file = i;
      fileOffset = 0;
      fileCrc = new CRC32C();
      endFile();
    }
    file = next;
    fileOffset = 0;
    fileCrc = new CRC32C();
  }

  private void endFile() throws IOException {
    flushBlock();
    BackupFile f = manifest.getFiles(file);
    if (fileOffset != f.getSize()) {
      throw failed(
          "the stream ended "
              + f.getName()
              + " after "
              + fileOffset
              + " of "
              + f.getSize()
              + " bytes");
    }
    if ((int) fileCrc.getValue() != f.getCrc32C()) {
      throw failed(
          "the received "
              + f.getName()
              + " does not match the CRC32C the node computed (damaged in transit)");
    }
  }

  private void flushBlock() throws IOException {
    if (block.position() == 0) {
      return;
    }
    block.flip();
    fileCrc.update(block.duplicate());
    int blockCrc = crc(block.duplicate());
    write(block);
    writeInt(blockCrc);
    block.clear();
  }

  /**
   * Ends the stream: every file complete and matching, the trailer written, fsynced, renamed to the
   * output path (and the directory fsynced).
   */
  public void finish() {
    if (manifest == null) {
      throw failed("the node's stream ended before its manifest");
    }
    try {
      endFilesBefore(manifest.getFilesCount());
      long before = channel.position();
      write(ByteBuffer.wrap(BackupFormat.TRAILER));
      word.clear();
      word.putLong(before).flip();
      write(word);
      channel.force(true);
      channel.close();
      // a link never replaces a file that appeared meanwhile (a rename would)
      Files.createLink(out, partial);
      finished = true;
      Files.delete(partial);
      Directories.fsync(out.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw failed("cannot finish " + out + ": " + e.getMessage());
    }
  }

  /** The size of the finished file. */
  public long size() throws IOException {
    return Files.size(out);
  }

  private String name(int i) {
    return i >= 0 && i < manifest.getFilesCount() ? manifest.getFiles(i).getName() : "#" + i;
  }

  private void writeInt(int v) throws IOException {
    word.clear();
    word.putInt(v).flip();
    write(word);
  }

  private void write(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  static int crc(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return (int) c.getValue();
  }

  private static AeroException failed(String message) {
    return new AeroException(AeroError.of(ErrorCode.AERO_BACKUP_FAILED, message));
  }

  /** Without a successful {@link #finish}: deletes the partial file, so nothing is left. */
  @Override
  public void close() {
    if (finished) {
      return;
    }
    try {
      channel.close();
      Files.deleteIfExists(partial);
    } catch (IOException e) {
      // best effort: the partial file's name says what it is
    }
  }
}
