package io.aerodb.core.query;

import java.util.List;

/**
 * A query that passed every check that needs no catalog ({@link QueryParser}).
 *
 * @param predicates sorted by (field, operator); never empty [Q1]
 * @param sort the requested order, or null for the default (by _id, ascending)
 * @param limit in [1, limitMax] [Q1]
 */
public record ParsedQuery(String collection, List<Predicate> predicates, Sort sort, long limit) {
  public ParsedQuery {
    predicates = List.copyOf(predicates);
  }
}
