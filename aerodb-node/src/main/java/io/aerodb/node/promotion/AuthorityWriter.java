package io.aerodb.node.promotion;

import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroException;
import io.aerodb.node.raft.RaftGateway;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Appends authority records (epochs, transfer intents and outcomes, membership) to the replicated
 * log.
 */
public final class AuthorityWriter {
  private final RaftGateway gateway;

  public AuthorityWriter(RaftGateway gateway) {
    this.gateway = gateway;
  }

  /**
   * Completes with the commit index once the record is applied, or exceptionally (AeroException).
   */
  public CompletableFuture<Long> append(String kind, String... keyValues) {
    TreeMap<String, String> fields = new TreeMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      fields.put(keyValues[i], keyValues[i + 1]);
    }
    return append(kind, fields);
  }

  public CompletableFuture<Long> append(String kind, Map<String, String> fields) {
    return gateway
        .write(Write.NO_REQUEST_ID, new RecordAuthority(kind, new TreeMap<>(fields)))
        .thenApply(
            r -> {
              if (r.rejection() != null) {
                throw new AeroException(r.rejection());
              }
              return r.commitIndex();
            });
  }
}
