package io.aerodb.core.query;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.limits.Names;
import io.aerodb.core.store.KvStore;
import java.util.Optional;

/**
 * Query and explain at one read view: parse [Q1], plan [Q2, Q3], then (query only) execute [T1,
 * T2]. Every refusal before the read is a result with its code, never an exception; explain stops
 * after planning and so never reads a document.
 */
public final class Queries {
  private Queries() {}

  /** Parses and plans; throws AeroException with the rejection. Reads no document. */
  public static Plan plan(Catalog catalog, QueryRequest request, long view, QueryLimits limits) {
    Optional<AeroError> badName = Names.checkCollection(request.collection());
    if (badName.isPresent()) {
      throw badName.get().toException();
    }
    ParsedQuery parsed = QueryParser.parse(request, limits);
    return Planner.plan(parsed, catalog.collection(request.collection()), view, limits);
  }

  /** Runs the query at {@code view}; {@code catalog} must be at least as new as the view. */
  public static QueryResult run(
      KvStore store, Catalog catalog, QueryRequest request, long view, QueryLimits limits) {
    Plan plan;
    try {
      plan = plan(catalog, request, view, limits);
    } catch (AeroException e) {
      return QueryResult.rejected(view, null, e.error());
    }
    return QueryExecutor.execute(store, plan);
  }

  /**
   * The explain bytes of the query at {@code view} (a plan, or the rejection). Takes no store: it
   * cannot read a document [Q3, P4-8].
   */
  public static byte[] explain(
      Catalog catalog, QueryRequest request, long view, QueryLimits limits) {
    try {
      return Explain.of(plan(catalog, request, view, limits));
    } catch (AeroException e) {
      return Explain.ofRejection(request.collection(), view, e.error());
    }
  }
}
