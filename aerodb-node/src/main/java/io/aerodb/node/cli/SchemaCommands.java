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

/** schema publish. */
@Command(
    name = "schema",
    description = "Schema versions of a collection.",
    subcommands = {SchemaCommands.Publish.class})
final class SchemaCommands implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(AeroCli.root(spec).err);
    return ExitCodes.USAGE;
  }

  @Command(
      name = "publish",
      description =
          "Publish a new, immutable schema version. New writes validate against it; stored"
              + " documents keep the version they were written under.")
  static final class Publish implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Option(names = "--schema", required = true, description = "The schema JSON (SPEC §1).")
    String schema;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        WriteReply r = c.publishSchema(collection, schema);
        if (root.json) {
          Out.object()
              .put("op", "schema publish")
              .put("collection", collection)
              .put("schemaVersion", r.getSchemaVersion())
              .put("commitIndex", r.getCommitIndex())
              .put("deduplicated", r.getDeduplicated())
              .put("nodeId", r.getNodeId())
              .print(root.out);
        } else {
          root.out.println(
              "published schema version "
                  + r.getSchemaVersion()
                  + " of "
                  + collection
                  + " at commit index "
                  + r.getCommitIndex());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }
}
