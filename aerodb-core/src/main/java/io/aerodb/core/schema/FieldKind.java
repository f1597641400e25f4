package io.aerodb.core.schema;

/** The types of the schema language (SPEC §1). The lower-case name is the schema keyword. */
public enum FieldKind {
  STRING("string"),
  INT("int"),
  FLOAT("float"),
  BOOL("bool"),
  OBJECT("object"),
  ARRAY("array");

  private final String keyword;

  FieldKind(String keyword) {
    this.keyword = keyword;
  }

  public String keyword() {
    return keyword;
  }

  /** The kind for a schema keyword, or null if there is none. */
  public static FieldKind ofKeyword(String keyword) {
    for (FieldKind k : values()) {
      if (k.keyword.equals(keyword)) {
        return k;
      }
    }
    return null;
  }

  /** A scalar kind can be indexed and compared; objects and arrays cannot. */
  public boolean isScalar() {
    return this != OBJECT && this != ARRAY;
  }
}
