package io.aerodb.bench;

import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the raw lines of one scripts/bench.sh run (results.jsonl: one {@code row} per system,
 * workload, client count and run, plus the operational measurements) into the report: one {@code
 * result} line per (system, workload, clients) with the median over runs of every figure, one
 * {@code ratio} line per (workload, clients) with AeroDB/etcd, one {@code target} line per goal of
 * the issue, the operational summaries, and a markdown summary.
 *
 * <p>Usage: {@code BenchReport results.jsonl summary.md} — JSON lines on stdout.
 */
public final class BenchReport {
  private BenchReport() {}

  private static final JsonLimits LIMITS = new JsonLimits(1 << 20, 16, 10_000);
  private static final String[] FIGURES = {
    "ops_per_s", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "server_cpu_us_per_op"
  };

  public static void main(String[] args) throws IOException {
    List<JsonValue.Obj> lines = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      if (l.isBlank() || !l.startsWith("{")) {
        continue;
      }
      lines.add((JsonValue.Obj) JsonReader.parse(l.getBytes(StandardCharsets.UTF_8), LIMITS));
    }
    StringBuilder md = new StringBuilder();
    List<String> out = new ArrayList<>();

    // ---- rows -> medians
    Map<String, List<JsonValue.Obj>> groups = new LinkedHashMap<>();
    JsonValue.Obj env = null;
    for (JsonValue.Obj o : lines) {
      String type = str(o, "type");
      if (type.equals("env")) {
        env = o;
      }
      if (!type.equals("row") || str(o, "workload").equals("load")) {
        continue;
      }
      String key = str(o, "system") + "|" + str(o, "workload") + "|" + num(o, "clients").intValue();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
    }
    Map<String, Map<String, Double>> med = new LinkedHashMap<>(); // first-seen order
    for (Map.Entry<String, List<JsonValue.Obj>> g : groups.entrySet()) {
      String[] k = g.getKey().split("\\|");
      JsonLine r =
          JsonLine.of("type", "result")
              .put("system", k[0])
              .put("workload", k[1])
              .put("clients", Integer.parseInt(k[2]))
              .put("runs", g.getValue().size());
      Map<String, Double> m = new LinkedHashMap<>();
      for (String f : FIGURES) {
        double v = median(g.getValue(), f);
        m.put(f, v);
        r.put(f, v);
      }
      long errors = 0;
      double foreignMax = 0;
      List<Object> runs = new ArrayList<>();
      for (JsonValue.Obj o : g.getValue()) {
        errors += num(o, "errors").longValue();
        foreignMax = Math.max(foreignMax, num(o, "foreign_cpu_pct").doubleValue());
        runs.add(num(o, "ops_per_s").doubleValue());
      }
      r.put("errors", errors).put("ops_per_s_runs", runs).put("foreign_cpu_pct_max", foreignMax);
      JsonValue idx = g.getValue().get(0).fields().get("index");
      if (idx != null) {
        r.put(
            "index",
            idx instanceof JsonValue.Bool b ? b.value() : str(g.getValue().get(0), "index"));
      }
      med.put(g.getKey(), m);
      out.add(r.toString());
    }

    // ---- ratios
    md.append(
            "| workload | clients | AeroDB ops/s | etcd ops/s | ratio | AeroDB p50 ms | etcd p50 ms")
        .append(" | ratio | AeroDB p99 ms | etcd p99 ms | ratio |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Double> ratio = new TreeMap<>();
    for (String key : med.keySet()) {
      if (!key.startsWith("aerodb|")) {
        continue;
      }
      String rest = key.substring("aerodb|".length());
      Map<String, Double> a = med.get(key);
      Map<String, Double> e = med.get("etcd|" + rest);
      String[] wc = rest.split("\\|");
      if (e == null) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.0f | – | – | %.2f | – | – | %.2f | – | – |%n",
                wc[0],
                wc[1],
                a.get("ops_per_s"),
                a.get("p50_ms"),
                a.get("p99_ms")));
        continue;
      }
      double tr = a.get("ops_per_s") / e.get("ops_per_s");
      double p50 = a.get("p50_ms") / e.get("p50_ms");
      double p99 = a.get("p99_ms") / e.get("p99_ms");
      ratio.put(rest + "|tput", tr);
      ratio.put(rest + "|p50", p50);
      out.add(
          JsonLine.of("type", "ratio")
              .put("workload", wc[0])
              .put("clients", Integer.parseInt(wc[1]))
              .put("throughput_ratio", tr)
              .put("p50_ratio", p50)
              .put("p99_ratio", p99)
              .put("aerodb_ops_per_s", a.get("ops_per_s"))
              .put("etcd_ops_per_s", e.get("ops_per_s"))
              .toString());
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f | %.0f | **%.2f×** | %.2f | %.2f | %.2f× | %.2f | %.2f | %.2f× |%n",
              wc[0],
              wc[1],
              a.get("ops_per_s"),
              e.get("ops_per_s"),
              tr,
              a.get("p50_ms"),
              e.get("p50_ms"),
              p50,
              a.get("p99_ms"),
              e.get("p99_ms"),
              p99));
    }

    // ---- operational figures
    StringBuilder ops = new StringBuilder();
    Double failoverMedian = null;
    for (JsonValue.Obj o : lines) {
      String type = str(o, "type");
      switch (type) {
        case "failover" -> {
          failoverMedian = num(o, "failover_ms_median").doubleValue();
          ops.append(
              String.format(
                  Locale.ROOT,
                  "| failover: SIGKILL of the leader → first write acknowledged (median of %d) |"
                      + " %.0f ms (min %.0f, max %.0f) |%n",
                  num(o, "rounds").intValue(),
                  failoverMedian,
                  num(o, "failover_ms_min").doubleValue(),
                  num(o, "failover_ms_max").doubleValue()));
          out.add(line(o));
        }
        case "transfer" -> {
          if (o.fields().get("available") instanceof JsonValue.Bool b && !b.value()) {
            ops.append("| leadership transfer → first write on the new leader | not available (")
                .append(str(o, "reason"))
                .append(") |\n");
          } else {
            ops.append(
                String.format(
                    Locale.ROOT,
                    "| leadership transfer → first write on the new leader (median of %d) | %.0f ms"
                        + " from the command (write pause %.0f ms) |%n",
                    num(o, "rounds").intValue(),
                    num(o, "first_new_ack_ms_median").doubleValue(),
                    num(o, "write_pause_ms_median").doubleValue()));
          }
          out.add(line(o));
        }
        case "restart" -> {
          ops.append(
              String.format(
                  Locale.ROOT,
                  "| restart (%s) of a follower holding %,d documents → serving reads at the"
                      + " leader's commit index | %.1f s (API port up after %.1f s) |%n",
                  str(o, "mode"),
                  num(o, "documents").longValue(),
                  num(o, "serving_ms").doubleValue() / 1000,
                  num(o, "api_up_ms").doubleValue() / 1000));
          out.add(line(o));
        }
        case "rss" -> {
          ops.append(
              String.format(
                  Locale.ROOT,
                  "| RSS %s %s (%s) | %.0f MiB (peak %.0f MiB; anonymous %.0f, mapped files %.0f) |%n",
                  str(o, "system"),
                  str(o, "node"),
                  str(o, "phase"),
                  num(o, "rss_mib").doubleValue(),
                  num(o, "hwm_mib").doubleValue(),
                  num(o, "anon_mib").doubleValue(),
                  num(o, "file_mib").doubleValue()));
          out.add(line(o));
        }
        case "etcd_failover" -> {
          ops.append(
              String.format(
                  Locale.ROOT,
                  "| etcd failover, for reference (median of %d) | %.0f ms |%n",
                  num(o, "rounds").intValue(),
                  num(o, "failover_ms_median").doubleValue()));
          out.add(line(o));
        }
        default -> {}
      }
    }

    // ---- targets (issue 16; a target whose row did not run has no value)
    StringBuilder tg = new StringBuilder("| target | value | goal | met |\n|---|---|---|---|\n");
    target(out, tg, "insert throughput ratio, 8 clients", ratio.get("insert|8|tput"), ">=", 1.0);
    target(out, tg, "insert throughput ratio, 64 clients", ratio.get("insert|64|tput"), ">=", 1.0);
    target(out, tg, "insert p50 ratio, 1 client", ratio.get("insert|1|p50"), "<=", 1.1);
    target(out, tg, "get throughput ratio, 1 client", ratio.get("get|1|tput"), ">=", 1.0);
    target(out, tg, "get throughput ratio, 8 clients", ratio.get("get|8|tput"), ">=", 1.0);
    target(out, tg, "get throughput ratio, 64 clients", ratio.get("get|64|tput"), ">=", 1.2);
    target(
        out, tg, "failover (s)", failoverMedian == null ? null : failoverMedian / 1000, "<=", 1.5);

    StringBuilder doc = new StringBuilder();
    if (env != null) {
      doc.append("Machine: ").append(str(env, "machine")).append("  \n");
      doc.append("Run: ").append(str(env, "settings")).append("  \n");
      doc.append("Load average before: ").append(str(env, "loadavg")).append("\n\n");
    }
    doc.append(md).append('\n').append(tg).append('\n');
    if (ops.length() > 0) {
      doc.append("| operational figure | value |\n|---|---|\n").append(ops);
    }
    for (String l : out) {
      System.out.println(l);
    }
    if (args.length > 1) {
      Files.writeString(Path.of(args[1]), doc, StandardCharsets.UTF_8);
    }
    System.err.println();
    System.err.print(doc);
  }

  private static void target(
      List<String> out, StringBuilder md, String name, Double value, String op, double goal) {
    Boolean met = value == null ? null : op.equals(">=") ? value >= goal : value <= goal;
    out.add(
        JsonLine.of("type", "target")
            .put("target", name)
            .put("value", value)
            .put("goal", op + " " + goal)
            .put("met", met)
            .toString());
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s %.1f | %s |%n",
            name,
            value == null ? "–" : String.format(Locale.ROOT, "%.2f", value),
            op.equals(">=") ? "≥" : "≤",
            goal,
            met == null ? "not measured" : met ? "yes" : "**no**"));
  }

  private static String line(JsonValue.Obj o) {
    return io.aerodb.core.json.CanonicalJson.toText(o);
  }

  private static double median(List<JsonValue.Obj> rows, String field) {
    List<Double> v = new ArrayList<>();
    for (JsonValue.Obj o : rows) {
      Number n = num(o, field);
      if (n != null && !Double.isNaN(n.doubleValue())) {
        v.add(n.doubleValue());
      }
    }
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(Double::compare);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  static String str(JsonValue.Obj o, String k) {
    JsonValue v = o.fields().get(k);
    if (v instanceof JsonValue.Str s) {
      return s.value();
    }
    return v == null ? "" : io.aerodb.core.json.CanonicalJson.toText(v);
  }

  static Number num(JsonValue.Obj o, String k) {
    JsonValue v = o.fields().get(k);
    if (v instanceof JsonValue.Int i) {
      return i.value();
    }
    if (v instanceof JsonValue.Flt f) {
      return f.value();
    }
    return Double.NaN;
  }
}
