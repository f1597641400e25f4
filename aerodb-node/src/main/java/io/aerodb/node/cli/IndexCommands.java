package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.IndexInfo;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.SchemaVersionInfo;
import io.aerodb.proto.v1.WriteReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** index create, index drop, index list. */
@Command(
    name = "index",
    description = "Secondary indexes (every filtered or sorted query field needs one).",
    subcommands = {IndexCommands.Create.class, IndexCommands.Drop.class, IndexCommands.List.class})
final class IndexCommands implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(AeroCli.root(spec).err);
    return ExitCodes.USAGE;
  }

  abstract static class Change implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(
        index = "1",
        paramLabel = "FIELD",
        description = "A field path declared as a scalar: age, address.city.")
    String field;

    abstract String op();

    abstract String done();

    abstract WriteReply send(AeroClient c);

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        WriteReply r = send(c);
        if (root.json) {
          Out.object()
              .put("op", op())
              .put("collection", collection)
              .put("field", field)
              .put("commitIndex", r.getCommitIndex())
              .put("deduplicated", r.getDeduplicated())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.println(
              done()
                  + " index "
                  + collection
                  + "."
                  + field
                  + " at commit index "
                  + r.getCommitIndex());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "create",
      description =
          "Create an index (replicated); it is built for the existing documents while the command is"
              + " applied and serves reads from its commit index on.")
  static final class Create extends Change {
    @Override
    String op() {
      return "index create";
    }

    @Override
    String done() {
      return "created";
    }

    @Override
    WriteReply send(AeroClient c) {
      return c.createIndex(collection, field);
    }
  }

  @Command(name = "drop", description = "Drop an index (replicated).")
  static final class Drop extends Change {
    @Override
    String op() {
      return "index drop";
    }

    @Override
    String done() {
      return "dropped";
    }

    @Override
    WriteReply send(AeroClient c) {
      return c.dropIndex(collection, field);
    }
  }

  @Command(
      name = "list",
      description = "The indexes (_id included) and schema versions queries can use now.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        ListIndexesReply r = c.listIndexes(collection);
        if (root.json) {
          java.util.List<Out> indexes = new ArrayList<>();
          for (IndexInfo i : r.getIndexesList()) {
            indexes.add(
                Out.object()
                    .put("field", i.getField())
                    .put("createdIndex", i.getCreatedIndex())
                    .put("implicit", i.getImplicit()));
          }
          java.util.List<Out> versions = new ArrayList<>();
          for (SchemaVersionInfo v : r.getSchemaVersionsList()) {
            versions.add(
                Out.object()
                    .put("version", v.getVersion())
                    .put("createdIndex", v.getCreatedIndex()));
          }
          Out.object()
              .put("collection", collection)
              .putList("indexes", indexes)
              .putList("schemaVersions", versions)
              .put("receipt", QueryCommands.receipt(r.getReceipt()))
              .print(root.out);
        } else {
          List.print(root, r);
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }

    private static void print(AeroCli root, ListIndexesReply r) {
      java.util.List<String> lines = new ArrayList<>();
      for (IndexInfo i : r.getIndexesList()) {
        lines.add(
            i.getField()
                + (i.getImplicit()
                    ? " (implicit)"
                    : " (created at index " + i.getCreatedIndex() + ")"));
      }
      lines.forEach(root.out::println);
      java.util.List<String> versions = new ArrayList<>();
      for (SchemaVersionInfo v : r.getSchemaVersionsList()) {
        versions.add(v.getVersion() + "@" + v.getCreatedIndex());
      }
      root.out.println(
          "schema versions (version@index): "
              + String.join(", ", versions)
              + "; read at index "
              + r.getReceipt().getIndex());
    }
  }
}
