package io.aerodb.node.observe;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders metric families in the Prometheus text exposition format 0.0.4. Families and samples are
 * sorted, so the same state renders to the same bytes [P4-3]. Names follow Prometheus conventions:
 * snake_case, the unit as a suffix ({@code _seconds}, {@code _bytes}, {@code _entries}), counters
 * end in {@code _total}. Dropwizard timers (nanoseconds) and histograms become summaries with
 * quantiles 0.5, 0.9, 0.99, 0.999 plus {@code _count} and {@code _sum} (the sum is mean × count:
 * Dropwizard keeps no exact sum).
 */
public final class PrometheusText {
  /** One sample: its label set (sorted) and value. */
  private record Sample(String suffix, SortedMap<String, String> labels, double value) {}

  private static final class Family {
    final String type;
    final String help;
    final List<Sample> samples = new ArrayList<>();

    Family(String type, String help) {
      this.type = type;
      this.help = help;
    }
  }

  private final TreeMap<String, Family> families = new TreeMap<>();

  /** Families the Prometheus client rendered (its own text format), by name. */
  private final TreeMap<String, String> clientFamilies = new TreeMap<>();

  /**
   * Adds metric families kept with the Prometheus client (histograms), rendered by its own text
   * format writer (no {@code _created} series: they carry a wall-clock time). The client sorts the
   * samples of a family by their labels; families take their place among the others by name.
   */
  public PrometheusText families(MetricSnapshots snapshots) {
    PrometheusTextFormatWriter writer =
        PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();
    for (MetricSnapshot snapshot : snapshots) {
      String name = snapshot.getMetadata().getPrometheusName();
      if (families.containsKey(name) || clientFamilies.containsKey(name)) {
        throw new IllegalStateException("metric " + name + " is exported twice");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        writer.write(out, MetricSnapshots.of(snapshot), EscapingScheme.UNDERSCORE_ESCAPING);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
      clientFamilies.put(name, out.toString(StandardCharsets.UTF_8));
    }
    return this;
  }

  public PrometheusText gauge(String name, String help, Map<String, String> labels, double value) {
    family(name, "gauge", help).samples.add(new Sample("", sorted(labels), value));
    return this;
  }

  public PrometheusText counter(
      String name, String help, Map<String, String> labels, double value) {
    family(name, "counter", help).samples.add(new Sample("", sorted(labels), value));
    return this;
  }

  /** A Dropwizard timer as a summary in seconds. */
  public PrometheusText timer(String name, String help, Map<String, String> labels, Timer t) {
    return summary(name, help, labels, t.getSnapshot(), t.getCount(), 1e-9);
  }

  public PrometheusText histogram(
      String name, String help, Map<String, String> labels, Histogram h) {
    return summary(name, help, labels, h.getSnapshot(), h.getCount(), 1.0);
  }

  private PrometheusText summary(
      String name, String help, Map<String, String> labels, Snapshot s, long count, double scale) {
    Family f = family(name, "summary", help);
    for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
      TreeMap<String, String> l = sorted(labels);
      l.put("quantile", Double.toString(q));
      f.samples.add(new Sample("", l, s.getValue(q) * scale));
    }
    f.samples.add(new Sample("_count", sorted(labels), count));
    f.samples.add(new Sample("_sum", sorted(labels), s.getMean() * scale * count));
    return this;
  }

  /** Adds any Dropwizard metric under a name (its type decides the family type). */
  public PrometheusText metric(
      String name, String help, Map<String, String> labels, Object metric) {
    if (metric instanceof Timer t) {
      return timer(name.endsWith("_seconds") ? name : name + "_seconds", help, labels, t);
    }
    if (metric instanceof Histogram h) {
      return histogram(name, help, labels, h);
    }
    if (metric instanceof Counter c) {
      return counter(name.endsWith("_total") ? name : name + "_total", help, labels, c.getCount());
    }
    if (metric instanceof Meter m) {
      return counter(name.endsWith("_total") ? name : name + "_total", help, labels, m.getCount());
    }
    if (metric instanceof Gauge<?> g) {
      Object v;
      try {
        v = g.getValue();
      } catch (RuntimeException e) {
        return this; // a gauge that cannot be read now is left out of this scrape
      }
      if (v instanceof Number n) {
        return gauge(name, help, labels, n.doubleValue());
      }
      if (v instanceof Boolean b) {
        return gauge(name, help, labels, b ? 1 : 0);
      }
    }
    return this;
  }

  private Family family(String name, String type, String help) {
    if (clientFamilies.containsKey(name)) {
      throw new IllegalStateException("metric " + name + " is exported twice");
    }
    Family f = families.computeIfAbsent(name, n -> new Family(type, help));
    if (!f.type.equals(type)) {
      throw new IllegalStateException("metric " + name + " is both " + f.type + " and " + type);
    }
    return f;
  }

  private static TreeMap<String, String> sorted(Map<String, String> labels) {
    return new TreeMap<>(labels);
  }

  /** The exposition text. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    TreeSet<String> names = new TreeSet<>(families.keySet());
    names.addAll(clientFamilies.keySet());
    for (String name : names) {
      Family f = families.get(name);
      if (f == null) {
        sb.append(clientFamilies.get(name));
        continue;
      }
      sb.append("# HELP ").append(name).append(' ').append(escapeHelp(f.help)).append('\n');
      sb.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
      List<Sample> samples = new ArrayList<>(f.samples);
      samples.sort(
          (a, b) -> {
            int c = a.suffix().compareTo(b.suffix());
            return c != 0 ? c : a.labels().toString().compareTo(b.labels().toString());
          });
      for (Sample s : samples) {
        sb.append(name).append(s.suffix());
        if (!s.labels().isEmpty()) {
          sb.append('{');
          boolean first = true;
          for (Map.Entry<String, String> l : s.labels().entrySet()) {
            if (!first) {
              sb.append(',');
            }
            first = false;
            sb.append(l.getKey()).append("=\"").append(escapeLabel(l.getValue())).append('"');
          }
          sb.append('}');
        }
        sb.append(' ').append(format(s.value())).append('\n');
      }
    }
    return sb.toString();
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.9g", v).trim();
  }

  static String escapeLabel(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  /**
   * camelCase, dotted or ACRONYM names → snake_case (Prometheus name characters only): {@code
   * appendEntryLatency} → {@code append_entry_latency}, {@code watchALL_COMMITTEDRequest} → {@code
   * watch_all_committed_request}, {@code HTTPServer} → {@code http_server}.
   */
  public static String snake(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isUpperCase(c)) {
        char prev = i > 0 ? s.charAt(i - 1) : '_';
        boolean nextLower = i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1));
        boolean wordStart =
            Character.isLowerCase(prev)
                || Character.isDigit(prev)
                || (Character.isUpperCase(prev) && nextLower);
        if (wordStart && sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else if (Character.isLetterOrDigit(c)) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
        sb.append('_');
      }
    }
    return sb.toString();
  }

  /** Registry helper for tests and the exporter: the registry's metrics by name. */
  static SortedMap<String, com.codahale.metrics.Metric> metrics(MetricRegistry r) {
    return new TreeMap<>(r.getMetrics());
  }
}
