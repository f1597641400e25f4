package io.aerodb.node.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class JsonLogLayoutTest {
  private static JsonValue.Obj parse(String line) {
    return (JsonValue.Obj)
        JsonReader.parse(
            line.trim().getBytes(StandardCharsets.UTF_8), new JsonLimits(1 << 20, 16, 1000));
  }

  private static String render(LoggingEvent e) {
    LoggerContext ctx = new LoggerContext();
    ctx.putProperty("node", "n7");
    JsonLogLayout layout = new JsonLogLayout();
    layout.setContext(ctx);
    layout.start();
    e.setLoggerContext(ctx);
    return layout.doLayout(e);
  }

  private static LoggingEvent event(String message, Throwable t) {
    LoggerContext ctx = new LoggerContext();
    Logger logger = ctx.getLogger("aerodb.events");
    LoggingEvent e = new LoggingEvent("x", logger, Level.INFO, message, t, new Object[0]);
    e.setTimeStamp(1_795_000_000_123L);
    e.setThreadName("raft-1");
    e.setMDCPropertyMap(java.util.Map.of());
    return e;
  }

  @Test
  void oneObjectPerLineWithDocumentedKeysAndTypedFields() {
    LoggingEvent e = event("LEADER_CHANGED {term=3}", null);
    e.setKeyValuePairs(
        List.of(
            new KeyValuePair("event", "LEADER_CHANGED"),
            new KeyValuePair("term", 3L),
            new KeyValuePair("leader", "n2"),
            new KeyValuePair("ready", true)));
    String line = render(e);
    assertTrue(line.endsWith("}\n"));
    assertEquals(1, line.split("\n").length);
    assertEquals(
        "{\"event\":\"LEADER_CHANGED\",\"fields\":{\"leader\":\"n2\",\"ready\":true,\"term\":3},"
            + "\"level\":\"INFO\",\"logger\":\"aerodb.events\",\"message\":\"LEADER_CHANGED {term=3}\","
            + "\"node\":\"n7\",\"thread\":\"raft-1\",\"time\":\"2026-11-18T11:06:40.123Z\"}\n",
        line);
  }

  @Test
  void ordinaryLinesAreEventLogAndExceptionsStayOnOneLine() {
    String line = render(event("plain \"quoted\"\nmessage", new IllegalStateException("boom")));
    assertEquals(1, line.split("\n").length, line);
    JsonValue.Obj o = parse(line);
    assertEquals(new JsonValue.Str("log"), o.get("event"));
    assertEquals(new JsonValue.Str("plain \"quoted\"\nmessage"), o.get("message"));
    assertTrue(((JsonValue.Str) o.get("error")).value().contains("IllegalStateException: boom"));
  }

  @Test
  void unpairedSurrogatesAreReplacedSoTheLineIsValidUtf8() {
    String line = render(event("bad \uD800 half", null));
    JsonValue.Obj o = parse(line);
    assertEquals(new JsonValue.Str("bad \uFFFD half"), o.get("message"));
  }
}
