package io.aerodb.node.events;

import com.codahale.metrics.MetricRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where events go [P6-O1]: one structured JSON line on the {@code aerodb.events} logger (event =
 * the type, fields = the event's fields and its id, see JsonLogLayout), a bounded in-memory ring
 * readable over the admin API ({@code cluster events}), and a Dropwizard counter per type ({@code
 * events.<TYPE>}; transfer states also count as {@code transfers.<STATE>}). Thread-safe; emitting
 * never blocks on I/O beyond the logger's own appender.
 */
public final class EventLog {
  private static final Logger EVENTS = LoggerFactory.getLogger("aerodb.events");

  private final String nodeId;
  private final MetricRegistry metrics;
  private final LongSupplier clockMillis;
  private final int capacity;
  private final ArrayDeque<ClusterEvent> ring = new ArrayDeque<>();
  private long nextId = 1;

  public EventLog(String nodeId, MetricRegistry metrics, LongSupplier clockMillis, int capacity) {
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.clockMillis = clockMillis;
    this.capacity = capacity;
    // every series exists from the first scrape (at 0), so rate() and alerts see the first event
    // [P4-6]
    for (EventType t : EventType.values()) {
      metrics.counter("events." + t.name());
    }
  }

  /**
   * Creates the counters {@code transfers.<state>} at 0 (the promotion code names its states), so
   * that they too exist from the first scrape; TRANSFER_STATE events count into them.
   */
  public void declareTransferStates(Iterable<String> states) {
    for (String s : states) {
      metrics.counter("transfers." + s);
    }
  }

  /** Records an event with fields given as alternating names and values. */
  public ClusterEvent emit(EventType type, String... keyValues) {
    TreeMap<String, String> fields = new TreeMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      fields.put(keyValues[i], keyValues[i + 1] == null ? "" : keyValues[i + 1]);
    }
    return emit(type, fields);
  }

  public ClusterEvent emit(EventType type, SortedMap<String, String> fields) {
    ClusterEvent e;
    synchronized (this) {
      e = new ClusterEvent(nextId++, clockMillis.getAsLong(), nodeId, type.name(), fields);
      ring.addLast(e);
      while (ring.size() > capacity) {
        ring.removeFirst();
      }
    }
    metrics.counter("events." + type.name()).inc();
    if (type == EventType.TRANSFER_STATE) {
      metrics.counter("transfers." + fields.getOrDefault("to", "")).inc();
    }
    var line = EVENTS.atInfo().addKeyValue("event", type.name()).addKeyValue("eventId", e.id());
    for (var f : fields.entrySet()) {
      line = line.addKeyValue(f.getKey(), f.getValue());
    }
    line.log(type.name() + " " + fields);
    return e;
  }

  /** Events with id greater than {@code sinceId}, oldest first, at most {@code limit}. */
  public synchronized List<ClusterEvent> since(long sinceId, int limit) {
    List<ClusterEvent> out = new ArrayList<>();
    for (ClusterEvent e : ring) {
      if (e.id() > sinceId && out.size() < limit) {
        out.add(e);
      }
    }
    return out;
  }
}
