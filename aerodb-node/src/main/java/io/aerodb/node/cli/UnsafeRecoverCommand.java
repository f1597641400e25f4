package io.aerodb.node.cli;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.config.NodeConfigLoader;
import io.aerodb.node.recover.UnsafeRecovery;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aerodb unsafe-recover --config n1.json [--config n2.json ...] --confirm-overrides
 * P6-A1,P6-S1}: offline recovery of a cluster that lost its majority for good (see UnsafeRecovery).
 * Without the confirmation it only prints the plan and refuses (exit 5).
 */
@Command(
    name = "unsafe-recover",
    description =
        "OFFLINE: make the most up-to-date stopped survivor the only voter of a cluster that lost its majority"
            + " for good. Overrides P6-A1,P6-S1; audited.")
final class UnsafeRecoverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      description = "A surviving node's config file (repeat).")
  List<Path> configs = new ArrayList<>();

  @Option(
      names = "--confirm-overrides",
      description =
          "Must be exactly " + UnsafeRecovery.OVERRIDES + ": the invariants this overrides.")
  String confirm;

  @Option(names = "--dry-run", description = "Only show the plan.")
  boolean dryRun;

  @Override
  public Integer call() {
    AeroCli root = AeroCli.root(spec);
    try {
      List<NodeConfig> survivors = new ArrayList<>();
      for (Path p : configs) {
        survivors.add(NodeConfigLoader.load(p));
      }
      UnsafeRecovery.Plan plan = UnsafeRecovery.plan(survivors);
      if (!dryRun) {
        plan = UnsafeRecovery.apply(plan, confirm, System.getProperty("user.name", "unknown"));
      }
      if (root.json) {
        root.out.println(CanonicalJson.toText(plan.toJson()));
      } else {
        root.out.println(
            (plan.applied() ? "recovered: " : "plan: ") + CanonicalJson.toText(plan.toJson()));
        if (plan.applied()) {
          root.out.println(
              "start "
                  + plan.chosen().config().nodeId()
                  + " alone; it leads a one-voter cluster. Wipe the other survivors and add them back with"
                  + " cluster add-learner / promote.");
        }
      }
      return ExitCodes.OK;
    } catch (ConfigException e) {
      AeroError err = e.error();
      if (root.json) {
        Out.error(err).print(root.out);
      } else {
        root.err.println("refused " + err);
      }
      return ExitCodes.FATAL;
    }
  }
}
