package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.GetReply;
import io.aerodb.proto.v1.WriteReply;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** insert, update, delete, get. */
final class DocumentCommands {
  private DocumentCommands() {}

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

    abstract WriteReply send(AeroClient c);

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        WriteReply r = send(c);
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
    WriteReply send(AeroClient c) {
      return c.insert(collection, document);
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
    WriteReply send(AeroClient c) {
      return c.update(collection, document);
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

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        WriteReply r = c.delete(collection, id);
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
