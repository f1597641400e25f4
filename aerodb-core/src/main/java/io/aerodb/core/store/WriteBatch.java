package io.aerodb.core.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An ordered list of puts and deletes that a {@link KvStore} applies atomically: after a crash
 * either every operation of the batch is visible or none is. Not thread-safe; built by one thread,
 * then written.
 */
public final class WriteBatch {
  /** One operation; {@code value == null} means delete. */
  public record Op(byte[] key, byte[] value) {
    public boolean isDelete() {
      return value == null;
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private long bytes;

  public WriteBatch put(byte[] key, byte[] value) {
    ops.add(new Op(key.clone(), value.clone()));
    bytes += key.length + value.length;
    return this;
  }

  public WriteBatch delete(byte[] key) {
    ops.add(new Op(key.clone(), null));
    bytes += key.length;
    return this;
  }

  /** Appends every operation of {@code other}, in order. */
  public WriteBatch addAll(WriteBatch other) {
    ops.addAll(other.ops);
    bytes += other.bytes;
    return this;
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  public long approximateBytes() {
    return bytes;
  }
}
