package io.aerodb.bench.agent;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.aerodb.ratis.RatisMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.metrics.RatisMetricRegistry;

/**
 * A diagnostic Java agent for a node process (never loaded unless asked for): every {@code
 * interval} seconds it writes all of Ratis' metric registries (the ones {@link RatisMetrics}
 * collects) to a JSON file, so a benchmark can read Ratis' own timers (log sync time, follower
 * append latency, apply latency...) without any change to the node. Timers and histograms are in
 * milliseconds (Dropwizard's reservoirs: recent-biased, not exact).
 *
 * <p>Use: {@code AERODB_NODE_JAVA_OPTS="... -javaagent:aerodb-bench/target/aerodb-bench-agent.jar=
 * file=/path/metrics-%p.json,interval=2"} ({@code %p} becomes the PID). scripts/bench-profile.sh
 * does this.
 */
public final class RatisMetricsAgent {
  private RatisMetricsAgent() {}

  public static void premain(String args) {
    Map<String, String> o = new TreeMap<>();
    for (String kv : (args == null ? "" : args).split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        o.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    Path file = Path.of(o.getOrDefault("file", "ratis-metrics-%p.json").replace("%p", pid));
    long intervalMs = (long) (Double.parseDouble(o.getOrDefault("interval", "2")) * 1000);
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  Thread.sleep(intervalMs);
                  write(file);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException | RuntimeException e) {
                  // diagnostic only: keep trying, never disturb the node
                }
              }
            },
            "aerodb-bench-ratis-metrics-agent");
    t.setDaemon(true);
    t.start();
  }

  static void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder("{\"time_ms\":").append(System.currentTimeMillis());
    b.append(",\"metrics\":{");
    boolean first = true;
    TreeMap<String, Metric> all = new TreeMap<>();
    for (RatisMetricRegistry r : RatisMetrics.registries()) {
      MetricRegistry dw = RatisMetrics.dropwizard(r);
      // Dropwizard names already carry Ratis' prefix: ratis.<component>.<peer>@group-<id>.<metric>
      all.putAll(dw.getMetrics());
    }
    for (Map.Entry<String, Metric> e : all.entrySet()) {
      String v = value(e.getValue());
      if (v == null) {
        continue;
      }
      b.append(first ? "" : ",").append('"').append(escape(e.getKey())).append("\":").append(v);
      first = false;
    }
    b.append("}}\n");
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, b, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String value(Metric m) {
    if (m instanceof Timer t) {
      return snapshot(t.getCount(), t.getSnapshot(), 1e-6) + "}";
    }
    if (m instanceof Histogram h) {
      return snapshot(h.getCount(), h.getSnapshot(), 1.0) + "}";
    }
    if (m instanceof Counter c) {
      return Long.toString(c.getCount());
    }
    if (m instanceof Meter mt) {
      return String.format(
          Locale.ROOT, "{\"count\":%d,\"rate1m\":%.3f}", mt.getCount(), mt.getOneMinuteRate());
    }
    if (m instanceof Gauge<?> g) {
      Object v;
      try {
        v = g.getValue();
      } catch (RuntimeException e) {
        return null;
      }
      if (v instanceof Number n) {
        double d = n.doubleValue();
        return Double.isFinite(d)
            ? (n instanceof Double || n instanceof Float ? fmt(d) : n.toString())
            : null;
      }
      return v == null ? null : "\"" + escape(v.toString()) + "\"";
    }
    return null;
  }

  private static String snapshot(long count, Snapshot s, double scale) {
    return String.format(
        Locale.ROOT,
        "{\"count\":%d,\"mean\":%s,\"p50\":%s,\"p75\":%s,\"p99\":%s,\"max\":%s",
        count,
        fmt(s.getMean() * scale),
        fmt(s.getMedian() * scale),
        fmt(s.get75thPercentile() * scale),
        fmt(s.get99thPercentile() * scale),
        fmt(s.getMax() * scale));
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.4f", d);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
