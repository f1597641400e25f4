package io.aerodb.node.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log line (docs/OPERATIONS.md, Logs), keys sorted [P4-9]:
 *
 * <pre>
 * {"event":"TRANSFER_STATE","fields":{"from":"APPROVED","requestId":"req-1",...},"level":"INFO",
 *  "logger":"aerodb.events","message":"...","node":"n1","thread":"...","time":"2026-11-28T06:00:00.123Z"}
 * </pre>
 *
 * {@code event} is the SLF4J key-value pair "event" (or "log" for ordinary lines), {@code fields}
 * the other key-value pairs (numbers and booleans stay JSON numbers and booleans), {@code node} the
 * logger context property "node" set by the node at start, {@code error} the stack trace of an
 * exception, if any.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  @Override
  public String doLayout(ILoggingEvent e) {
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    TreeMap<String, JsonValue> fields = new TreeMap<>(JsonValue.KEY_ORDER);
    String event = "log";
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        if ("event".equals(kv.key)) {
          event = String.valueOf(kv.value);
        } else {
          fields.put(kv.key, toJson(kv.value));
        }
      }
    }
    for (Map.Entry<String, String> mdc : e.getMDCPropertyMap().entrySet()) {
      fields.putIfAbsent(mdc.getKey(), new JsonValue.Str(mdc.getValue()));
    }
    String node = getContext() == null ? null : getContext().getProperty("node");
    m.put("time", new JsonValue.Str(Instant.ofEpochMilli(e.getTimeStamp()).toString()));
    m.put("level", new JsonValue.Str(e.getLevel().toString()));
    m.put("node", new JsonValue.Str(node == null ? "" : node));
    m.put("logger", new JsonValue.Str(e.getLoggerName()));
    m.put("thread", new JsonValue.Str(e.getThreadName()));
    m.put("event", new JsonValue.Str(event));
    m.put("message", new JsonValue.Str(clean(e.getFormattedMessage())));
    m.put("fields", new JsonValue.Obj(fields));
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      m.put("error", new JsonValue.Str(clean(ThrowableProxyUtil.asString(t))));
    }
    return CanonicalJson.toText(new JsonValue.Obj(m)) + "\n";
  }

  private static JsonValue toJson(Object v) {
    if (v instanceof Boolean b) {
      return new JsonValue.Bool(b);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return new JsonValue.Int(((Number) v).longValue());
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return new JsonValue.Flt(n.doubleValue());
    }
    return new JsonValue.Str(clean(String.valueOf(v)));
  }

  /** Replaces unpaired surrogates so every line is valid UTF-8 JSON. */
  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append('\uFFFD');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
