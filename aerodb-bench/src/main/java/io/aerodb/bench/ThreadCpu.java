package io.aerodb.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU per thread of a running JVM over a window: reads /proc/PID/task/TID/stat twice and names the
 * threads from {@code jcmd PID Thread.print} (nid = Linux TID), so Ratis' threads (log worker,
 * appenders, state-machine updater) and gRPC's pools show with their full names. Names are
 * normalized (digits dropped, the Raft group id shortened) and summed per group.
 *
 * <p>Usage: {@code ThreadCpu SECONDS LABEL=PID [LABEL=PID...]} — prints one JSON line per process.
 */
public final class ThreadCpu {
  private ThreadCpu() {}

  private static final Pattern THREAD = Pattern.compile("^\"(.*)\" .*nid=(0x[0-9a-f]+|[0-9]+)");

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ThreadCpu SECONDS LABEL=PID [LABEL=PID...]");
      System.exit(2);
    }
    double secs = Double.parseDouble(args[0]);
    if (secs <= 0 || secs > 600) {
      throw new IllegalArgumentException("SECONDS must be in (0, 600]");
    }
    Map<String, Long> pids = new java.util.LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      pids.put(kv[0], Long.parseLong(kv[1]));
    }
    Map<String, Map<Long, Long>> before = new HashMap<>();
    Map<String, long[]> totalsBefore = new HashMap<>();
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      before.put(p.getKey(), ticks(p.getValue()));
      totalsBefore.put(p.getKey(), totals(p.getValue()));
    }
    long t0 = System.nanoTime();
    Thread.sleep((long) (secs * 1000));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      Map<Long, Long> after = ticks(p.getValue());
      long[] u1 = totals(p.getValue());
      long[] u0 = totalsBefore.get(p.getKey());
      Map<Long, String> names = names(p.getValue());
      Map<String, Double> groups = new HashMap<>();
      double total = 0;
      for (Map.Entry<Long, Long> t : after.entrySet()) {
        long d = t.getValue() - before.get(p.getKey()).getOrDefault(t.getKey(), 0L);
        double pct = d / 100.0 / elapsed * 100.0;
        total += pct;
        String name =
            names.getOrDefault(t.getKey(), "(unnamed " + comm(p.getValue(), t.getKey()) + ")");
        groups.merge(JfrTop.normalize(name), pct, Double::sum);
      }
      List<Map.Entry<String, Double>> l = new ArrayList<>(groups.entrySet());
      l.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
      JsonLine threads = new JsonLine();
      for (Map.Entry<String, Double> e : l) {
        if (e.getValue() >= 0.5) {
          threads.put(e.getKey(), e.getValue());
        }
      }
      System.out.println(
          JsonLine.of("type", "thread_cpu")
              .put("process", p.getKey())
              .put("pid", p.getValue())
              .put("seconds", elapsed)
              .put("cpu_pct", total)
              .put("user_pct", (u1[0] - u0[0]) / elapsed)
              .put("sys_pct", (u1[1] - u0[1]) / elapsed)
              .put("context_switches_per_s", (u1[2] - u0[2]) / elapsed)
              .put("threads_pct", threads));
    }
  }

  /**
   * {user ticks, system ticks, voluntary + involuntary context switches} summed over the process's
   * live threads.
   */
  private static long[] totals(long pid) throws IOException {
    long[] t = new long[3];
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", "" + pid, "task"))) {
      for (Path task : ds) {
        try {
          String s = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          t[0] += Long.parseLong(f[11]);
          t[1] += Long.parseLong(f[12]);
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              t[2] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    }
    return t;
  }

  private static Map<Long, Long> ticks(long pid) throws IOException {
    Map<Long, Long> m = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", "" + pid, "task"))) {
      for (Path t : ds) {
        try {
          String s = Files.readString(t.resolve("stat"), StandardCharsets.US_ASCII);
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          m.put(
              Long.parseLong(t.getFileName().toString()),
              Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    }
    return m;
  }

  private static String comm(long pid, long tid) {
    try {
      return Files.readString(Path.of("/proc", "" + pid, "task", "" + tid, "comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static Map<Long, String> names(long pid) throws IOException, InterruptedException {
    Map<Long, String> m = new HashMap<>();
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Matcher mm = THREAD.matcher(line);
        if (mm.find()) {
          String nid = mm.group(2);
          long tid =
              nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
          m.put(tid, mm.group(1));
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return m;
  }

  static String pct(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }
}
