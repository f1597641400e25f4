package io.aerodb.node.cli;

import io.aerodb.core.error.AeroError;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.config.NodeConfigLoader;
import io.aerodb.node.server.AeroNode;
import io.aerodb.node.server.StartFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aerodb node --config FILE}: runs a node in the foreground until SIGTERM/SIGINT. A config
 * refusal exits 5 before any data file is touched; so does a fatal error later (a supervisor
 * restarts the process).
 */
@Command(name = "node", description = "Run an AeroDB node from its config file (foreground).")
final class NodeCommand implements Callable<Integer> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, description = "The node config file (JSON).")
  Path config;

  @Override
  public Integer call() throws Exception {
    AeroCli root = AeroCli.root(spec);
    NodeConfig cfg;
    AeroNode node;
    try {
      cfg = NodeConfigLoader.load(config);
    } catch (ConfigException e) {
      return refused(root, e.error());
    }
    try {
      node = AeroNode.start(cfg, NodeCommand::halt);
    } catch (ConfigException e) {
      return refused(root, e.error());
    } catch (IOException | RuntimeException e) {
      // the data could not be opened: named (corruption or I/O), never a bare stack trace
      AeroError err = StartFailure.classify(e, cfg.dataDir(), cfg.clusterName());
      LOG.atError()
          .addKeyValue("event", "FATAL")
          .addKeyValue("code", err.code().name())
          .addKeyValue("reason", err.message())
          .addKeyValue("details", err.details().toString())
          .log("FATAL at start: {}", err);
      printError(root, err);
      return ExitCodes.FATAL;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close();
                  stopped.countDown();
                },
                "aerodb-shutdown"));
    node.terminated()
        .thenAccept(
            reason -> {
              LOG.atInfo()
                  .addKeyValue("event", "STOPPED")
                  .addKeyValue("reason", reason)
                  .log("node {} stopped: {}", cfg.nodeId(), reason);
              System.exit(ExitCodes.OK);
            });
    LOG.atInfo()
        .addKeyValue("event", "PROCESS")
        .addKeyValue("pid", ProcessHandle.current().pid())
        .log("node {} runs as pid {}", cfg.nodeId(), ProcessHandle.current().pid());
    stopped.await();
    return ExitCodes.OK;
  }

  /** A refusal before any data file is touched (the config or the data directory's identity). */
  private static int refused(AeroCli root, AeroError err) {
    printError(root, err);
    LOG.atError()
        .addKeyValue("event", "CONFIG_REFUSED")
        .addKeyValue("code", err.code().name())
        .addKeyValue("details", err.details().toString())
        .log("refusing to start: {}", err);
    return ExitCodes.FATAL;
  }

  private static void printError(AeroCli root, AeroError err) {
    if (root.json) {
      Out.error(err).print(root.out);
    }
  }

  /**
   * The process-level fatal handler: the node stops serving, so the process ends and can be
   * restarted.
   */
  private static void halt(AeroError error) {
    LOG.atError()
        .addKeyValue("event", "EXIT")
        .addKeyValue("code", error.code().name())
        .log("FATAL {}; exiting", error);
    System.err.flush();
    Runtime.getRuntime().halt(ExitCodes.FATAL);
  }
}
