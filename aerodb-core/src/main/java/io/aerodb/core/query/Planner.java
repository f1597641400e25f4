package io.aerodb.core.query;

import io.aerodb.core.catalog.CollectionInfo;
import io.aerodb.core.catalog.IndexDefinition;
import io.aerodb.core.catalog.SchemaVersion;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.index.FieldPath;
import io.aerodb.core.index.IndexValueCodec;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.schema.FieldKind;
import io.aerodb.core.util.Bytes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rule-based query planner: a pure function of (query, catalog at the read view, limits), with
 * no statistics, clock or randomness, so the same inputs always give the same plan and the same
 * explain bytes [Q3]. It never reads documents.
 *
 * <p>Checks, in this order, each failure a rejection before any read:
 *
 * <ol>
 *   <li>the collection exists at the view (AERO_COLLECTION_NOT_FOUND);
 *   <li>for each filtered field in path order: some covered schema version declares it
 *       (AERO_QUERY_FIELD_UNKNOWN), as a scalar (AERO_QUERY_FIELD_NOT_SCALAR), with a type class
 *       that fits each operand (AERO_QUERY_VALUE_TYPE_MISMATCH); then the same for the sort field;
 *   <li>every filtered field has an index usable at the view, _id always has one
 *       (AERO_QUERY_UNINDEXED_FIELD) [Q2];
 *   <li>the sort field has one (AERO_QUERY_SORT_NOT_INDEXED) [Q2].
 * </ol>
 *
 * <p>Choice of the scanned field, first rule that applies, ties to the smallest field path (code
 * point order): (1) _id equality, (2) _id in, (3) indexed equality, (4) indexed in, (5) indexed
 * range (_id included). The scan streams in result order, and so stops at the limit, when the
 * result order is the scan's order: the sort field is the scanned field, or the order is by _id and
 * the scan reads a single value. Otherwise the scan runs ascending and the best {@code limit}
 * matches are kept.
 */
public final class Planner {
  private Planner() {}

  /** The plan, or throws AeroException with the rejection. */
  public static Plan plan(
      ParsedQuery q, Optional<CollectionInfo> collection, long view, QueryLimits limits) {
    if (collection.isEmpty() || !collection.get().existsAt(view)) {
      throw QueryErrors.of(
          ErrorCode.AERO_COLLECTION_NOT_FOUND,
          "collection '" + q.collection() + "' does not exist at read view " + view,
          "collection",
          q.collection(),
          "readView",
          Long.toString(view));
    }
    CollectionInfo info = collection.get();
    SortedMap<Integer, SchemaVersion> covered = info.schemasAt(view);
    SortedMap<String, IndexDefinition> indexes = info.indexesAt(view);

    // Predicates grouped by field, fields in path order (the parser sorted them).
    LinkedHashMap<String, List<Predicate>> byField = new LinkedHashMap<>();
    for (Predicate p : q.predicates()) {
      byField.computeIfAbsent(p.field().text(), f -> new ArrayList<>()).add(p);
    }
    for (List<Predicate> ps : byField.values()) {
      TreeSet<Byte> classes = typeClasses(ps.get(0).field(), covered, "filter");
      for (Predicate p : ps) {
        for (JsonValue operand : p.operands()) {
          byte c = IndexValueCodec.typeClass(operand);
          if (!classes.contains(c)) {
            throw QueryErrors.of(
                ErrorCode.AERO_QUERY_VALUE_TYPE_MISMATCH,
                "'"
                    + p.field()
                    + "' is "
                    + classNames(classes)
                    + " in the covered schema versions "
                    + covered.keySet()
                    + ", so the "
                    + IndexValueCodec.className(c)
                    + " operand of "
                    + p.op().keyword()
                    + " can never match",
                "field",
                p.field().text(),
                "operator",
                p.op().keyword(),
                "expected",
                classNames(classes),
                "actual",
                IndexValueCodec.className(c),
                "schemaVersions",
                covered.keySet().toString());
          }
        }
      }
    }
    Sort sort = q.sort() == null ? Sort.BY_ID : q.sort();
    typeClasses(sort.field(), covered, "sort");
    for (String field : byField.keySet()) {
      if (!field.equals("_id") && !indexes.containsKey(field)) {
        throw QueryErrors.of(
            ErrorCode.AERO_QUERY_UNINDEXED_FIELD,
            "'"
                + field
                + "' has no index usable at read view "
                + view
                + " (indexed: "
                + indexedFields(indexes)
                + "); create one with: index create "
                + q.collection()
                + " "
                + field,
            "field",
            field,
            "readView",
            Long.toString(view),
            "indexed",
            indexedFields(indexes));
      }
    }
    if (!sort.field().isId() && !indexes.containsKey(sort.field().text())) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_SORT_NOT_INDEXED,
          "the sort field '"
              + sort.field()
              + "' has no index usable at read view "
              + view
              + " (indexed: "
              + indexedFields(indexes)
              + ")",
          "field",
          sort.field().text(),
          "readView",
          Long.toString(view),
          "indexed",
          indexedFields(indexes));
    }

    // Choose the scanned field: the smallest (rank, path).
    String chosen = null;
    int chosenRank = Integer.MAX_VALUE;
    for (Map.Entry<String, List<Predicate>> e : byField.entrySet()) {
      int rank = rank(e.getKey(), e.getValue());
      if (rank < chosenRank) { // fields come in path order: the first of a rank is the smallest
        chosen = e.getKey();
        chosenRank = rank;
      }
    }
    List<Predicate> scanned = byField.get(chosen);
    boolean isId = chosen.equals("_id");
    long indexCreated = isId ? info.createdIndex() : indexes.get(chosen).createdIndex();

    ScanKind kind;
    List<JsonValue> values = List.of();
    Bound lower = null;
    Bound upper = null;
    byte rangeClass = 0;
    Predicate eq = find(scanned, Operator.EQ);
    Predicate in = find(scanned, Operator.IN);
    if (eq != null) {
      kind = isId ? ScanKind.ID_GET : ScanKind.INDEX_EQ;
      values = List.of(eq.operand());
    } else if (in != null) {
      kind = isId ? ScanKind.ID_IN : ScanKind.INDEX_IN;
      values = in.operands();
    } else {
      kind = isId ? ScanKind.ID_RANGE : ScanKind.INDEX_RANGE;
      for (Predicate p : scanned) {
        Bound b = new Bound(p.operand(), p.op() == Operator.GTE || p.op() == Operator.LTE);
        rangeClass = IndexValueCodec.typeClass(p.operand());
        if (p.op().isLowerBound()) {
          lower = tighter(lower, b, true);
        } else {
          upper = tighter(upper, b, false);
        }
      }
    }

    boolean singleValue = kind.isPointScan() && values.size() == 1;
    boolean streams =
        sort.field().text().equals(chosen)
            || kind == ScanKind.ID_GET
            || (sort.field().isId() && singleValue);
    boolean descendingScan = streams && sort.descending();

    List<Predicate> evaluation = new ArrayList<>(scanned);
    for (Map.Entry<String, List<Predicate>> e : byField.entrySet()) {
      if (!e.getKey().equals(chosen)) {
        evaluation.addAll(e.getValue());
      }
    }
    long examinedMax =
        kind == ScanKind.ID_GET || kind == ScanKind.ID_IN ? values.size() : limits.scanEntriesMax();
    return new Plan(
        q,
        view,
        new ArrayList<>(covered.keySet()),
        chosen,
        indexCreated,
        kind,
        values,
        lower,
        upper,
        rangeClass,
        evaluation,
        sort,
        q.sort() == null,
        streams,
        descendingScan,
        examinedMax,
        examinedMax);
  }

  /**
   * The planner's preference for scanning a field (lower is better): _id eq 0, _id in 1, indexed eq
   * 2, indexed in 3, range 4.
   */
  private static int rank(String field, List<Predicate> ps) {
    boolean id = field.equals("_id");
    if (find(ps, Operator.EQ) != null) {
      return id ? 0 : 2;
    }
    if (find(ps, Operator.IN) != null) {
      return id ? 1 : 3;
    }
    return 4;
  }

  private static Predicate find(List<Predicate> ps, Operator op) {
    for (Predicate p : ps) {
      if (p.op() == op) {
        return p;
      }
    }
    return null;
  }

  /** The tighter of two bounds on the same side; on equal values the exclusive one. */
  private static Bound tighter(Bound current, Bound candidate, boolean lowerSide) {
    if (current == null) {
      return candidate;
    }
    int c =
        Bytes.compare(
            IndexValueCodec.encode(candidate.value()), IndexValueCodec.encode(current.value()));
    if (c == 0) {
      return current.inclusive() ? candidate : current;
    }
    return (lowerSide ? c > 0 : c < 0) ? candidate : current;
  }

  /**
   * The type classes {@code field} has in the covered versions; rejects an undeclared or non-scalar
   * field.
   */
  private static TreeSet<Byte> typeClasses(
      FieldPath field, SortedMap<Integer, SchemaVersion> covered, String role) {
    TreeSet<Byte> classes = new TreeSet<>();
    boolean declared = false;
    TreeMap<Integer, String> kinds = new TreeMap<>();
    for (SchemaVersion v : covered.values()) {
      Optional<FieldKind> k = field.kindIn(v.schema());
      if (k.isPresent()) {
        declared = true;
        kinds.put(v.version(), k.get().keyword());
        byte c = FieldPath.typeClassOf(k.get());
        if (c != 0) {
          classes.add(c);
        }
      }
    }
    if (!declared) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_FIELD_UNKNOWN,
          "no covered schema version "
              + covered.keySet()
              + " declares the "
              + role
              + " field '"
              + field
              + "'",
          "field",
          field.text(),
          "schemaVersions",
          covered.keySet().toString());
    }
    if (classes.isEmpty()) {
      throw QueryErrors.of(
          ErrorCode.AERO_QUERY_FIELD_NOT_SCALAR,
          "the " + role + " field '" + field + "' is declared only as " + kinds.values() + "",
          "field",
          field.text(),
          "declared",
          kinds.toString());
    }
    return classes;
  }

  private static String classNames(TreeSet<Byte> classes) {
    List<String> names = new ArrayList<>();
    for (byte c : classes) {
      names.add(IndexValueCodec.className(c));
    }
    return String.join("|", names);
  }

  private static String indexedFields(SortedMap<String, IndexDefinition> indexes) {
    List<String> names = new ArrayList<>();
    names.add("_id");
    names.addAll(indexes.keySet());
    return String.join(",", names);
  }
}
