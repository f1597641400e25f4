package io.aerodb.core.json;

/**
 * Paths in error messages: {@code address.lines[2]}. The document itself is {@code $}. Immutable;
 * each step allocates, which is fine on error paths and for the shallow documents AeroDB accepts.
 */
public final class JsonPath {
  public static final JsonPath ROOT = new JsonPath(null, null, -1);

  private final JsonPath parent;
  private final String field;
  private final int index;

  private JsonPath(JsonPath parent, String field, int index) {
    this.parent = parent;
    this.field = field;
    this.index = index;
  }

  public JsonPath field(String name) {
    return new JsonPath(this, name, -1);
  }

  public JsonPath index(int i) {
    return new JsonPath(this, null, i);
  }

  public boolean isRoot() {
    return parent == null;
  }

  @Override
  public String toString() {
    if (isRoot()) {
      return "$";
    }
    StringBuilder sb = new StringBuilder();
    render(sb);
    return sb.toString();
  }

  private void render(StringBuilder sb) {
    if (isRoot()) {
      return;
    }
    parent.render(sb);
    if (field != null) {
      if (!parent.isRoot()) {
        sb.append('.');
      }
      sb.append(field);
    } else {
      sb.append('[').append(index).append(']');
    }
  }
}
