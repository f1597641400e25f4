package io.aerodb.core.query;

import io.aerodb.core.index.FieldPath;

/**
 * The order of a query's results [T1]: by the value at {@code field}, ties by _id; descending
 * reverses the whole order (ties included). Documents without a scalar at the field come first in
 * ascending order; values of different type classes order bool, number, string.
 */
public record Sort(FieldPath field, boolean descending) {
  /** The default order: by _id, ascending. */
  public static final Sort BY_ID = new Sort(FieldPath.ID, false);

  public String direction() {
    return descending ? "DESC" : "ASC";
  }
}
