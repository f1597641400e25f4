package io.aerodb.client;

import io.aerodb.proto.v1.BatchOperation;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.BatchRequest;
import io.aerodb.proto.v1.ExpectedVersion;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds an atomic batch: inserts, updates and deletes across collections, each optionally guarded,
 * committed as one log entry by {@link #commit} — all of them at one commit index, or none (the
 * error names the failing operation: details {@code operationIndex}, {@code operationKind}). Not
 * thread-safe; one per batch.
 */
public final class BatchBuilder {
  private final BatchRequest.Builder request = BatchRequest.newBuilder();
  private final Function<BatchRequest.Builder, BatchReply> commit;
  private Optional<com.google.protobuf.ByteString> requestId = Optional.empty();

  BatchBuilder(Function<BatchRequest.Builder, BatchReply> commit) {
    this.commit = commit;
  }

  public BatchBuilder insert(String collection, String documentJson) {
    return add(BatchOperation.Kind.INSERT, collection, documentJson, "", null);
  }

  public BatchBuilder update(String collection, String documentJson) {
    return add(BatchOperation.Kind.UPDATE, collection, documentJson, "", null);
  }

  /** An update that applies only if the document's version is still {@code expectedVersion}. */
  public BatchBuilder update(String collection, String documentJson, long expectedVersion) {
    return add(
        BatchOperation.Kind.UPDATE,
        collection,
        documentJson,
        "",
        ExpectedVersion.newBuilder().setVersion(expectedVersion).build());
  }

  /** An insert that applies only if the document has no live version (the default for insert). */
  public BatchBuilder insertIfAbsent(String collection, String documentJson) {
    return add(
        BatchOperation.Kind.INSERT,
        collection,
        documentJson,
        "",
        ExpectedVersion.newBuilder().setAbsent(true).build());
  }

  public BatchBuilder delete(String collection, String id) {
    return add(BatchOperation.Kind.DELETE, collection, "", id, null);
  }

  /** A delete that applies only if the document's version is still {@code expectedVersion}. */
  public BatchBuilder delete(String collection, String id, long expectedVersion) {
    return add(
        BatchOperation.Kind.DELETE,
        collection,
        "",
        id,
        ExpectedVersion.newBuilder().setVersion(expectedVersion).build());
  }

  /** The caller's idempotency key for the whole batch (default: a random one per commit). */
  public BatchBuilder requestId(String key) {
    requestId =
        Optional.of(
            com.google.protobuf.ByteString.copyFrom(key, java.nio.charset.StandardCharsets.UTF_8));
    return this;
  }

  /** Operations added so far. */
  public int size() {
    return request.getOperationsCount();
  }

  /** Sends the batch (retried safely under its request_id) and returns its one commit index. */
  public BatchReply commit() {
    requestId.ifPresent(request::setRequestId);
    return commit.apply(request);
  }

  private BatchBuilder add(
      BatchOperation.Kind kind, String collection, String json, String id, ExpectedVersion guard) {
    BatchOperation.Builder op =
        BatchOperation.newBuilder()
            .setKind(kind)
            .setCollection(collection)
            .setDocumentJson(json)
            .setId(id);
    if (guard != null) {
      op.setExpectedVersion(guard);
    }
    request.addOperations(op);
    return this;
  }
}
