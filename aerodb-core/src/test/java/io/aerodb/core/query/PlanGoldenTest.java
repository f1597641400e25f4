package io.aerodb.core.query;

import io.aerodb.core.Golden;
import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.schema.SchemaParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The planner and explain as data [Q1, Q2, Q3]: testdata/plans.txt holds, per case, a collection
 * "users" (its schema versions with the log index that published each, its indexes with the index
 * that created and, optionally, dropped each), a read view, a query and optional limits; the
 * expected line is the explain document, byte for byte: the plan (chosen index, scan kind and
 * bounds, predicates in evaluation order, sort, limit, proven bound, read view, covered schema
 * versions) or the rejection with its code and invariant. Planning reads no document, so no store
 * is involved. Each case runs twice and must give the same bytes [Q3]. Rewrite the expectations
 * with -Daerodb.rewrite=true and review the diff.
 *
 * <pre>
 * schema@1: {...}        a schema version published by log entry 1 (versions numbered in order)
 * index@3: age           an index created by entry 3;  index@3-9: age  also dropped by entry 9
 * view: 10               the read view;  filter: {...};  sort: -age (optional);  limit: 20
 * limits: limitMax=1000 scanEntriesMax=100000 inValuesMax=1000 predicatesMax=64 filterBytesMax=65536
 * </pre>
 */
class PlanGoldenTest {

  @Test
  void plansAndExplainsAreAsRecorded() throws Exception {
    Golden.check("plans.txt", PlanGoldenTest::explain);
  }

  static String explain(Golden.Case c) {
    Catalog catalog = catalog(c.lines());
    long view = Long.parseLong(c.get("view"));
    QueryRequest request = request(c.lines());
    QueryLimits limits = limits(c.lines());
    byte[] first = Queries.explain(catalog, request, view, limits);
    byte[] second = Queries.explain(catalog, request, view, limits);
    if (!java.util.Arrays.equals(first, second)) {
      return "NOT DETERMINISTIC [Q3]";
    }
    return new String(first, StandardCharsets.UTF_8);
  }

  static Catalog catalog(List<String> lines) {
    TreeMap<Integer, SchemaVersion> schemas = new TreeMap<>();
    List<IndexDefinition> indexes = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("schema@")) {
        int colon = l.indexOf(": ");
        long created = Long.parseLong(l.substring(7, colon));
        int version = schemas.size() + 1;
        schemas.put(
            version,
            new SchemaVersion(
                version,
                created,
                SchemaParser.parse(l.substring(colon + 2).getBytes(StandardCharsets.UTF_8))));
      } else if (l.startsWith("index@")) {
        int colon = l.indexOf(": ");
        String[] span = l.substring(6, colon).split("-");
        long created = Long.parseLong(span[0]);
        long dropped = span.length > 1 ? Long.parseLong(span[1]) : 0;
        indexes.add(new IndexDefinition(l.substring(colon + 2), created, dropped));
      }
    }
    if (schemas.isEmpty()) {
      return Catalog.EMPTY;
    }
    long created = schemas.get(1).createdIndex();
    return Catalog.EMPTY.with(new CollectionInfo("users", created, schemas, indexes));
  }

  static QueryRequest request(List<String> lines) {
    String collection = value(lines, "collection", "users");
    String sort = value(lines, "sort", "");
    boolean descending = sort.startsWith("-");
    String filter = value(lines, "filter", "");
    return new QueryRequest(
        collection,
        filter.getBytes(StandardCharsets.UTF_8),
        descending ? sort.substring(1) : sort,
        descending,
        Long.parseLong(value(lines, "limit", "0")));
  }

  static QueryLimits limits(List<String> lines) {
    QueryLimits l = QueryLimits.DEFAULTS;
    String spec = value(lines, "limits", "");
    if (spec.isEmpty()) {
      return l;
    }
    long limitMax = l.limitMax();
    long scan = l.scanEntriesMax();
    int in = l.inValuesMax();
    int predicates = l.predicatesMax();
    int filterBytes = l.filterBytesMax();
    for (String kv : spec.split(" ")) {
      String[] p = kv.split("=");
      long v = Long.parseLong(p[1]);
      switch (p[0]) {
        case "limitMax" -> limitMax = v;
        case "scanEntriesMax" -> scan = v;
        case "inValuesMax" -> in = (int) v;
        case "predicatesMax" -> predicates = (int) v;
        case "filterBytesMax" -> filterBytes = (int) v;
        default -> throw new IllegalArgumentException("unknown limit " + p[0]);
      }
    }
    return new QueryLimits(limitMax, scan, in, predicates, filterBytes);
  }

  private static String value(List<String> lines, String key, String otherwise) {
    for (String l : lines) {
      if (l.startsWith(key + ": ")) {
        return l.substring(key.length() + 2);
      }
    }
    return otherwise;
  }
}
