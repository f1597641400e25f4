package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.WriteReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** collection create. */
@Command(
    name = "collection",
    description = "Collections and their schemas.",
    subcommands = {CollectionCommands.Create.class})
final class CollectionCommands implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(AeroCli.root(spec).err);
    return ExitCodes.USAGE;
  }

  @Command(name = "create", description = "Create a collection with its first (mandatory) schema.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--schema",
        required = true,
        description =
            "The schema JSON: {\"fields\": {\"_id\": {\"type\": \"string\", \"required\": true}, ...}}")
    String schema;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        WriteReply r = c.createCollection(name, schema);
        if (root.json) {
          Out.object()
              .put("op", "collection create")
              .put("collection", name)
              .put("commitIndex", r.getCommitIndex())
              .put("schemaVersion", r.getSchemaVersion())
              .put("deduplicated", r.getDeduplicated())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.println(
              "created collection "
                  + name
                  + " (schema version "
                  + r.getSchemaVersion()
                  + ") at commit index "
                  + r.getCommitIndex());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }
}
