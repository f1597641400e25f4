package io.aerodb.node.promotion;

import io.aerodb.core.error.AeroException;
import io.aerodb.node.server.RaftGateway;
import io.aerodb.proto.internal.v1.ApplyResult;
import io.aerodb.proto.internal.v1.AuthorityRecord;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.ratis.LogEntryCodec;
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
    LogEntry entry =
        LogEntry.newBuilder()
            .setFormat(LogEntryCodec.FORMAT)
            .setAuthority(AuthorityRecord.newBuilder().setKind(kind).putAllFields(fields))
            .build();
    return gateway
        .write(entry)
        .thenApply(
            (ApplyResult r) -> {
              RaftGateway.rejection(r)
                  .ifPresent(
                      e -> {
                        throw new AeroException(e);
                      });
              return r.getCommitIndex();
            });
  }
}
