package io.aerodb.client;

import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.WriteReply;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-your-writes on any node: the session remembers the highest commit index of its writes and
 * asks a follower for a read at least that new (AT_LEAST_INDEX), so a read served by any node sees
 * every write this session was told about. Thread-safe; cheap (one counter over the client).
 */
public final class Session {
  private final AeroClient client;
  private final AtomicLong lastIndex = new AtomicLong();

  Session(AeroClient client) {
    this.client = client;
  }

  /** The highest commit index this session has seen acknowledged. */
  public long lastIndex() {
    return lastIndex.get();
  }

  public WriteReply insert(String collection, String documentJson) {
    return seen(client.insert(collection, documentJson));
  }

  public WriteReply update(String collection, String documentJson) {
    return seen(client.update(collection, documentJson));
  }

  public WriteReply compareAndSet(String collection, String documentJson, long expectedVersion) {
    return seen(client.compareAndSet(collection, documentJson, expectedVersion));
  }

  public WriteReply delete(String collection, String id) {
    return seen(client.delete(collection, id));
  }

  /** Commits a batch built with {@link AeroClient#batch} and remembers its index. */
  public BatchReply commit(BatchBuilder batch) {
    BatchReply r = batch.commit();
    lastIndex.accumulateAndGet(r.getCommitIndex(), Math::max);
    return r;
  }

  /** Reads on {@code endpoint} (any node) at least as new as this session's last write. */
  public GetReply get(String endpoint, String collection, String id) {
    GetReply r = client.getAtLeast(endpoint, collection, id, lastIndex.get());
    lastIndex.accumulateAndGet(r.getReceipt().getIndex(), Math::max);
    return r;
  }

  private WriteReply seen(WriteReply r) {
    lastIndex.accumulateAndGet(r.getCommitIndex(), Math::max);
    return r;
  }
}
