package io.aerodb.node.cli;

import com.google.protobuf.ByteString;
import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.BatchBuilder;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.OperationResult;
import io.aerodb.proto.v1.WriteStatusReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** batch (atomic, guarded writes across collections) and write-status. */
final class BatchCommands {
  private BatchCommands() {}

  /** A batch file is read whole; generous next to the batch limit, so the server names it. */
  private static final JsonLimits FILE_JSON =
      new JsonLimits(4 * Limits.BATCH_BYTES_MAX, Limits.NESTING_DEPTH_MAX + 3, 100_000);

  /** One operation of the file, as the CLI prints it back. */
  private record Op(String kind, String collection, String id) {}

  @Command(
      name = "batch",
      description =
          "Apply inserts, updates and deletes across collections atomically, as one log entry:"
              + " all at one commit index, or none (the error names the failing operation). The"
              + " file: {\"operations\": [{\"op\": \"insert|update|delete\", \"collection\": \"c\","
              + " \"document\": {...} (insert, update) | \"id\": \"...\" (delete),"
              + " \"expectedVersion\": 17 | \"absent\" (optional)}, ...]}.")
  static final class Batch implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--file",
        required = true,
        paramLabel = "FILE",
        description = "The operations as JSON ('-' reads standard input).")
    String file;

    @Option(
        names = "--request-id",
        paramLabel = "ID",
        description = "Your own idempotency key for the whole batch (1-64 bytes).")
    String requestId;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        BatchBuilder batch = c.batch();
        List<Op> ops;
        try {
          ops = read(file, batch);
          if (requestId != null) {
            batch.requestId(DocumentCommands.checkedRequestId(requestId));
          }
        } catch (IllegalArgumentException e) {
          root.err.println(e.getMessage());
          return ExitCodes.USAGE;
        }
        BatchReply r = batch.commit();
        if (root.json) {
          List<Out> results = new ArrayList<>();
          for (int i = 0; i < ops.size(); i++) {
            OperationResult res = r.getResults(i);
            results.add(
                Out.object()
                    .put("operationIndex", i)
                    .put("op", ops.get(i).kind())
                    .put("collection", ops.get(i).collection())
                    .put("id", ops.get(i).id())
                    .put("existed", res.getExisted())
                    .put("schemaVersion", res.getSchemaVersion()));
          }
          Out.object()
              .put("commitIndex", r.getCommitIndex())
              .put("deduplicated", r.getDeduplicated())
              .put("nodeId", r.getNodeId())
              .putList("operations", results)
              .print(root.out);
        } else {
          root.out.println(
              "batch of "
                  + ops.size()
                  + " operation"
                  + (ops.size() == 1 ? "" : "s")
                  + " committed at commit index "
                  + r.getCommitIndex()
                  + (r.getDeduplicated() ? " (result of an earlier attempt)" : ""));
          for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            boolean absentDelete = op.kind().equals("delete") && !r.getResults(i).getExisted();
            root.out.println(
                "  "
                    + i
                    + " "
                    + op.kind()
                    + " "
                    + op.collection()
                    + "/"
                    + op.id()
                    + (absentDelete ? " (did not exist; nothing deleted)" : ""));
          }
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }

    /** Adds the file's operations to {@code batch}; a usage message for a malformed file. */
    private static List<Op> read(String file, BatchBuilder batch) {
      byte[] bytes;
      try {
        bytes = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
      }
      JsonValue root;
      try {
        root = JsonReader.parse(bytes, FILE_JSON);
      } catch (AeroException e) {
        throw new IllegalArgumentException(file + " is not valid JSON: " + e.error().message());
      }
      if (!(root instanceof JsonValue.Obj o)
          || !Set.of("operations").containsAll(o.fields().keySet())
          || !(o.get("operations") instanceof JsonValue.Arr arr)) {
        throw new IllegalArgumentException(
            file + ": expected {\"operations\": [...]} and nothing else");
      }
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < arr.elements().size(); i++) {
        ops.add(add(batch, arr.elements().get(i), file + ": operations[" + i + "]"));
      }
      return ops;
    }

    private static Op add(BatchBuilder batch, JsonValue v, String where) {
      if (!(v instanceof JsonValue.Obj o)) {
        throw new IllegalArgumentException(where + " is not an object");
      }
      for (String key : o.fields().keySet()) {
        if (!Set.of("op", "collection", "document", "id", "expectedVersion").contains(key)) {
          throw new IllegalArgumentException(where + ": unknown key \"" + key + "\"");
        }
      }
      String kind = string(o, "op", where);
      String collection = string(o, "collection", where);
      JsonValue guard = o.get("expectedVersion");
      Long expected = null;
      boolean absent = false;
      if (guard instanceof JsonValue.Int n && n.value() > 0) {
        expected = n.value();
      } else if (guard instanceof JsonValue.Str s && s.value().equals("absent")) {
        absent = true;
      } else if (guard != null) {
        throw new IllegalArgumentException(
            where + ": expectedVersion is a commit index (1 or more) or \"absent\"");
      }
      switch (kind) {
        case "insert", "update" -> {
          if (!(o.get("document") instanceof JsonValue.Obj doc) || o.get("id") != null) {
            throw new IllegalArgumentException(
                where + ": " + kind + " takes \"document\": {...} (with its _id), no \"id\"");
          }
          String json = new String(CanonicalJson.toBytes(doc), StandardCharsets.UTF_8);
          String id = doc.get("_id") instanceof JsonValue.Str s ? s.value() : "";
          if (kind.equals("insert")) {
            if (expected != null) {
              throw new IllegalArgumentException(
                  where + ": an insert can only expect \"absent\" (it never replaces a version)");
            }
            if (absent) {
              batch.insertIfAbsent(collection, json);
            } else {
              batch.insert(collection, json);
            }
          } else if (absent) {
            throw new IllegalArgumentException(
                where + ": an update replaces a live version; expect its commit index");
          } else if (expected != null) {
            batch.update(collection, json, expected);
          } else {
            batch.update(collection, json);
          }
          return new Op(kind, collection, id);
        }
        case "delete" -> {
          if (o.get("document") != null) {
            throw new IllegalArgumentException(where + ": delete takes \"id\", no \"document\"");
          }
          String id = string(o, "id", where);
          if (absent) {
            throw new IllegalArgumentException(
                where + ": a delete of an absent document changes nothing; expect a version");
          }
          if (expected != null) {
            batch.delete(collection, id, expected);
          } else {
            batch.delete(collection, id);
          }
          return new Op(kind, collection, id);
        }
        default ->
            throw new IllegalArgumentException(
                where + ": op is \"insert\", \"update\" or \"delete\", not \"" + kind + "\"");
      }
    }

    private static String string(JsonValue.Obj o, String key, String where) {
      if (o.get(key) instanceof JsonValue.Str s) {
        return s.value();
      }
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string");
    }
  }

  @Command(
      name = "write-status",
      description =
          "What became of the write that carried a request id (a linearizable read of the"
              + " replicated idempotency table): committed at index N, rejected (with its error),"
              + " or unknown (never seen, or older than the idempotency horizon).")
  static final class WriteStatus implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--request-id", required = true, paramLabel = "ID")
    String requestId;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try {
        DocumentCommands.checkedRequestId(requestId);
      } catch (IllegalArgumentException e) {
        root.err.println(e.getMessage());
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        WriteStatusReply r = c.writeStatus(ByteString.copyFrom(requestId, StandardCharsets.UTF_8));
        if (root.json) {
          Out o =
              Out.object()
                  .put("requestId", requestId)
                  .put("state", r.getState().name())
                  .put("rememberedFromIndex", r.getRememberedFromIndex())
                  .put("readAtIndex", r.getReceipt().getIndex());
          if (r.getState() != WriteStatusReply.State.UNKNOWN) {
            o.put("commitIndex", r.getCommitIndex());
          }
          if (r.hasRejection()) {
            o.put(
                "rejection",
                Out.object()
                    .put("code", r.getRejection().getCode())
                    .put("message", r.getRejection().getMessage())
                    .putStrings("details", r.getRejection().getDetailsMap()));
          }
          o.print(root.out);
        } else {
          switch (r.getState()) {
            case COMMITTED -> root.out.println("committed at commit index " + r.getCommitIndex());
            case REJECTED ->
                root.out.println(
                    "rejected at commit index "
                        + r.getCommitIndex()
                        + ": "
                        + r.getRejection().getCode()
                        + ": "
                        + r.getRejection().getMessage()
                        + " (nothing was written)");
            default ->
                root.out.println(
                    "unknown: no write with this request id is remembered (the cluster remembers"
                        + " request ids of entries from index "
                        + r.getRememberedFromIndex()
                        + " on; read at index "
                        + r.getReceipt().getIndex()
                        + "). A write still in flight is unknown too: retry it with the same"
                        + " --request-id, which never applies it twice.");
          }
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }
}
