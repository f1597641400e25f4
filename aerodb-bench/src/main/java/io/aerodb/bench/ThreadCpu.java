package io.aerodb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    Map<String, Map<Long, ProcCpu.Switches>> switchesBefore = new HashMap<>();
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      before.put(p.getKey(), ticks(p.getValue()));
      totalsBefore.put(p.getKey(), totals(p.getValue()));
      switchesBefore.put(p.getKey(), ProcCpu.threadSwitches(p.getValue()));
    }
    long t0 = System.nanoTime();
    Thread.sleep((long) (secs * 1000));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    // every process's end of the window first; naming (jcmd, a process start) only after
    Map<String, Map<Long, Long>> after = new HashMap<>();
    Map<String, long[]> totalsAfter = new HashMap<>();
    Map<String, ProcCpu.Switches> switches = new HashMap<>();
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      after.put(p.getKey(), ticks(p.getValue()));
      totalsAfter.put(p.getKey(), totals(p.getValue()));
      switches.put(
          p.getKey(),
          ProcCpu.switchesBetween(
              switchesBefore.get(p.getKey()), ProcCpu.threadSwitches(p.getValue())));
    }
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      long[] u1 = totalsAfter.get(p.getKey());
      long[] u0 = totalsBefore.get(p.getKey());
      Map<String, Long> groups =
          groupTicks(p.getValue(), before.get(p.getKey()), after.get(p.getKey()));
      double total = 0;
      JsonLine threads = new JsonLine();
      for (Map.Entry<String, Long> e : largestFirst(groups)) {
        double pct = e.getValue() / 100.0 / elapsed * 100.0;
        total += pct;
        if (pct >= 0.5) {
          threads.put(e.getKey(), pct);
        }
      }
      ProcCpu.Switches sw = switches.get(p.getKey());
      System.out.println(
          JsonLine.of("type", "thread_cpu")
              .put("process", p.getKey())
              .put("pid", p.getValue())
              .put("seconds", elapsed)
              .put("cpu_pct", total)
              .put("user_pct", (u1[0] - u0[0]) / elapsed)
              .put("sys_pct", (u1[1] - u0[1]) / elapsed)
              .put("context_switches_per_s", sw.total() / elapsed)
              .put("voluntary_switches_per_s", sw.voluntary() / elapsed)
              .put("threads_pct", threads));
    }
  }

  /**
   * {user ticks, system ticks} of the whole process (/proc/PID/stat: threads that ended included).
   */
  private static long[] totals(long pid) throws IOException {
    String s = Files.readString(Path.of("/proc", "" + pid, "stat"), StandardCharsets.ISO_8859_1);
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }

  /**
   * The CPU ticks (1/100 s) each thread group of {@code pid} used between two {@link #ticks}
   * readings: threads named from {@code jcmd PID Thread.print} (a thread it does not list, or a
   * process that is no HotSpot JVM, by its Linux {@code comm}), names normalized by {@link
   * JfrTop#normalize} so that a pool's threads form one group. A thread that ended in between is
   * not counted; one that started in between (or reused an ended one's id) counts all its ticks.
   */
  static Map<String, Long> groupTicks(long pid, Map<Long, Long> before, Map<Long, Long> after)
      throws IOException, InterruptedException {
    Map<Long, String> names = names(pid);
    Map<String, Long> groups = new TreeMap<>();
    for (Map.Entry<Long, Long> t : after.entrySet()) {
      long d = t.getValue() - before.getOrDefault(t.getKey(), 0L);
      if (d < 0) {
        d = t.getValue(); // a new thread with an ended one's id
      }
      String name = names.getOrDefault(t.getKey(), "(unnamed " + comm(pid, t.getKey()) + ")");
      groups.merge(JfrTop.normalize(name), d, Long::sum);
    }
    return groups;
  }

  /**
   * µs of CPU per operation of each group in {@code groupTicks} over {@code operations}, largest
   * first (ties by name); groups under 1 µs per operation are left out.
   */
  static JsonLine perOperation(Map<String, Long> groupTicks, long operations) {
    JsonLine out = new JsonLine();
    for (Map.Entry<String, Long> e : largestFirst(groupTicks)) {
      double us = e.getValue() * 10_000.0 / operations; // a tick is 10,000 µs
      if (us >= 1) {
        out.put(e.getKey(), Math.round(us * 10) / 10.0);
      }
    }
    return out;
  }

  private static List<Map.Entry<String, Long>> largestFirst(Map<String, Long> groups) {
    List<Map.Entry<String, Long>> l = new ArrayList<>(groups.entrySet());
    l.sort(
        Map.Entry.<String, Long>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    return l;
  }

  /** CPU ticks (1/100 s) per live thread of {@code pid}, by Linux thread id. */
  static Map<Long, Long> ticks(long pid) throws IOException {
    Map<Long, Long> m = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", "" + pid, "task"))) {
      for (Path t : ds) {
        try {
          String s = Files.readString(t.resolve("stat"), StandardCharsets.ISO_8859_1);
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

  /**
   * Java thread names by Linux thread id, from {@code jcmd PID Thread.print}; empty for a process
   * that is no HotSpot JVM (jcmd would send it SIGQUIT, which ends a Go program such as etcd) and
   * when jcmd does not answer within 30 s.
   */
  private static Map<Long, String> names(long pid) throws IOException, InterruptedException {
    if (!isHotSpot(pid)) {
      return Map.of();
    }
    Path out = Files.createTempFile("aerodb-threadcpu-", ".txt");
    try {
      Process p =
          new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Map.of();
      }
      Map<Long, String> m = new HashMap<>();
      for (String line : new String(Files.readAllBytes(out), StandardCharsets.UTF_8).split("\n")) {
        Matcher mm = THREAD.matcher(line);
        if (mm.find()) {
          String nid = mm.group(2);
          long tid =
              nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
          m.put(tid, mm.group(1));
        }
      }
      return m;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Whether {@code pid} runs a HotSpot JVM: its memory maps hold {@code libjvm.so}. */
  static boolean isHotSpot(long pid) {
    try (Stream<String> maps =
        Files.lines(Path.of("/proc", Long.toString(pid), "maps"), StandardCharsets.ISO_8859_1)) {
      return maps.anyMatch(l -> l.endsWith("/libjvm.so"));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  static String pct(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }
}
