package io.aerodb.core.query;

import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.IndexKeys;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.mvcc.DocumentVersion;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionReader;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Runs a {@link Plan} against the store at the plan's read view V.
 *
 * <p>Correctness at one view [T2]: a document version created at index i is visible at V if it is
 * the newest version of its document at or below V. An index entry names the version it was written
 * for; the executor accepts it only if that version is the visible one (entries newer than V are
 * skipped without a lookup; older, stale ones cost one lookup per document and are dropped). Each
 * visible version has exactly one entry per index generation, so no document is returned twice and
 * an index scan yields documents in (value, _id) order. Every accepted candidate is then re-checked
 * against every predicate on the visible version's JSON.
 *
 * <p>Bounds [Q1]: every index entry (or _id position) the scan visits counts against the plan's
 * {@code entriesExaminedMax}; the query fails with AERO_QUERY_SCAN_LIMIT instead of exceeding it.
 * Memory holds at most {@code limit} results.
 *
 * <p>Not thread-safe; one instance per query. Versions and entries at or below V never change, so
 * the query runs concurrently with apply without locks.
 */
public final class QueryExecutor {
  private static final byte[] MISSING = new byte[0];

  private final KvStore store;
  private final Plan plan;
  private final long view;
  private final Comparator<Ranked> resultOrder;
  private final List<QueryHit> streamed = new ArrayList<>();
  private final PriorityQueue<Ranked> best;
  private long examined;
  private long read;

  /** A match with its sort key: (encoded sort value or empty if missing, UTF-8 _id). */
  private record Ranked(byte[] sortValue, byte[] id, QueryHit hit) {}

  private QueryExecutor(KvStore store, Plan plan) {
    this.store = store;
    this.plan = plan;
    this.view = plan.readView();
    Comparator<Ranked> ascending =
        (a, b) -> {
          int c = Bytes.compare(a.sortValue(), b.sortValue());
          return c != 0 ? c : Bytes.compare(a.id(), b.id());
        };
    this.resultOrder = plan.sort().descending() ? ascending.reversed() : ascending;
    this.best = new PriorityQueue<>(resultOrder.reversed()); // the worst kept match on top
  }

  /** Executes {@code plan}; a scan that would pass its bound is a rejection, not an exception. */
  public static QueryResult execute(KvStore store, Plan plan) {
    QueryExecutor x = new QueryExecutor(store, plan);
    try {
      x.scan();
    } catch (AeroException e) {
      if (e.code() != ErrorCode.AERO_QUERY_SCAN_LIMIT) {
        throw e;
      }
      return QueryResult.rejected(plan.readView(), plan, e.error());
    }
    return new QueryResult(plan.readView(), x.results(), x.examined, x.read, plan, null);
  }

  private List<QueryHit> results() {
    if (plan.streams()) {
      return streamed;
    }
    List<Ranked> sorted = new ArrayList<>(best);
    sorted.sort(resultOrder);
    List<QueryHit> out = new ArrayList<>(sorted.size());
    for (Ranked r : sorted) {
      out.add(r.hit());
    }
    return out;
  }

  private void scan() {
    switch (plan.scan()) {
      case ID_GET:
      case ID_IN:
        scanIds();
        return;
      case ID_RANGE:
        scanIdRange();
        return;
      case INDEX_EQ:
      case INDEX_IN:
      case INDEX_RANGE:
        scanIndex();
        return;
      default:
        throw new IllegalStateException("unknown scan " + plan.scan());
    }
  }

  // ---------------------------------------------------------------------------------- _id scans

  private void scanIds() {
    List<JsonValue> ids = new ArrayList<>(plan.scanValues());
    if (plan.descendingScan()) {
      Collections.reverse(ids);
    }
    for (JsonValue v : ids) {
      step();
      String id = ((JsonValue.Str) v).value();
      Optional<DocumentVersion> d = readVisible(id);
      if (d.isPresent() && !offer(id, d.get())) {
        return;
      }
    }
  }

  /** Walks the document keys between the bounds, one position per document (two seeks). */
  private void scanIdRange() {
    String collection = plan.collection();
    byte[] documents = Keys.collectionDocuments(collection);
    byte[] start = documents;
    if (plan.lower() != null) {
      byte[] k = Keys.document(collection, idOf(plan.lower()));
      start = plan.lower().inclusive() ? k : Bytes.prefixSuccessor(k);
    }
    byte[] end = Bytes.prefixSuccessor(documents);
    if (plan.upper() != null) {
      byte[] k = Keys.document(collection, idOf(plan.upper()));
      end = plan.upper().inclusive() ? Bytes.prefixSuccessor(k) : k;
    }
    if (!plan.descendingScan()) {
      byte[] from = start;
      while (true) {
        byte[] key = firstAtOrAfter(from, end);
        if (key == null) {
          return;
        }
        byte[] documentPrefix = Arrays.copyOf(key, key.length - 8);
        if (!visitIdPosition(documents, documentPrefix)) {
          return;
        }
        from = Bytes.prefixSuccessor(documentPrefix);
      }
    }
    byte[] before = end;
    while (true) {
      byte[] key = lastBefore(before, start);
      if (key == null) {
        return;
      }
      byte[] documentPrefix = Arrays.copyOf(key, key.length - 8);
      if (!visitIdPosition(documents, documentPrefix)) {
        return;
      }
      before = documentPrefix; // never a key itself: the last key below it is the previous id's
    }
  }

  private boolean visitIdPosition(byte[] collectionPrefix, byte[] documentPrefix) {
    step();
    String id =
        IndexValueCodec.unescape(
            documentPrefix,
            collectionPrefix.length,
            documentPrefix.length - collectionPrefix.length);
    Optional<DocumentVersion> d = readVisible(id);
    return d.isEmpty() || offer(id, d.get());
  }

  private byte[] firstAtOrAfter(byte[] from, byte[] end) {
    try (KvCursor c = store.seek(from)) {
      if (!c.valid()) {
        return null;
      }
      byte[] key = c.key();
      return Bytes.compare(key, end) < 0 ? key : null;
    }
  }

  private byte[] lastBefore(byte[] before, byte[] start) {
    try (KvCursor c = store.seekReverse(before)) {
      while (c.valid() && Bytes.compare(c.key(), before) >= 0) {
        c.next();
      }
      if (!c.valid()) {
        return null;
      }
      byte[] key = c.key();
      return Bytes.compare(key, start) >= 0 ? key : null;
    }
  }

  // -------------------------------------------------------------------------- secondary indexes

  private void scanIndex() {
    byte[] prefix =
        IndexKeys.indexPrefix(plan.collection(), plan.indexField(), plan.indexCreatedIndex());
    List<byte[][]> ranges = new ArrayList<>();
    if (plan.scan().isPointScan()) {
      for (JsonValue v : plan.scanValues()) {
        byte[] p = Bytes.concat(prefix, IndexValueCodec.encode(v));
        ranges.add(new byte[][] {p, Bytes.prefixSuccessor(p)});
      }
    } else {
      byte[] classStart = Bytes.concat(prefix, new byte[] {plan.rangeTypeClass()});
      byte[] start = classStart;
      if (plan.lower() != null) {
        byte[] k = Bytes.concat(prefix, IndexValueCodec.encode(plan.lower().value()));
        start = plan.lower().inclusive() ? k : Bytes.prefixSuccessor(k);
      }
      byte[] end = Bytes.prefixSuccessor(classStart);
      if (plan.upper() != null) {
        byte[] k = Bytes.concat(prefix, IndexValueCodec.encode(plan.upper().value()));
        end = plan.upper().inclusive() ? Bytes.prefixSuccessor(k) : k;
      }
      ranges.add(new byte[][] {start, end});
    }
    if (plan.descendingScan()) {
      Collections.reverse(ranges);
    }
    IndexCursorState state = new IndexCursorState();
    for (byte[][] r : ranges) {
      if (Bytes.compare(r[0], r[1]) >= 0) {
        continue; // an empty range (e.g. gt 5 and lt 3)
      }
      if (!scanIndexRange(prefix.length, r[0], r[1], state)) {
        return;
      }
    }
  }

  /** The last document resolved, so the stale entries of one document cost one lookup. */
  private static final class IndexCursorState {
    byte[] idBytes;
    String id;
    Optional<DocumentVersion> visible;
  }

  private boolean scanIndexRange(int prefixLength, byte[] start, byte[] end, IndexCursorState s) {
    boolean descending = plan.descendingScan();
    try (KvCursor c = descending ? store.seekReverse(end) : store.seek(start)) {
      for (; c.valid(); c.next()) {
        byte[] key = c.key();
        if (descending) {
          if (Bytes.compare(key, end) >= 0) {
            continue;
          }
          if (Bytes.compare(key, start) < 0) {
            return true;
          }
        } else if (Bytes.compare(key, end) >= 0) {
          return true;
        }
        step();
        IndexKeys.Entry e = IndexKeys.parse(key, prefixLength);
        if (e.versionIndex() > view) {
          continue; // written after the view: never visible in it
        }
        byte[] idBytes = Arrays.copyOfRange(key, e.idStart(), e.idStart() + e.idLength());
        if (s.idBytes == null || !Arrays.equals(idBytes, s.idBytes)) {
          s.idBytes = idBytes;
          s.id = e.id(key);
          s.visible = readNewest(s.id);
        }
        Optional<DocumentVersion> v = s.visible;
        if (v.isPresent() && !v.get().tombstone() && v.get().index() == e.versionIndex()) {
          if (!offer(s.id, v.get())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  // ------------------------------------------------------------------------------------ shared

  private void step() {
    if (examined == plan.entriesExaminedMax()) {
      throw QueryErrors.limit(
          ErrorCode.AERO_QUERY_SCAN_LIMIT,
          "the query would examine more than scanEntriesMax="
              + plan.entriesExaminedMax()
              + " entries of index "
              + plan.indexField()
              + " at read view "
              + view
              + "; narrow the filter",
          "scanEntriesMax",
          plan.entriesExaminedMax(),
          -1);
    }
    examined++;
  }

  private Optional<DocumentVersion> readVisible(String id) {
    read++;
    return VersionReader.live(store, plan.collection(), id, view);
  }

  private Optional<DocumentVersion> readNewest(String id) {
    read++;
    return VersionReader.newestAtOrBelow(store, plan.collection(), id, view);
  }

  /**
   * Re-checks a visible candidate against every predicate and keeps it if it matches. Returns false
   * when the scan can stop (it streams in result order and the limit is reached).
   */
  private boolean offer(String id, DocumentVersion v) {
    JsonValue.Obj doc = (JsonValue.Obj) JsonReader.parse(v.json(), Limits.DOCUMENT_JSON);
    for (Predicate p : plan.predicates()) {
      if (!p.matches(doc)) {
        return true;
      }
    }
    QueryHit hit = new QueryHit(id, v);
    if (plan.streams()) {
      streamed.add(hit);
      return streamed.size() < plan.limit();
    }
    Optional<JsonValue> s = plan.sort().field().extract(doc);
    byte[] sortValue =
        s.isPresent() && IndexValueCodec.isScalar(s.get())
            ? IndexValueCodec.encode(s.get())
            : MISSING;
    Ranked r = new Ranked(sortValue, id.getBytes(StandardCharsets.UTF_8), hit);
    if (best.size() < plan.limit()) {
      best.add(r);
    } else if (resultOrder.compare(r, best.peek()) < 0) {
      best.poll();
      best.add(r);
    }
    return true;
  }

  private static String idOf(Bound b) {
    return ((JsonValue.Str) b.value()).value();
  }
}
