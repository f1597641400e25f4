package io.aerodb.node.backup;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.v1.BackupFile;
import io.aerodb.proto.v1.BackupManifest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The backup file (docs/FORMATS.md, Backup file), one file that is read front to back:
 *
 * <pre>
 * "AEROBAK1"                                   8 bytes
 * manifest length u32 | manifest | CRC32C(manifest) u32      (aerodb.v1.BackupManifest)
 * for each file of the manifest, in its order:
 *   the file's bytes in blocks of 1 MiB (the last one shorter; none for an empty file),
 *   each block followed by its CRC32C u32
 * "AEROEND1" | the number of bytes before this trailer u64
 * </pre>
 *
 * All integers big-endian. The block checksums name where a flipped byte is; the manifest's CRC32C
 * of every whole file (computed by the node on its checkpoint) checks the copy end to end; the
 * manifest's applied record and content digest are checked against the store the files make.
 */
final class BackupFormat {
  static final byte[] MAGIC = "AEROBAK1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRAILER = "AEROEND1".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT = 1;
  static final int BLOCK_BYTES = 1024 * 1024;

  /** The largest manifest a reader accepts (a corrupt length must not allocate gigabytes). */
  static final int MANIFEST_BYTES_MAX = 64 * 1024 * 1024;

  private BackupFormat() {}

  /**
   * A file name a manifest may carry (as the install stream's): never a path, never "." or "..".
   */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** A cluster name a restore may write into an identity file (as a node config's). */
  static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** A node id (as a node config's). */
  static final Pattern NODE_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  /**
   * What is wrong with a manifest, if anything: a format other than 1, an index, term or size of
   * 2^63 or more, a digest that is not 32 bytes, a cluster name a node could not have, a file name
   * that is not a plain name or is repeated.
   */
  static Optional<String> problemOf(BackupManifest m) {
    if (m.getFormat() != FORMAT) {
      return Optional.of("format " + m.getFormat() + "; this version reads and writes format 1");
    }
    if (m.getIndex() < 0 || m.getTerm() < 0 || m.getKeys() < 0 || m.getDocuments() < 0) {
      return Optional.of("an index, term or count of 2^63 or more");
    }
    if (m.getStateDigest().size() != 32 || m.getContentDigest().size() != 32) {
      return Optional.of("a digest that is not 32 bytes");
    }
    if (!CLUSTER_NAME.matcher(m.getClusterName()).matches()) {
      return Optional.of("cluster name '" + m.getClusterName() + "' is not one a node can have");
    }
    Set<String> names = new TreeSet<>();
    for (BackupFile f : m.getFilesList()) {
      if (!FILE_NAME.matcher(f.getName()).matches() || !names.add(f.getName())) {
        return Optional.of("file name '" + f.getName() + "' is not a plain name or is repeated");
      }
      if (f.getSize() < 0) {
        return Optional.of("a size of 2^63 or more for " + f.getName());
      }
    }
    return Optional.empty();
  }

  /** A backup that fails a check: which part, where, and what was expected. */
  static AeroException corrupt(Object file, String part, long offset, String what) {
    return new AeroException(
        AeroError.of(
            ErrorCode.AERO_BACKUP_CORRUPT,
            file + ": " + part + " at byte " + offset + ": " + what,
            "backup",
            file.toString(),
            "part",
            part,
            "offset",
            Long.toString(offset)));
  }
}
