package io.aerodb.core.engine;

import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.store.RocksKvStore;
import java.nio.file.Path;

/**
 * The two store implementations; engine tests run against both, since the MVCC logic is written
 * once.
 */
enum StoreKind {
  MEMORY,
  ROCKSDB;

  KvStore open(Path dir) {
    return this == MEMORY ? new MemoryKvStore() : RocksKvStore.open(dir.resolve("store"));
  }
}
