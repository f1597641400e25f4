package io.aerodb.core.store;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;

/**
 * {@link KvStore} on RocksDB, one column family, keys ordered bytewise (RocksDB's default
 * comparator is unsigned lexicographic).
 *
 * <p>Writes go through RocksDB's WAL without fsync ({@code sync=false}): a process crash loses
 * nothing (the OS holds the WAL pages), a power loss may lose a suffix of batches, which Raft
 * replays from its own fsynced log (docs/FORMATS.md, Durability). {@link #syncDurable} fsyncs the
 * WAL.
 */
public final class RocksKvStore implements KvStore {
  static {
    RocksDB.loadLibrary();
  }

  /** The store's key order ({@link Bytes#compare}, RocksDB's bytewise comparator). */
  private static final Comparator<WriteBatch.Op> KEY_ORDER =
      (a, b) -> Bytes.compare(a.key(), b.key());

  private final Path dir;
  private final Options options;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;

  private final boolean readOnly;

  private RocksKvStore(Path dir, Options options, RocksDB db, boolean readOnly) {
    this.readOnly = readOnly;
    this.dir = dir;
    this.options = options;
    this.db = db;
    this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
    this.readOptions = new ReadOptions().setVerifyChecksums(true);
  }

  /** Opens (creating if absent) the store in {@code dir}. */
  public static RocksKvStore open(Path dir) {
    Options options = options();
    try {
      Files.createDirectories(dir);
      return new RocksKvStore(dir, options, RocksDB.open(options, dir.toString()), false);
    } catch (RocksDBException | java.io.IOException e) {
      options.close();
      throw io("open", dir, e);
    }
  }

  /**
   * Opens a store that must exist (a store just swapped in): a missing or half-deleted directory is
   * refused, never silently replaced by an empty store.
   */
  public static RocksKvStore openExisting(Path dir) {
    Options options = options().setCreateIfMissing(false);
    try {
      return new RocksKvStore(dir, options, RocksDB.open(options, dir.toString()), false);
    } catch (RocksDBException e) {
      options.close();
      throw io("open", dir, e);
    }
  }

  /**
   * Opens an existing store (a checkpoint) read-only, with every block checksum verified as it is
   * read; {@link #write} and {@link #syncDurable} fail. Refuses a directory that holds no store.
   */
  public static RocksKvStore openReadOnly(Path dir) {
    Options options = options().setCreateIfMissing(false);
    try {
      return new RocksKvStore(dir, options, RocksDB.openReadOnly(options, dir.toString()), true);
    } catch (RocksDBException e) {
      options.close();
      throw io("open read-only", dir, e);
    }
  }

  /**
   * The memtable's size (RocksDB's write_buffer_size), in MiB: RocksDB fills one memtable, then
   * flushes it to an SST file while the next one fills, so a busy node holds up to twice this in
   * native memory outside the Java heap. RocksDB's default, 64, is kept: 16 took ~65 MiB off each
   * loaded node's RSS but cost 24 % more CPU per apply when the existence check was still an
   * iterator seek (more, smaller level-0 files for every seek to visit; JMH decodeAndApply 28.5 ->
   * 35.2 us, 32 MiB: 30.9 us; not re-measured since the heads), and CPU per write is the larger gap
   * (docs/PERFORMANCE.md "Memory"). Hook for operators and experiments: {@code
   * -Daerodb.rocksdb.writeBufferMiB=N}.
   */
  static final long WRITE_BUFFER_MIB =
      Math.max(1, Math.min(1024, Long.getLong("aerodb.rocksdb.writeBufferMiB", 64)));

  /**
   * How flushes and compactions compress SST files: LZ4 (see {@link #options}). Hook for operators
   * and experiments: {@code -Daerodb.rocksdb.compression=lz4|snappy|zstd|none} (any case); any
   * other value fails every open of a store with an IllegalArgumentException naming the property.
   */
  private static CompressionType compression() {
    String name = System.getProperty("aerodb.rocksdb.compression", "lz4");
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "lz4" -> CompressionType.LZ4_COMPRESSION;
      case "snappy" -> CompressionType.SNAPPY_COMPRESSION;
      case "zstd" -> CompressionType.ZSTD_COMPRESSION;
      case "none" -> CompressionType.NO_COMPRESSION;
      default ->
          throw new IllegalArgumentException(
              "-Daerodb.rocksdb.compression=" + name + " is not one of lz4, snappy, zstd, none");
    };
  }

  private static Options options() {
    // A Bloom filter per SST file (10 bits per key, about 1 % false positives): most point reads on
    // the write path look for keys that do not exist (a new request_id's idempotency record), and
    // the filter answers those without reading an index or data block of each file.
    // LZ4 rather than RocksDB's default Snappy for the SST files that flushes and compactions
    // write: the same kind of fast LZ77 compression, at about half the CPU in RocksDB's background
    // threads, which run on the cores the apply and the API need (JMH decodeAndApplyGroup: 73 ->
    // 58 us of process CPU per write; docs/PERFORMANCE.md). Files written with Snappy before stay
    // readable and are rewritten with LZ4 as compaction reaches them.
    CompressionType compression = compression(); // first: a bad value leaks no Options
    Options options =
        new Options()
            .setCreateIfMissing(true)
            .setParanoidChecks(true)
            .setMaxOpenFiles(512)
            .setKeepLogFileNum(5)
            .setWriteBufferSize(WRITE_BUFFER_MIB * 1024 * 1024)
            .setCompressionType(compression)
            .setTableFormatConfig(
                new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
    return options;
  }

  /**
   * Writes a consistent copy of the store as it is now into {@code target} (which must not exist):
   * RocksDB's checkpoint, hard links to the immutable SST files where the file system allows, the
   * rest copied; every batch written before the call is in it, none is split. The caller deletes it
   * when done.
   */
  public void checkpoint(Path target) {
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw io("checkpoint", target, e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(readOptions, key);
    } catch (RocksDBException e) {
      throw io("get", dir, e);
    }
  }

  @Override
  public KvCursor seek(byte[] from) {
    RocksIterator it = db.newIterator(readOptions);
    it.seek(from);
    return cursor(it, true);
  }

  @Override
  public KvCursor seekReverse(byte[] from) {
    RocksIterator it = db.newIterator(readOptions);
    it.seekForPrev(from);
    return cursor(it, false);
  }

  private KvCursor cursor(RocksIterator it, boolean forward) {
    return new KvCursor() {
      @Override
      public boolean valid() {
        if (it.isValid()) {
          return true;
        }
        try {
          it.status();
        } catch (RocksDBException e) {
          throw io("iterate", dir, e);
        }
        return false;
      }

      @Override
      public byte[] key() {
        return it.key();
      }

      @Override
      public byte[] value() {
        return it.value();
      }

      @Override
      public void next() {
        if (forward) {
          it.next();
        } else {
          it.prev();
        }
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  /**
   * {@inheritDoc}
   *
   * <p>Hands the operations to RocksDB in key order: RocksDB inserts each key into the memtable's
   * skip list starting from where its previous insert ended, so ascending keys make each insert a
   * short walk, while an applied entry's batch interleaves six key spaces write by write (version,
   * head, index entry, change feed, idempotency record and its by-index key). The sort is stable,
   * so operations on one key keep their order and the batch means what it meant (JMH
   * decodeAndApplyGroup: 58 -> 54 us of process CPU per write; docs/PERFORMANCE.md). The state
   * digest is computed over the batch as built, not over this order.
   */
  @Override
  public void write(WriteBatch batch) {
    if (readOnly) {
      throw io("write", dir, new IllegalStateException("opened read-only"));
    }
    List<WriteBatch.Op> ops = new ArrayList<>(batch.ops());
    ops.sort(KEY_ORDER);
    try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
      for (WriteBatch.Op op : ops) {
        if (op.isDelete()) {
          wb.delete(op.key());
        } else {
          wb.put(op.key(), op.value());
        }
      }
      db.write(writeOptions, wb);
    } catch (RocksDBException e) {
      throw io("write", dir, e);
    }
  }

  @Override
  public void syncDurable() {
    if (readOnly) {
      return; // nothing was written
    }
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw io("sync", dir, e);
    }
  }

  /** Flushes memtables to SST files (used before checkpoints and on clean shutdown). */
  public void flush() {
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo);
    } catch (RocksDBException e) {
      throw io("flush", dir, e);
    }
  }

  /** Approximate live data size in bytes. */
  public long approximateSizeBytes() {
    try {
      return db.getLongProperty("rocksdb.total-sst-files-size")
          + db.getLongProperty("rocksdb.cur-size-all-mem-tables");
    } catch (RocksDBException e) {
      throw io("property", dir, e);
    }
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    try {
      if (!readOnly) {
        db.syncWal();
      }
    } catch (RocksDBException e) {
      // Closing anyway; the Raft log still holds everything the store may lose.
    }
    readOptions.close();
    writeOptions.close();
    db.close();
    options.close();
  }

  /**
   * A store failure: AERO_STORAGE_CORRUPTION when RocksDB says the data is corrupt (a block or file
   * checksum mismatch, a torn file; with the file and offset when its message names them),
   * AERO_STORAGE_IO otherwise. Either way the node stops serving.
   */
  private static AeroException io(String op, Path dir, Exception e) {
    boolean corrupt =
        e instanceof RocksDBException r
            && r.getStatus() != null
            && r.getStatus().getCode() == Status.Code.Corruption;
    AeroError error =
        AeroError.of(
            corrupt ? ErrorCode.AERO_STORAGE_CORRUPTION : ErrorCode.AERO_STORAGE_IO,
            "store "
                + op
                + (corrupt ? " found corrupt data in " : " failed in ")
                + dir
                + ": "
                + e.getMessage(),
            "path",
            dir.toString(),
            "operation",
            op);
    java.util.regex.Matcher m = CORRUPT_AT.matcher(String.valueOf(e.getMessage()));
    if (corrupt && m.find()) {
      error = error.withDetail("file", m.group(1));
      if (m.group(2) != null) {
        error = error.withDetail("offset", m.group(2));
      }
    }
    return new AeroException(error, e);
  }

  /** Where RocksDB's corruption messages name the place: "... in /dir/000012.sst offset 4096". */
  private static final java.util.regex.Pattern CORRUPT_AT =
      java.util.regex.Pattern.compile(
          "(/[^\\s:]+\\.(?:sst|log|ldb)|/[^\\s:]*MANIFEST-\\d+)(?:\\s+offset\\s+(\\d+))?");

  @Override
  public void verifyChecksums() {
    try {
      db.verifyChecksum();
    } catch (RocksDBException e) {
      throw io("verify checksums", dir, e);
    }
  }
}
