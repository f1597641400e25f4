package io.aerodb.core.query;

/**
 * The filter operators (SPEC §2). The declaration order is the order in which the operators of one
 * field are shown and evaluated.
 */
public enum Operator {
  EQ("eq"),
  IN("in"),
  GT("gt"),
  GTE("gte"),
  LT("lt"),
  LTE("lte");

  private final String keyword;

  Operator(String keyword) {
    this.keyword = keyword;
  }

  /** The keyword used in filters: eq, in, gt, gte, lt, lte. */
  public String keyword() {
    return keyword;
  }

  /** The operator for a filter keyword, or null. */
  public static Operator ofKeyword(String keyword) {
    for (Operator o : values()) {
      if (o.keyword.equals(keyword)) {
        return o;
      }
    }
    return null;
  }

  public boolean isLowerBound() {
    return this == GT || this == GTE;
  }

  public boolean isUpperBound() {
    return this == LT || this == LTE;
  }

  public boolean isRange() {
    return isLowerBound() || isUpperBound();
  }
}
