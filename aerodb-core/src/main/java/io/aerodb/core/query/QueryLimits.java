package io.aerodb.core.query;

/**
 * The bounds every query is checked against before any read [Q1]. They are read-time limits of the
 * node serving the query (a node config may raise or lower the first two), never replicated
 * semantics. Every refusal names the limit and its value.
 *
 * @param limitMax the largest {@code limit} accepted (AERO_QUERY_LIMIT_TOO_LARGE)
 * @param scanEntriesMax the most index entries (or document ids, for _id scans) one query may
 *     examine; the query fails with AERO_QUERY_SCAN_LIMIT rather than exceed it
 * @param inValuesMax the longest {@code in} list (AERO_QUERY_IN_TOO_LONG)
 * @param predicatesMax the most (field, operator) predicates (AERO_QUERY_TOO_MANY_PREDICATES)
 * @param filterBytesMax the largest filter JSON (AERO_QUERY_FILTER_TOO_LARGE)
 */
public record QueryLimits(
    long limitMax, long scanEntriesMax, int inValuesMax, int predicatesMax, int filterBytesMax) {

  public static final QueryLimits DEFAULTS = new QueryLimits(1_000, 100_000, 1_000, 64, 64 * 1024);

  public QueryLimits {
    if (limitMax < 1 || scanEntriesMax < 1 || inValuesMax < 1 || predicatesMax < 1) {
      throw new IllegalArgumentException("query limits are positive: " + this);
    }
  }

  public QueryLimits withLimitMax(long value) {
    return new QueryLimits(value, scanEntriesMax, inValuesMax, predicatesMax, filterBytesMax);
  }

  public QueryLimits withScanEntriesMax(long value) {
    return new QueryLimits(limitMax, value, inValuesMax, predicatesMax, filterBytesMax);
  }
}
