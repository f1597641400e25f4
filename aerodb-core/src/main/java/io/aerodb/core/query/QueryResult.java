package io.aerodb.core.query;

import io.aerodb.core.error.AeroError;
import java.util.List;

/**
 * The answer to a query at one read view: the results in order [T1], what the execution cost, or
 * the rejection. Equal on every replica for the same query at the same view.
 *
 * @param viewIndex the commit index whose state the query read (the read view)
 * @param hits the results, at most the limit
 * @param entriesExamined index entries (or _id positions) the scan visited; at most the plan's
 *     bound
 * @param documentsRead document versions read to resolve or re-check candidates
 * @param plan the plan that ran, or null if the query was rejected before planning completed
 * @param rejection set if the query was refused (then hits is empty)
 */
public record QueryResult(
    long viewIndex,
    List<QueryHit> hits,
    long entriesExamined,
    long documentsRead,
    Plan plan,
    AeroError rejection) {

  public QueryResult {
    hits = List.copyOf(hits);
  }

  public static QueryResult rejected(long viewIndex, Plan plan, AeroError rejection) {
    return new QueryResult(viewIndex, List.of(), 0, 0, plan, rejection);
  }
}
