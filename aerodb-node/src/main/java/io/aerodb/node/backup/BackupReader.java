package io.aerodb.node.backup;

import com.google.protobuf.InvalidProtocolBufferException;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.StoreContents;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.core.util.Bytes;
import io.aerodb.proto.v1.BackupCollection;
import io.aerodb.proto.v1.BackupFile;
import io.aerodb.proto.v1.BackupManifest;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * Reads a backup file front to back and checks everything it can ({@link BackupFormat}): the
 * structure, every block's and every file's CRC32C, the trailer, then — on the store the files make
 * — the applied record (term, index, state digest) and the content digest, documents and keys the
 * manifest states. Any failure is AERO_BACKUP_CORRUPT naming the part and the byte offset.
 */
public final class BackupReader {
  /** What a verified backup holds. */
  public record Verified(BackupManifest manifest, long bytes) {}

  private final Path backup;
  private final FileChannel in;
  private final LongConsumer progress;
  private final ByteBuffer word = ByteBuffer.allocate(8);

  private BackupReader(Path backup, FileChannel in, LongConsumer progress) {
    this.backup = backup;
    this.in = in;
    this.progress = progress;
  }

  /**
   * Verifies {@code backup}, writing its store files into {@code storeDir} (created; must not
   * exist) and checking the store they make.
   *
   * @param durable fsync every file written (a restore); a verify does not need to
   * @param progress told the backup's bytes read so far, now and then
   */
  public static Verified extractAndVerify(
      Path backup, Path storeDir, boolean durable, LongConsumer progress) throws IOException {
    BackupManifest manifest;
    long size;
    try (FileChannel ch = FileChannel.open(backup, StandardOpenOption.READ)) {
      size = ch.size();
      BackupReader r = new BackupReader(backup, ch, progress);
      manifest = r.readManifest();
      Files.createDirectory(storeDir);
      for (int i = 0; i < manifest.getFilesCount(); i++) {
        r.extract(manifest.getFiles(i), storeDir, durable);
      }
      r.readTrailer(size);
    }
    checkStore(backup, manifest, storeDir);
    return new Verified(manifest, size);
  }

  /**
   * Verifies {@code backup} offline: extracts it into a temporary directory under {@code workDir}
   * (as much free space as the backup's size is needed), checks everything, deletes it again.
   */
  public static Verified verify(Path backup, Path workDir, LongConsumer progress)
      throws IOException {
    Path tmp = Files.createTempDirectory(workDir, ".aerodb-verify-");
    Verified v;
    try {
      v = extractAndVerify(backup, tmp.resolve("store"), false, progress);
    } catch (IOException | RuntimeException e) {
      Restorer.deleteQuietly(tmp, e);
      throw e;
    }
    Restorer.deleteTree(tmp);
    return v;
  }

  private BackupManifest readManifest() throws IOException {
    byte[] magic = new byte[BackupFormat.MAGIC.length];
    readFully(ByteBuffer.wrap(magic), "header", 0);
    if (!Arrays.equals(magic, BackupFormat.MAGIC)) {
      throw BackupFormat.corrupt(backup, "header", 0, "not an AeroDB backup (no AEROBAK1 magic)");
    }
    long at = in.position();
    int length = readInt("manifest length", at);
    if (length < 0 || length > BackupFormat.MANIFEST_BYTES_MAX) {
      throw BackupFormat.corrupt(
          backup,
          "manifest length",
          at,
          length + " is outside 0.." + BackupFormat.MANIFEST_BYTES_MAX + " (manifestBytesMax)");
    }
    byte[] bytes = new byte[length];
    at = in.position();
    readFully(ByteBuffer.wrap(bytes), "manifest", at);
    int crc = readInt("manifest checksum", in.position());
    if (crc != BackupWriter.crc(bytes, 0, bytes.length)) {
      throw BackupFormat.corrupt(backup, "manifest", at, "CRC32C mismatch");
    }
    BackupManifest m;
    try {
      m = BackupManifest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw BackupFormat.corrupt(backup, "manifest", at, "not a BackupManifest message");
    }
    java.util.Optional<String> problem = BackupFormat.problemOf(m);
    if (problem.isPresent()) {
      throw BackupFormat.corrupt(backup, "manifest", at, "it has " + problem.get());
    }
    return m;
  }

  private void extract(BackupFile f, Path storeDir, boolean durable) throws IOException {
    Path target = storeDir.resolve(f.getName());
    CRC32C whole = new CRC32C();
    ByteBuffer block = ByteBuffer.allocate(BackupFormat.BLOCK_BYTES);
    try (FileChannel out =
        FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long done = 0;
      while (done < f.getSize()) {
        long left = f.getSize() - done;
        int n = left < BackupFormat.BLOCK_BYTES ? (int) left : BackupFormat.BLOCK_BYTES;
        long at = in.position();
        String part = f.getName() + " bytes " + done + ".." + (done + n - 1);
        block.clear().limit(n);
        readFully(block, part, at);
        block.flip();
        int expected = readInt(part + " checksum", in.position());
        if (BackupWriter.crc(block.duplicate()) != expected) {
          throw BackupFormat.corrupt(backup, part, at, "CRC32C mismatch (a damaged block)");
        }
        whole.update(block.duplicate());
        while (block.hasRemaining()) {
          out.write(block);
        }
        done += n;
        progress.accept(in.position());
      }
      if ((int) whole.getValue() != f.getCrc32C()) {
        throw BackupFormat.corrupt(
            backup,
            f.getName(),
            in.position(),
            "the file's CRC32C differs from the one the node computed");
      }
      if (durable) {
        out.force(true);
      }
    }
  }

  private void readTrailer(long size) throws IOException {
    long at = in.position();
    byte[] magic = new byte[BackupFormat.TRAILER.length];
    readFully(ByteBuffer.wrap(magic), "trailer", at);
    if (!Arrays.equals(magic, BackupFormat.TRAILER)) {
      throw BackupFormat.corrupt(backup, "trailer", at, "no AEROEND1 where the files end");
    }
    word.clear();
    readFully(word, "trailer", at);
    word.flip();
    long before = word.getLong();
    if (before != at) {
      throw BackupFormat.corrupt(
          backup, "trailer", at, "it says the data ends at " + before + ", not at " + at);
    }
    if (in.position() != size) {
      throw BackupFormat.corrupt(
          backup, "trailer", in.position(), (size - in.position()) + " unexpected bytes after it");
    }
  }

  /** The store the files make must be the one the manifest describes. */
  private static void checkStore(Path backup, BackupManifest m, Path storeDir) {
    AppliedState at;
    StoreContents.Summary s;
    try (RocksKvStore store = RocksKvStore.openReadOnly(storeDir)) {
      at = Engine.appliedIn(store);
      s = StoreContents.summarize(store);
    } catch (RuntimeException e) {
      throw BackupFormat.corrupt(backup, "store", 0, "RocksDB cannot read it: " + e.getMessage());
    }
    if (at.term() != m.getTerm() || at.index() != m.getIndex()) {
      throw BackupFormat.corrupt(
          backup,
          "store",
          0,
          "it reflects (term "
              + at.term()
              + ", index "
              + at.index()
              + "), the manifest says (term "
              + m.getTerm()
              + ", index "
              + m.getIndex()
              + ")");
    }
    if (!Arrays.equals(at.digest(), m.getStateDigest().toByteArray())) {
      throw BackupFormat.corrupt(
          backup,
          "store",
          0,
          "its state digest differs from the manifest's at index " + at.index());
    }
    if (!Arrays.equals(s.contentDigest(), m.getContentDigest().toByteArray())) {
      throw BackupFormat.corrupt(
          backup,
          "store",
          0,
          "its content digest "
              + Bytes.hex(s.contentDigest())
              + " differs from the manifest's "
              + Bytes.hex(m.getContentDigest().toByteArray()));
    }
    if (s.keys() != m.getKeys() || s.documents() != m.getDocuments()) {
      throw BackupFormat.corrupt(
          backup,
          "store",
          0,
          "it holds "
              + s.keys()
              + " keys and "
              + s.documents()
              + " documents, the manifest says "
              + m.getKeys()
              + " and "
              + m.getDocuments());
    }
    List<BackupCollection> found = new ArrayList<>();
    for (StoreContents.Collection c : s.collections().values()) {
      found.add(
          BackupCollection.newBuilder()
              .setName(c.name())
              .setDocuments(c.documents())
              .addAllSchemas(c.schemas())
              .build());
    }
    if (!found.equals(m.getCollectionsList())) {
      throw BackupFormat.corrupt(
          backup,
          "store",
          0,
          "its collections, documents per collection or schemas differ from the manifest's");
    }
  }

  private int readInt(String part, long at) throws IOException {
    word.clear().limit(4);
    readFully(word, part, at);
    word.flip();
    return word.getInt();
  }

  private void readFully(ByteBuffer b, String part, long at) throws IOException {
    try {
      while (b.hasRemaining()) {
        if (in.read(b) < 0) {
          throw new EOFException();
        }
      }
    } catch (EOFException e) {
      throw BackupFormat.corrupt(
          backup, part, at, "the file ends at byte " + in.size() + " (truncated)");
    }
  }
}
