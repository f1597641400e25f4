package io.aerodb.core.query;

import io.aerodb.core.json.JsonValue;
import java.util.List;

/**
 * The plan of a query at one read view: a pure function of the query, the collection's schema
 * versions and indexes usable at that view, and the node's query limits [Q3]. It never depends on
 * the documents, so {@code explain} computes it without reading any.
 *
 * @param readView the commit index whose state the whole query reads, index scan included [T2]
 * @param schemaVersions the schema versions the query covers: every version published at or below
 *     the view (docs/adr/0004)
 * @param indexField the index scanned: "_id" (the document keys) or a secondary index's field
 * @param indexCreatedIndex the log index that created the scanned index (its generation); for _id,
 *     the collection's creation
 * @param scan how candidates are found
 * @param scanValues for point scans: the values looked up, in ascending index order
 * @param lower for range scans: the lower bound, or null if open
 * @param upper for range scans: the upper bound, or null if open
 * @param rangeTypeClass for range scans: the type class the bounds restrict the scan to
 * @param predicates every predicate, in evaluation order: the scanned field's first, then by
 *     (field, operator); each candidate is re-checked against all of them [T2]
 * @param sort the result order [T1] ({@link Sort#BY_ID} when the query named none)
 * @param sortImplicit whether the query named no sort
 * @param streams whether the scan yields candidates in result order, so execution stops at the
 *     limit; otherwise the best {@code limit} matches are kept while the whole scan runs
 * @param descendingScan whether the scan runs in descending key order
 * @param entriesExaminedMax the proven bound on index entries (or _id positions) examined
 * @param documentsReadMax the proven bound on document versions read
 */
public record Plan(
    ParsedQuery query,
    long readView,
    List<Integer> schemaVersions,
    String indexField,
    long indexCreatedIndex,
    ScanKind scan,
    List<JsonValue> scanValues,
    Bound lower,
    Bound upper,
    byte rangeTypeClass,
    List<Predicate> predicates,
    Sort sort,
    boolean sortImplicit,
    boolean streams,
    boolean descendingScan,
    long entriesExaminedMax,
    long documentsReadMax) {

  public Plan {
    schemaVersions = List.copyOf(schemaVersions);
    scanValues = List.copyOf(scanValues);
    predicates = List.copyOf(predicates);
  }

  public String collection() {
    return query.collection();
  }

  public long limit() {
    return query.limit();
  }
}
