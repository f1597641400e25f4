package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.WriteOptions;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** insert, update, delete, get. */
final class DocumentCommands {
  private DocumentCommands() {}

  /** The flags every write command takes: its guard and the caller's request_id. */
  static final class WriteFlags {
    @Option(
        names = "--expected-version",
        paramLabel = "N|absent",
        description =
            "Compare-and-set: write only if the document's version (the commit index of its live"
                + " version, as get --json shows in versionIndex) is N, or if it has none"
                + " (absent). Otherwise AERO_TXN_PRECONDITION_FAILED and nothing is written.")
    String expectedVersion;

    @Option(
        names = "--request-id",
        paramLabel = "ID",
        description =
            "Your own idempotency key (1-64 bytes): a retry with the same key returns the"
                + " original result; write-status --request-id ID says what became of it.")
    String requestId;

    /** The options, or a usage message as an IllegalArgumentException. */
    WriteOptions options() {
      WriteOptions o = WriteOptions.none();
      if (expectedVersion != null) {
        o = expectedVersion.equals("absent") ? o.expectAbsent() : o.expectVersion(version());
      }
      if (requestId != null) {
        o = o.requestId(checkedRequestId(requestId));
      }
      return o;
    }

    private long version() {
      try {
        long v = Long.parseLong(expectedVersion);
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException(
          "--expected-version is a commit index (1 or more) or 'absent', not '"
              + expectedVersion
              + "'");
    }
  }

  /** A request id given on the command line: 1 to requestIdBytesMax bytes of UTF-8. */
  static String checkedRequestId(String id) {
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > Limits.REQUEST_ID_BYTES_MAX) {
      throw new IllegalArgumentException(
          "--request-id takes 1 to "
              + Limits.REQUEST_ID_BYTES_MAX
              + " bytes (requestIdBytesMax), this one has "
              + bytes);
    }
    return id;
  }

  static Out writeResult(String op, String collection, String id, WriteReply r) {
    return Out.object()
        .put("op", op)
        .put("collection", collection)
        .put("id", id)
        .put("commitIndex", r.getCommitIndex())
        .put("existed", r.getExisted())
        .put("deduplicated", r.getDeduplicated())
        .put("schemaVersion", r.getSchemaVersion())
        .put("nodeId", r.getNodeId());
  }

  /** The _id of a document argument, for messages (the server validates it for real). */
  static String idOf(String json) {
    try {
      JsonValue v = JsonReader.parse(json.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON);
      if (v instanceof JsonValue.Obj o && o.get("_id") instanceof JsonValue.Str s) {
        return s.value();
      }
    } catch (RuntimeException ignored) {
      // the server reports the exact problem
    }
    return "";
  }

  abstract static class Put implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(
        index = "1",
        paramLabel = "DOCUMENT",
        description = "The document as JSON, with its _id.")
    String document;

    abstract String op();

    abstract String done();

    @Mixin WriteFlags flags;

    abstract WriteReply send(AeroClient c, WriteOptions options);

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      WriteOptions options;
      try {
        options = flags.options();
      } catch (IllegalArgumentException e) {
        root.err.println(e.getMessage());
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        WriteReply r = send(c, options);
        String id = idOf(document);
        if (root.json) {
          writeResult(op(), collection, id, r).print(root.out);
        } else {
          root.out.println(
              done()
                  + " "
                  + collection
                  + "/"
                  + id
                  + " at commit index "
                  + r.getCommitIndex()
                  + (r.getDeduplicated() ? " (result of an earlier attempt)" : ""));
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(name = "insert", description = "Insert a new document (fails if its _id exists).")
  static final class Insert extends Put {
    @Override
    String op() {
      return "insert";
    }

    @Override
    String done() {
      return "inserted";
    }

    @Override
    WriteReply send(AeroClient c, WriteOptions options) {
      return c.insert(collection, document, options);
    }
  }

  @Command(
      name = "update",
      description = "Replace an existing document entirely (fails if absent).")
  static final class Update extends Put {
    @Override
    String op() {
      return "update";
    }

    @Override
    String done() {
      return "updated";
    }

    @Override
    WriteReply send(AeroClient c, WriteOptions options) {
      return c.update(collection, document, options);
    }
  }

  @Command(
      name = "delete",
      description = "Delete a document; deleting an absent one succeeds and says so.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Mixin WriteFlags flags;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      WriteOptions options;
      try {
        options = flags.options();
      } catch (IllegalArgumentException e) {
        root.err.println(e.getMessage());
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        WriteReply r = c.delete(collection, id, options);
        if (root.json) {
          writeResult("delete", collection, id, r).print(root.out);
        } else if (r.getExisted()) {
          root.out.println(
              "deleted " + collection + "/" + id + " at commit index " + r.getCommitIndex());
        } else {
          root.out.println(
              collection
                  + "/"
                  + id
                  + " did not exist; nothing deleted (commit index "
                  + r.getCommitIndex()
                  + ")");
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "get",
      description =
          "Read a document by _id (linearizable unless --min-index or --at-index is given).")
  static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Option(
        names = "--min-index",
        description = "Serve from one node once it applied at least this index (follower read).")
    Long minIndex;

    @Option(
        names = "--at-index",
        description =
            "A history read: the document as it was at exactly this commit index (served by one"
                + " node once it applied it; refused below the GC floor).")
    Long atIndex;

    @Option(
        names = "--node",
        description = "With --min-index or --at-index: the node host:port to read from.")
    String node;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      if (minIndex != null && atIndex != null) {
        root.err.println("give --min-index or --at-index, not both");
        return ExitCodes.USAGE;
      }
      if ((minIndex != null && minIndex < 0) || (atIndex != null && atIndex < 0)) {
        root.err.println("--min-index and --at-index are commit indexes: 0 or more");
        return ExitCodes.USAGE;
      }
      try (AeroClient c = root.client()) {
        String target = node != null ? node : root.endpoints().get(0);
        GetReply r =
            atIndex != null
                ? c.getAt(target, collection, id, atIndex)
                : minIndex == null
                    ? c.get(collection, id)
                    : c.getAtLeast(target, collection, id, minIndex);
        if (root.json) {
          Out o =
              Out.object()
                  .put("collection", collection)
                  .put("id", id)
                  .put("found", r.getFound())
                  .put(
                      "receipt",
                      Out.object()
                          .put("index", r.getReceipt().getIndex())
                          .put("nodeId", r.getReceipt().getNodeId())
                          .put("term", r.getReceipt().getTerm())
                          .put("consistency", r.getReceipt().getConsistency().name()));
          if (r.getFound()) {
            o.put(
                    "document",
                    JsonReader.parse(
                        r.getDocumentJson().getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON))
                .put("versionIndex", r.getVersionIndex())
                .put("schemaVersion", r.getSchemaVersion());
          }
          o.print(root.out);
        } else if (r.getFound()) {
          root.out.println(r.getDocumentJson());
        } else {
          root.out.println(
              collection
                  + "/"
                  + id
                  + " not found (read at index "
                  + r.getReceipt().getIndex()
                  + " on "
                  + r.getReceipt().getNodeId()
                  + ")");
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }
}
