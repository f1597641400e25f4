package io.aerodb.bench;

/**
 * One system under test, as the load generator sees it: synchronous calls, safe to share between
 * the client threads (like an application sharing one client object and one connection).
 */
interface Driver extends AutoCloseable {
  /** Stores a new document/value under {@code id}; throws on any error. */
  void insert(String id, String document) throws Exception;

  /** Replaces the existing document/value under {@code id}; throws on any error. */
  default void update(String id, String document) throws Exception {
    insert(id, document); // a key-value store's put replaces
  }

  /**
   * Stores new documents atomically, in one replicated write (AeroDB: one batch; etcd: one Txn of
   * puts); throws on any error.
   */
  void insertAll(java.util.List<String> ids, java.util.List<String> documents) throws Exception;

  /**
   * Starts a watcher of every new document (AeroDB: Watch on the collection from the next index;
   * etcd: watch on the prefix), counting what it receives into {@code received}; close it to stop.
   */
  AutoCloseable watch(java.util.concurrent.atomic.AtomicLong received) throws Exception;

  /** Reads {@code id} with linearizable consistency; throws if it is absent or on any error. */
  void get(String id) throws Exception;

  /**
   * One unary gRPC call to the first endpoint that the server answers from memory, a health check
   * ({@link GrpcPing}); throws on any error. The benchmark scripts list the leader first.
   */
  void ping() throws Exception;

  @Override
  void close();
}
