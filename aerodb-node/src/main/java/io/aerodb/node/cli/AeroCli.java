package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    description = "AeroDB: a strict, deterministic JSON document store replicated with Raft.")
public final class AeroCli implements Callable<Integer> {
  /**
   * The commands by name, in the order of the usage text. A command line that names one builds only
   * that one (picocli reflects over a command's options when it is added: the whole tree costs a
   * tenth of a second of a short command's start); any other command line gets them all.
   */
  static final Map<String, Class<?>> COMMANDS = commands();

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("collection", CollectionCommands.class);
    m.put("insert", DocumentCommands.Insert.class);
    m.put("update", DocumentCommands.Update.class);
    m.put("delete", DocumentCommands.Delete.class);
    m.put("get", DocumentCommands.Get.class);
    m.put("batch", BatchCommands.Batch.class);
    m.put("write-status", BatchCommands.WriteStatus.class);
    m.put("watch", WatchCommand.class);
    m.put("import", BulkCommands.Import.class);
    m.put("export", BulkCommands.Export.class);
    m.put("schema", SchemaCommands.class);
    m.put("index", IndexCommands.class);
    m.put("query", QueryCommands.Query.class);
    m.put("explain", QueryCommands.Explain.class);
    m.put("cluster", ClusterCommands.class);
    m.put("node", NodeCommand.class);
    m.put("backup", BackupCommands.Backup.class);
    m.put("restore", BackupCommands.Restore.class);
    m.put("verify", BackupCommands.VerifyDataDir.class);
    m.put("unsafe-recover", UnsafeRecoverCommand.class);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Commands that may open a node's storage in this process (RocksDB, the Raft log; {@code backup
   * verify} opens the backup's store): their libraries' errors are logged to stderr. Every other
   * command only talks to a cluster over gRPC and logs nothing (no logging backend is started: a
   * short command starts faster).
   */
  private static final Set<String> STORAGE_COMMANDS =
      Set.of("node", "backup", "restore", "verify", "unsafe-recover");

  /** The root options that take a value (how {@link #commandNamed} skips over them). */
  private static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--cluster", "--timeout");

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
    commandLine(this, null).usage(err);
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    boolean nodeProcess = args.length > 0 && args[0].equals("node");
    if (!nodeProcess) {
      String named = commandNamed(args);
      if (named != null
          && !STORAGE_COMMANDS.contains(named)
          && System.getProperty("slf4j.provider") == null) {
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN");
      } else if (System.getProperty("logback.configurationFile") == null) {
        System.setProperty("logback.configurationFile", "aerodb-cli-logback.xml");
      }
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
    CommandLine cl = commandLine(root, commandNamed(args));
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

  /** The command tree: only command {@code only} under the root, or every command if null. */
  private static CommandLine commandLine(AeroCli root, String only) {
    CommandLine cl = new CommandLine(root);
    for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
      if (only == null || only.equals(c.getKey())) {
        cl.addSubcommand(c.getKey(), c.getValue());
      }
    }
    return cl;
  }

  /**
   * The command a command line names: its first word that is not a root option or an option's
   * value, if that word is a command; else null (usage, an unknown command: the whole tree).
   */
  static String commandNamed(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return null;
      }
      if (a.startsWith("-")) {
        if (ROOT_OPTIONS_WITH_VALUE.contains(a)) {
          i++; // its value
        }
        continue;
      }
      return COMMANDS.containsKey(a) ? a : null;
    }
    return null;
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
