package io.aerodb.core.query;

/** How a plan finds its candidates. */
public enum ScanKind {
  /** One document by _id (one lookup). */
  ID_GET,
  /** The documents of an _id in list, one lookup each. */
  ID_IN,
  /** The document keys between two _id bounds, in _id order. */
  ID_RANGE,
  /** The entries of a secondary index for one value, in _id order. */
  INDEX_EQ,
  /** The entries of a secondary index for each value of an in list, in (value, _id) order. */
  INDEX_IN,
  /** The entries of a secondary index between two bounds, in (value, _id) order. */
  INDEX_RANGE;

  public boolean isIdScan() {
    return this == ID_GET || this == ID_IN || this == ID_RANGE;
  }

  /** Whether the scan's values are listed (rather than bounded by a range). */
  public boolean isPointScan() {
    return this != ID_RANGE && this != INDEX_RANGE;
  }
}
