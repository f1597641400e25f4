package io.aerodb.core.mvcc;

import java.nio.charset.StandardCharsets;

/**
 * One immutable version of a document [MVCC-2]: created by the log entry at {@code index}; either a
 * document (canonical JSON, written under {@code schemaVersion} [S4]) or a tombstone.
 */
public record DocumentVersion(long index, boolean tombstone, int schemaVersion, byte[] json) {

  public String jsonText() {
    return new String(json, StandardCharsets.UTF_8);
  }
}
