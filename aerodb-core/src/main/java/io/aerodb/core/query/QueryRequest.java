package io.aerodb.core.query;

/**
 * A query as a client sends it, before any check (SPEC §2): the filter is raw JSON text.
 *
 * @param collection the collection to query
 * @param filterJson a JSON object {@code {"<field path>": value | {"<op>": operand, ...}, ...}}
 * @param sortField the field path to order results by, or "" for the default order (by _id)
 * @param descending whether the sort is descending (the whole order reversed, _id ties included)
 * @param limit the most results to return; must be > 0 and at most the node's queryLimitMax
 */
public record QueryRequest(
    String collection, byte[] filterJson, String sortField, boolean descending, long limit) {}
