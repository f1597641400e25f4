package io.aerodb.core.engine;

import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.core.util.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The running state digest (docs/FORMATS.md): {@code d(i) = SHA-256(d(i-1) | i | write set)}, where
 * the write set is the entry's store batch in order, each operation as {@code 'P' | len | key | len
 * | value} or {@code 'D' | len | key} (lengths u64), leaving out the change feed (0x30 keys) and
 * the document heads (0x12 keys): both are derived from the versions in the same batch and were
 * added after the format was pinned, so a node that keeps them and one that does not yet (a rolling
 * upgrade) compute the same chain. Equal on every node at the same index, because apply is
 * deterministic and the batch is its canonical output. Not thread-safe: the apply thread owns it.
 */
final class StateDigest {
  private final MessageDigest sha256;

  StateDigest() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  byte[] chain(byte[] previous, long index, WriteBatch batch) {
    MessageDigest md = sha256;
    md.reset();
    md.update(previous);
    md.update(Bytes.ofLong(index));
    for (WriteBatch.Op op : batch.ops()) {
      byte tag = op.key()[0];
      if (tag == Keys.CHANGE || tag == Keys.HEAD) {
        continue; // derived from the versions the digest covers
      }
      md.update(op.isDelete() ? (byte) 'D' : (byte) 'P');
      md.update(Bytes.ofLong(op.key().length));
      md.update(op.key());
      if (!op.isDelete()) {
        md.update(Bytes.ofLong(op.value().length));
        md.update(op.value());
      }
    }
    return md.digest();
  }
}
