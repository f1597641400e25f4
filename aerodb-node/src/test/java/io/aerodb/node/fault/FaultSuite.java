package io.aerodb.node.fault;

import io.aerodb.node.raft.RedGate;
import io.aerodb.node.testing.PowerDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The long profile of the fault harness, run by {@code scripts/fault-suite.sh} (docs/TESTING.md):
 * the scenarios in turn, each run with the next seed, until the minutes are up. One summary line
 * per run; the histories, fault events and node logs of every failed run are kept under {@code
 * --keep} (default var/fault-suite/&lt;scenario&gt;-seed&lt;S&gt;/). Exits 1 if any run failed.
 *
 * <pre>
 * FaultSuite --minutes N --seed S [--nodes 3|5] [--scenario NAME|PREFIX*] [--disk lazy|strict|lying|slow|slow_log]
 *            [--run-seconds T] [--keep DIR]
 * </pre>
 */
public final class FaultSuite {
  private FaultSuite() {}

  public static void main(String[] args) throws Exception {
    double minutes = 10;
    long seed = 1;
    int nodes = 3;
    int runSeconds = 45;
    String only = null;
    PowerDisk.Mode disk = PowerDisk.Mode.LAZY;
    Path keep = Path.of("var", "fault-suite");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--minutes" -> minutes = Double.parseDouble(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--nodes" -> nodes = Integer.parseInt(value);
        case "--scenario" -> only = value;
        case "--disk" -> disk = PowerDisk.Mode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        case "--run-seconds" -> runSeconds = Integer.parseInt(value);
        case "--keep" -> keep = Path.of(value);
        case "--help", "-h" -> {
          usage();
          return;
        }
        default -> {
          System.err.println("unknown argument " + args[i]);
          usage();
          System.exit(2);
        }
      }
      i++;
    }
    if (nodes != 3 && nodes != 5) {
      System.err.println("--nodes must be 3 or 5 (the cluster sizes AeroDB supports)");
      System.exit(2);
    }
    if (runSeconds < 15 || runSeconds > 600) {
      System.err.println("--run-seconds must be between 15 and 600");
      System.exit(2);
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (Scenario s : Scenario.values()) {
      if ((only == null || matches(s.id, only)) && s.minNodes <= nodes) {
        scenarios.add(s);
      }
    }
    if (scenarios.isEmpty()) {
      System.err.println(
          "no scenario "
              + only
              + " runs on "
              + nodes
              + " nodes; scenarios: "
              + String.join(", ", Scenario.ids()));
      System.exit(2);
    }

    long end = System.nanoTime() + (long) (minutes * 60e9);
    Path work = Files.createTempDirectory("aerodb-fault-suite-");
    int runs = 0;
    int failed = 0;
    long longest = 0;
    for (int k = 0; System.nanoTime() < end; k++) {
      Scenario scenario = scenarios.get(k % scenarios.size());
      long runSeed = seed + k;
      Path runDir = work.resolve("run-" + k);
      String line;
      boolean passed;
      FaultRun.Result result = null;
      try {
        result =
            FaultRun.run(
                new FaultRun.Spec(
                    scenario,
                    nodes,
                    runSeed,
                    Duration.ofSeconds(runSeconds),
                    RedGate.NONE,
                    runDir,
                    disk));
        line = result.summaryLine();
        passed = result.passed();
        longest = Math.max(longest, result.longestUnavailableMs());
      } catch (Exception | AssertionError e) {
        line =
            "scenario="
                + scenario.id
                + " nodes="
                + nodes
                + " seed="
                + runSeed
                + " verdict=FAIL error="
                + String.valueOf(e).replace('\n', ' ');
        passed = false;
      }
      runs++;
      System.out.println(line);
      if (!passed) {
        failed++;
        Path kept = keep.resolve(scenario.id + "-nodes" + nodes + "-seed" + runSeed);
        if (result != null) {
          result.violations().forEach(v -> System.out.println("  violation: " + v));
          result.save(kept);
        }
        copyLogs(runDir, kept);
        System.out.println("  kept in " + kept);
      }
      deleteTree(runDir);
    }
    deleteTree(work);
    System.out.printf(
        "suite nodes=%d seed=%d minutes=%s disk=%s runs=%d passed=%d failed=%d"
            + " longest_unavailable_ms=%d%n",
        nodes, seed, minutes, disk, runs, runs - failed, failed, longest);
    System.exit(failed == 0 ? 0 : 1);
  }

  /** A scenario name, or a prefix ending in "*" ({@code power-cut-*}). */
  static boolean matches(String id, String pattern) {
    return pattern.endsWith("*")
        ? id.startsWith(pattern.substring(0, pattern.length() - 1))
        : id.equals(pattern);
  }

  private static void usage() {
    System.err.println(
        "usage: scripts/fault-suite.sh --minutes N --seed S [--nodes 3|5] [--scenario NAME|PREFIX*]"
            + " [--disk lazy|strict|lying|slow|slow_log] [--run-seconds T] [--keep DIR]\nscenarios: "
            + String.join(", ", Scenario.ids()));
  }

  private static void copyLogs(Path runDir, Path kept) throws IOException {
    if (!Files.isDirectory(runDir)) {
      return;
    }
    Files.createDirectories(kept);
    try (Stream<Path> files = Files.walk(runDir, 2)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        Files.copy(
            p, kept.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
