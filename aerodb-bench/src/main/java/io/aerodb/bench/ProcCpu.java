package io.aerodb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU accounting from /proc (Linux), so every measurement records how busy the machine was and who
 * used it. This machine has 2 cores and is shared: a row measured while another job used a core is
 * not comparable, so each row carries the CPU that "foreign" processes used during it.
 *
 * <p>A process is <em>ours</em> if it is this JVM, one of the given server PIDs, a descendant of a
 * scope PID (the bench script), or its command line (or an ancestor's) contains one of the markers
 * (e.g. the bench data directory, which appears in every AeroDB node's and etcd member's command
 * line). Kernel threads (empty command line) are counted apart. Ticks are
 * utime+stime+cutime+cstime, so a short foreign job that starts and ends between two snapshots is
 * still charged to its (foreign) parent once reaped; a process that appears between snapshots is
 * charged all its ticks.
 */
final class ProcCpu {
  private static final Path PROC = Path.of("/proc");
  private static final double HZ = 100.0; // USER_HZ is 100 on every Linux ABI we run on
  private final List<String> markers;
  private final List<Long> scopePids;
  private final long self = ProcessHandle.current().pid();

  ProcCpu(List<String> markers, List<Long> scopePids) {
    this.markers = markers;
    this.scopePids = scopePids;
  }

  /** One process in a snapshot. */
  record Proc(long ppid, String cmdline, long ticks, long ownTicks) {}

  /** A point-in-time view of all processes and the machine's CPU counters. */
  record Snapshot(long nanos, Map<Long, Proc> procs, long cpuTotal, long cpuIdle) {}

  /** The CPU used between two snapshots, in percent of one core. */
  record Usage(
      double seconds,
      double busyPct,
      double foreignPct,
      double oursPct,
      double kernelPct,
      Map<Long, Double> perPidPct,
      String topForeign) {}

  Snapshot snapshot() {
    Map<Long, Proc> procs = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"), StandardCharsets.US_ASCII);
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // f[0]=state f[1]=ppid ... f[11]=utime f[12]=stime f[13]=cutime f[14]=cstime
          long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          long ticks = own + Long.parseLong(f[13]) + Long.parseLong(f[14]);
          byte[] cmd = Files.readAllBytes(p.resolve("cmdline"));
          String cmdline = new String(cmd, StandardCharsets.UTF_8).replace('\0', ' ').trim();
          procs.put(Long.parseLong(name), new Proc(Long.parseLong(f[1]), cmdline, ticks, own));
        } catch (IOException | RuntimeException gone) {
          // the process exited while we looked
        }
      }
    } catch (IOException e) {
      return new Snapshot(System.nanoTime(), procs, 0, 0);
    }
    long total = 0;
    long idle = 0;
    try {
      String cpu = Files.readAllLines(PROC.resolve("stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    } catch (IOException | RuntimeException e) {
      // leave zero: busy% is then unknown
    }
    return new Snapshot(System.nanoTime(), procs, total, idle);
  }

  private String classify(long pid, Map<Long, Proc> procs, Map<Long, String> cache, int depth) {
    String c = cache.get(pid);
    if (c != null) {
      return c;
    }
    Proc p = procs.get(pid);
    if (p == null) {
      return "foreign";
    }
    if (pid == self || markers.stream().anyMatch(m -> !m.isEmpty() && p.cmdline().contains(m))) {
      c = "ours";
    } else if (p.cmdline().isEmpty()) {
      c = "kernel";
    } else if (p.ppid() > 1 && depth < 64 && procs.containsKey(p.ppid())) {
      c = classify(p.ppid(), procs, cache, depth + 1);
      if (c.equals("kernel")) {
        c = "foreign";
      }
    } else {
      c = "foreign";
    }
    cache.put(pid, c);
    return c;
  }

  Usage usage(Snapshot a, Snapshot b, List<Long> ownPids) {
    double secs = Math.max(1e-3, (b.nanos() - a.nanos()) / 1e9);
    Map<Long, String> cache = new HashMap<>();
    for (long pid : ownPids) {
      cache.put(pid, "ours");
    }
    for (long pid : scopePids) {
      cache.put(pid, "ours");
    }
    double foreign = 0;
    double ours = 0;
    double kernel = 0;
    Map<Long, Double> perPid = new HashMap<>();
    StringBuilder top = new StringBuilder();
    for (Map.Entry<Long, Proc> e : b.procs().entrySet()) {
      Proc before = a.procs().get(e.getKey());
      long dt = e.getValue().ticks() - (before == null ? 0 : before.ticks());
      double pct = 100.0 * dt / HZ / secs;
      String c = classify(e.getKey(), b.procs(), cache, 0);
      switch (c) {
        case "ours" -> ours += pct;
        case "kernel" -> kernel += pct;
        default -> {
          foreign += pct;
          if (pct >= 5) {
            String cmd = e.getValue().cmdline();
            top.append(top.length() == 0 ? "" : "; ")
                .append(e.getKey())
                .append(' ')
                .append(cmd, 0, Math.min(60, cmd.length()))
                .append(String.format(java.util.Locale.ROOT, " %.0f%%", pct));
          }
        }
      }
      if (ownPids.contains(e.getKey()) || e.getKey() == self) {
        long own = e.getValue().ownTicks() - (before == null ? 0 : before.ownTicks());
        perPid.put(e.getKey(), 100.0 * own / HZ / secs);
      }
    }
    long dTotal = b.cpuTotal() - a.cpuTotal();
    long dIdle = b.cpuIdle() - a.cpuIdle();
    int cores = Runtime.getRuntime().availableProcessors();
    double busy = dTotal > 0 ? 100.0 * cores * (1.0 - (double) dIdle / dTotal) : Double.NaN;
    return new Usage(secs, busy, foreign, ours, kernel, perPid, top.toString());
  }

  /**
   * CPU ticks (utime+stime) of a JVM's JIT compiler threads ("C1/C2 CompilerThread"), from
   * /proc/PID/task/TID/comm; 0 if the process is gone.
   */
  static long jitTicks(long pid) {
    long t = 0;
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
      for (Path task : ds) {
        try {
          String comm = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII);
          if (!comm.contains("CompilerThre")) {
            continue;
          }
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          t += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return t;
  }

  /**
   * A thread's context switches: voluntary (it waited — for a lock, a queue, I/O, another thread:
   * the hand-offs) and involuntary (it was preempted).
   */
  record Switches(long voluntary, long involuntary) {
    static final Switches NONE = new Switches(0, 0);

    long total() {
      return voluntary + involuntary;
    }

    Switches plus(Switches o) {
      return new Switches(voluntary + o.voluntary, involuntary + o.involuntary);
    }

    Switches minus(Switches o) {
      return new Switches(voluntary - o.voluntary, involuntary - o.involuntary);
    }
  }

  /**
   * The context switches of each live thread of {@code pid}, by Linux thread id; empty if the
   * process is gone.
   */
  static Map<Long, Switches> threadSwitches(long pid) {
    Map<Long, Switches> m = new HashMap<>();
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
      for (Path task : ds) {
        try {
          long voluntary = -1;
          long involuntary = -1;
          // ISO-8859-1: a thread's name may hold any byte
          for (String line :
              Files.readAllLines(task.resolve("status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          if (voluntary >= 0 && involuntary >= 0) {
            m.put(
                Long.parseLong(task.getFileName().toString()),
                new Switches(voluntary, involuntary));
          }
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    } catch (IOException gone) {
      return Map.of();
    }
    return m;
  }

  /**
   * The switches between two {@link #threadSwitches} readings, thread by thread: a thread alive at
   * both counts its difference, one that started in between all of its count, one that ended in
   * between nothing (nor its id, if a new thread reused it) — a lower bound, never negative.
   */
  static Switches switchesBetween(Map<Long, Switches> before, Map<Long, Switches> after) {
    Switches sum = Switches.NONE;
    for (Map.Entry<Long, Switches> t : after.entrySet()) {
      Switches now = t.getValue();
      Switches then = before.getOrDefault(t.getKey(), Switches.NONE);
      boolean sameThread =
          now.voluntary() >= then.voluntary() && now.involuntary() >= then.involuntary();
      sum =
          sum.plus(
              sameThread ? now.minus(then) : now); // else a new thread reusing an ended one's id
    }
    return sum;
  }

  /** Ticks to percent of one core over {@code seconds}. */
  static double ticksToPct(long ticks, double seconds) {
    return 100.0 * ticks / HZ / seconds;
  }

  /** Resident set size of a process in MiB (VmRSS), or -1. */
  static double rssMib(long pid, String field) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
        if (line.startsWith(field + ":")) {
          String[] f = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(f[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
