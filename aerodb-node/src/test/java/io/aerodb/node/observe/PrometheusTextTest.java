package io.aerodb.node.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void rendersSortedFamiliesWithHelpTypeAndEscapedLabels() {
    String text =
        new PrometheusText()
            .gauge("b_gauge", "B help.", Map.of("z", "1", "a", "quote\"back\\slash\nnl"), 2.5)
            .counter("a_total", "A help\nsecond line.", Map.of(), 7)
            .render();
    assertEquals(
        "# HELP a_total A help\\nsecond line.\n"
            + "# TYPE a_total counter\n"
            + "a_total 7\n"
            + "# HELP b_gauge B help.\n"
            + "# TYPE b_gauge gauge\n"
            + "b_gauge{a=\"quote\\\"back\\\\slash\\nnl\",z=\"1\"} 2.50000000\n",
        text);
  }

  @Test
  void sameStateRendersSameBytesWhateverTheInsertionOrder() {
    PrometheusText one = new PrometheusText();
    PrometheusText two = new PrometheusText();
    for (int i = 0; i < 20; i++) {
      one.gauge("g", "h", Map.of("peer", "n" + i), i);
      two.gauge("g", "h", Map.of("peer", "n" + (19 - i)), 19 - i);
    }
    assertEquals(one.render(), two.render());
  }

  @Test
  void clientHistogramsTakeTheirPlaceByNameInTheSameBytesWhateverTheOrderOfObservations() {
    String[] rendered = new String[2];
    for (int run = 0; run < 2; run++) {
      PrometheusRegistry registry = new PrometheusRegistry();
      Histogram h =
          Histogram.builder()
              .name("m_latency_seconds")
              .help("Latency.")
              .labelNames("method")
              .classicOnly()
              .classicUpperBounds(0.001, 0.01)
              .withoutExemplars()
              .register(registry);
      List<String> methods = run == 0 ? List.of("Get", "Insert") : List.of("Insert", "Get");
      for (String m : methods) {
        h.labelValues(m).observe(0.005);
      }
      rendered[run] =
          new PrometheusText()
              .gauge("z_gauge", "Z.", Map.of(), 1)
              .gauge("a_gauge", "A.", Map.of(), 1)
              .families(registry.scrape())
              .render();
    }
    assertEquals(rendered[0], rendered[1]);
    String text = rendered[0];
    assertTrue(text.indexOf("# TYPE a_gauge") < text.indexOf("# TYPE m_latency_seconds histogram"));
    assertTrue(text.indexOf("# TYPE m_latency_seconds histogram") < text.indexOf("# TYPE z_gauge"));
    assertTrue(text.contains("m_latency_seconds_bucket{method=\"Get\",le=\"0.001\"} 0\n"), text);
    assertTrue(text.contains("m_latency_seconds_bucket{method=\"Get\",le=\"0.01\"} 1\n"), text);
    assertTrue(text.contains("m_latency_seconds_count{method=\"Insert\"} 1\n"), text);
    assertTrue(text.indexOf("method=\"Get\"") < text.indexOf("method=\"Insert\""), text);
    assertTrue(!text.contains("_created"), text);

    PrometheusRegistry clash = new PrometheusRegistry();
    Histogram.builder().name("a_gauge").help("x").register(clash).observe(1);
    assertThrows(
        IllegalStateException.class,
        () -> new PrometheusText().gauge("a_gauge", "A.", Map.of(), 1).families(clash.scrape()));
  }

  @Test
  void timersBecomeSummariesInSecondsAndCountersGetTotal() {
    Timer t = new Timer();
    for (int i = 1; i <= 100; i++) {
      t.update(i, TimeUnit.MILLISECONDS);
    }
    Counter c = new Counter();
    c.inc(3);
    String text =
        new PrometheusText()
            .metric("rpc_latency", "Latency.", new TreeMap<>(Map.of("method", "Insert")), t)
            .metric("requests", "Requests.", Map.of(), c)
            .render();
    assertTrue(text.contains("# TYPE rpc_latency_seconds summary\n"), text);
    assertTrue(text.contains("rpc_latency_seconds_count{method=\"Insert\"} 100\n"), text);
    double p99 = value(text, "rpc_latency_seconds{method=\"Insert\",quantile=\"0.99\"}");
    assertTrue(p99 >= 0.098 && p99 <= 0.1001, "p99 in seconds: " + p99);
    double sum = value(text, "rpc_latency_seconds_sum{method=\"Insert\"}");
    assertTrue(Math.abs(sum - 5.05) < 0.01, "sum in seconds: " + sum);
    assertTrue(text.contains("# TYPE requests_total counter\nrequests_total 3\n"), text);
  }

  @Test
  void aNameCannotBeTwoTypes() {
    PrometheusText p = new PrometheusText().gauge("x", "h", Map.of(), 1);
    assertThrows(IllegalStateException.class, () -> p.counter("x", "h", Map.of(), 1));
  }

  @Test
  void specialValuesUseExpositionSpelling() {
    assertEquals("NaN", PrometheusText.format(Double.NaN));
    assertEquals("+Inf", PrometheusText.format(Double.POSITIVE_INFINITY));
    assertEquals("-Inf", PrometheusText.format(Double.NEGATIVE_INFINITY));
    assertEquals("42", PrometheusText.format(42.0));
  }

  @Test
  void snakeCaseHandlesCamelDotsAndAcronyms() {
    assertEquals("append_entry_latency", PrometheusText.snake("appendEntryLatency"));
    assertEquals("watch_all_committed_request", PrometheusText.snake("watchALL_COMMITTEDRequest"));
    assertEquals("http_server", PrometheusText.snake("HTTPServer"));
    assertEquals("log_worker", PrometheusText.snake("log_worker"));
    assertEquals("rpc_latency_insert", PrometheusText.snake("rpc.latency.Insert"));
    assertEquals("num_request_queue_limit_hits", PrometheusText.snake("numRequestQueueLimitHits"));
  }

  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    throw new AssertionError("no " + series + " in\n" + text);
  }
}
