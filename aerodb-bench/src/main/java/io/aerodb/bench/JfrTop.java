package io.aerodb.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes a JFR recording of a node for the bottleneck analysis (docs/PERFORMANCE.md): where the
 * CPU samples are (by thread group, by top frame, by "first AeroDB/Ratis/RocksDB/gRPC frame"), how
 * long fsyncs took (jdk.FileForce), lock contention (jdk.JavaMonitorEnter), GC pauses and JIT
 * compilations. Thread names are normalized (digits dropped) so pools group together.
 *
 * <p>Usage: {@code JfrTop recording.jfr [TOP [LAST_SECONDS]]} — prints plain text; LAST_SECONDS
 * keeps only the events of the recording's last seconds.
 */
public final class JfrTop {
  private JfrTop() {}

  private static final class Counts {
    final Map<String, Long> map = new HashMap<>();
    long total;

    void add(String k) {
      map.merge(k, 1L, Long::sum);
      total++;
    }

    List<Map.Entry<String, Long>> top(int n) {
      List<Map.Entry<String, Long>> l = new ArrayList<>(map.entrySet());
      l.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
      return l.subList(0, Math.min(n, l.size()));
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrTop recording.jfr [TOP [LAST_SECONDS]]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    // Only the last N seconds of the recording (a dump holds whole chunks, often more than asked).
    double lastS = args.length > 2 ? Double.parseDouble(args[2]) : 0;
    List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
    java.time.Instant cut = java.time.Instant.MIN;
    if (lastS > 0) {
      java.time.Instant end = java.time.Instant.MIN;
      for (RecordedEvent e : events) {
        if (e.getEndTime().isAfter(end)) {
          end = e.getEndTime();
        }
      }
      cut = end.minusMillis((long) (lastS * 1000));
    }
    Counts byThread = new Counts();
    Counts byFrame = new Counts();
    Counts byOwnFrame = new Counts();
    Counts byPackage = new Counts();
    Map<String, Counts> framesPerThread = new HashMap<>();
    // Inclusive: in how many samples of a thread does a method appear anywhere on the stack.
    Map<String, Counts> inclusivePerThread = new HashMap<>();
    List<Double> forceMs = new ArrayList<>();
    Map<String, Double> monitorMs = new HashMap<>();
    Map<String, Long> monitorN = new HashMap<>();
    double gcPauseMs = 0;
    long gcs = 0;
    double compileMs = 0;
    long compiles = 0;
    long nativeSamples = 0;
    Duration span = Duration.ZERO;
    java.time.Instant first = null;
    java.time.Instant last = null;

    for (RecordedEvent e : events) {
      if (e.getStartTime().isBefore(cut)) {
        continue;
      }
      String type = e.getEventType().getName();
      if (first == null || e.getStartTime().isBefore(first)) {
        first = e.getStartTime();
      }
      if (last == null || e.getEndTime().isAfter(last)) {
        last = e.getEndTime();
      }
      switch (type) {
        case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
          if (type.equals("jdk.NativeMethodSample")) {
            nativeSamples++;
            continue; // threads parked in native code (epoll, futex): not CPU
          }
          RecordedThread t = e.getThread("sampledThread");
          String tn = t == null ? "?" : normalize(t.getJavaName());
          byThread.add(tn);
          RecordedStackTrace st = e.getStackTrace();
          if (st == null || st.getFrames().isEmpty()) {
            continue;
          }
          String f0 = frame(st.getFrames().get(0));
          byFrame.add(f0);
          framesPerThread.computeIfAbsent(tn, k -> new Counts()).add(f0);
          byPackage.add(pkg(st.getFrames().get(0)));
          Counts inc = inclusivePerThread.computeIfAbsent(tn, k -> new Counts());
          java.util.Set<String> seen = new java.util.HashSet<>();
          for (RecordedFrame f : st.getFrames()) {
            String cls = f.getMethod().getType().getName();
            if ((cls.startsWith("io.aerodb.")
                    || cls.startsWith("org.apache.ratis.server")
                    || cls.startsWith("org.apache.ratis.grpc")
                    || cls.startsWith("io.grpc.stub")
                    || cls.startsWith("io.grpc.internal.ServerCallImpl")
                    || cls.startsWith("org.rocksdb."))
                && seen.add(frame(f))) {
              inc.map.merge(frame(f), 1L, Long::sum);
            }
          }
          inc.total++;
          for (RecordedFrame f : st.getFrames()) {
            String cls = f.getMethod().getType().getName();
            if (cls.startsWith("io.aerodb.")
                || cls.startsWith("org.apache.ratis.server")
                || cls.startsWith("org.apache.ratis.grpc")
                || cls.startsWith("org.rocksdb.")) {
              byOwnFrame.add(frame(f));
              break;
            }
          }
        }
        case "jdk.FileForce" -> forceMs.add(e.getDuration().toNanos() / 1e6);
        case "jdk.JavaMonitorEnter" -> {
          String cls =
              e.getClass("monitorClass") == null ? "?" : e.getClass("monitorClass").getName();
          monitorMs.merge(cls, e.getDuration().toNanos() / 1e6, Double::sum);
          monitorN.merge(cls, 1L, Long::sum);
        }
        case "jdk.GarbageCollection" -> {
          gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
          gcs++;
        }
        case "jdk.Compilation" -> {
          compileMs += e.getDuration().toNanos() / 1e6;
          compiles++;
        }
        default -> {}
      }
    }
    if (first != null) {
      span = Duration.between(first, last);
    }
    System.out.printf(
        Locale.ROOT,
        "recording %s: %.1f s, %d CPU samples (jdk.ExecutionSample), %d native samples%n",
        args[0],
        span.toMillis() / 1000.0,
        byThread.total,
        nativeSamples);
    print("CPU samples by thread (digits dropped)", byThread, top);
    print("CPU samples by top frame", byFrame, top);
    print("CPU samples by top-frame package", byPackage, top);
    print("CPU samples by first AeroDB/Ratis-server/RocksDB frame", byOwnFrame, top);
    for (Map.Entry<String, Long> t : byThread.top(6)) {
      print("  top frames of thread " + t.getKey(), framesPerThread.get(t.getKey()), 8);
    }
    for (Map.Entry<String, Long> t : byThread.top(4)) {
      print(
          "  inclusive (share of the thread's samples with the method on the stack): " + t.getKey(),
          inclusivePerThread.get(t.getKey()),
          18);
    }
    forceMs.sort(Double::compare);
    if (!forceMs.isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "%nfsync (jdk.FileForce events above the recording threshold): n=%d p50=%.2f ms p90=%.2f"
              + " ms max=%.2f ms%n",
          forceMs.size(),
          forceMs.get(forceMs.size() / 2),
          forceMs.get((int) (forceMs.size() * 0.9)),
          forceMs.get(forceMs.size() - 1));
    }
    if (!monitorMs.isEmpty()) {
      System.out.printf("%nmonitor contention (jdk.JavaMonitorEnter above threshold):%n");
      monitorMs.entrySet().stream()
          .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
          .limit(10)
          .forEach(
              m ->
                  System.out.printf(
                      Locale.ROOT,
                      "  %8.1f ms  %5d x  %s%n",
                      m.getValue(),
                      monitorN.get(m.getKey()),
                      m.getKey()));
    }
    System.out.printf(
        Locale.ROOT,
        "%nGC: %d collections, %.1f ms of pauses; JIT: %d compilations above threshold, %.1f ms%n",
        gcs,
        gcPauseMs,
        compiles,
        compileMs);
  }

  private static void print(String title, Counts c, int n) {
    if (c == null || c.total == 0) {
      return;
    }
    System.out.printf("%n%s:%n", title);
    for (Map.Entry<String, Long> e : c.top(n)) {
      System.out.printf(
          Locale.ROOT,
          "  %5.1f%% %6d  %s%n",
          100.0 * e.getValue() / c.total,
          e.getValue(),
          e.getKey());
    }
  }

  private static String frame(RecordedFrame f) {
    String cls = f.getMethod().getType().getName();
    return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static String pkg(RecordedFrame f) {
    String cls = f.getMethod().getType().getName();
    int dot = cls.lastIndexOf('.');
    return dot < 0 ? "" : cls.substring(0, dot);
  }

  static String normalize(String thread) {
    if (thread == null) {
      return "?";
    }
    return thread.replaceAll("[0-9]+", "N").replaceAll("group-[0-9A-F]+", "group");
  }
}
