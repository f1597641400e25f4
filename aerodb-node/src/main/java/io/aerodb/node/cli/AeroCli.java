package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code aerodb} command. Contract (README, "The aerodb command"): with {@code --json} every
 * command prints exactly one JSON object on stdout — the result, or {@code {"error": {...}}} — and
 * exits 0 on success, non-zero on error (see {@link ExitCodes}). Logs never go to stdout.
 */
@Command(
    name = "aerodb",
    mixinStandardHelpOptions = true,
    version = "aerodb 0.1.0",
    description = "AeroDB: a strict, deterministic JSON document store replicated with Raft.",
    subcommands = {
      CollectionCommands.class,
      DocumentCommands.Insert.class,
      DocumentCommands.Update.class,
      DocumentCommands.Delete.class,
      DocumentCommands.Get.class,
      BatchCommands.Batch.class,
      BatchCommands.WriteStatus.class,
      WatchCommand.class,
      BulkCommands.Import.class,
      BulkCommands.Export.class,
      SchemaCommands.class,
      IndexCommands.class,
      QueryCommands.Query.class,
      QueryCommands.Explain.class,
      ClusterCommands.class,
      NodeCommand.class,
      BackupCommands.Backup.class,
      BackupCommands.Restore.class,
      BackupCommands.VerifyDataDir.class,
      UnsafeRecoverCommand.class
    })
public final class AeroCli implements Callable<Integer> {
  @Option(
      names = "--cluster",
      scope = ScopeType.INHERIT,
      description = "API endpoints host:port,... (default: $AERODB_CLUSTER)")
  String cluster;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print exactly one JSON object on stdout.")
  boolean json;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      description =
          "How long a command may take, e.g. 500ms, 15s, 2m (default 15s; for transfer-leader: the"
              + " transfer's bound, default 5s).")
  String timeout;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    new CommandLine(this).usage(err);
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    boolean nodeProcess = args.length > 0 && args[0].equals("node");
    if (!nodeProcess && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "aerodb-cli-logback.xml");
    }
    int code = run(args, System.out, System.err);
    if (!nodeProcess || code != ExitCodes.OK) {
      System.exit(code);
    }
  }

  /** Runs a command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    AeroCli root = new AeroCli();
    root.out = out;
    root.err = err;
    CommandLine cl = new CommandLine(root);
    cl.setOut(new java.io.PrintWriter(err, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          if (List.of(a).contains("--json")) {
            Out.object()
                .put(
                    "error",
                    Out.object()
                        .put("code", "AERO_REQUEST_INVALID")
                        .put("severity", "REJECT")
                        .put("message", ex.getMessage())
                        .put("invariant", ""))
                .print(out);
          } else {
            err.println("error: " + ex.getMessage());
            ex.getCommandLine().usage(err);
          }
          return ExitCodes.USAGE;
        });
    return cl.execute(args);
  }

  static AeroCli root(CommandSpec spec) {
    return (AeroCli) spec.root().userObject();
  }

  List<String> endpoints() {
    String list = cluster != null ? cluster : System.getenv("AERODB_CLUSTER");
    if (list == null || list.isBlank()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "no cluster given: pass --cluster host:port,... or set AERODB_CLUSTER");
    }
    return AeroClient.parseEndpoints(list);
  }

  Duration timeout() {
    return timeout == null ? Duration.ofSeconds(15) : parseDuration(timeout, this);
  }

  /** "500ms", "15s", "2m" or plain seconds; a usage error otherwise. */
  static Duration parseDuration(String text, AeroCli root) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(
            (long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
      }
      return Duration.ofSeconds(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(root), "'" + text + "' is not a duration like 500ms, 15s or 2m");
    }
  }

  AeroClient client() {
    Duration d = timeout();
    return AeroClient.connect(endpoints(), new AeroClient.Options(d, d, 150));
  }

  /** Prints an error in the CLI's format and returns the exit code for it. */
  int fail(AeroClientException e) {
    if (json) {
      java.util.TreeMap<String, String> details = new java.util.TreeMap<>(e.details());
      String decision = details.remove("decision");
      Out error =
          Out.object()
              .put("code", e.code())
              .put("severity", e.severity())
              .put("message", e.detailMessage())
              .put("invariant", e.invariant())
              .putStrings("details", details);
      if (decision != null) {
        error.put("decision", PromotionCommands.json(decision));
      }
      if (!e.leaderAddress().isEmpty()) {
        error.put("leaderAddress", e.leaderAddress()).put("leaderId", e.leaderId());
      }
      if (!e.nodeId().isEmpty()) {
        error.put("nodeId", e.nodeId());
      }
      Out.object().put("error", error).print(out);
    } else {
      String inv = e.invariant().isEmpty() ? "" : " [" + e.invariant() + "]";
      err.println("error " + e.code() + inv + ": " + e.detailMessage());
      e.details()
          .forEach(
              (k, v) -> {
                if (!k.equals("decision")) {
                  err.println("  " + k + ": " + v);
                }
              });
      if (e.details().containsKey("decision")) {
        err.println("  checks:");
        PromotionCommands.printChecks(err, e.details().get("decision"));
      }
      if (!e.leaderAddress().isEmpty()) {
        err.println("  leader: " + e.leaderId() + " at " + e.leaderAddress());
      }
    }
    return ExitCodes.forSeverity(e.code(), e.severity());
  }
}
