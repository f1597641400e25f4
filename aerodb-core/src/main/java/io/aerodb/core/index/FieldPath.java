package io.aerodb.core.index;

import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.limits.Names;
import io.aerodb.core.schema.FieldKind;
import io.aerodb.core.schema.FieldSpec;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.TypeSpec;
import java.util.List;
import java.util.Optional;

/**
 * A path to a field through nested objects, written with dots: {@code age}, {@code address.city}.
 * Paths never enter arrays (an index or a predicate addresses one value per document). Field names
 * contain no '.' (see {@link Names}), so the text form is unambiguous. Immutable.
 *
 * @param text the dotted form, also the index's name and the key of its entries
 * @param segments the field names from the root
 */
public record FieldPath(String text, List<String> segments) {
  /** The document id: always present, always a string, always "indexed" (by the document keys). */
  public static final FieldPath ID = new FieldPath("_id", List.of("_id"));

  public FieldPath {
    segments = List.copyOf(segments);
  }

  /**
   * Parses a dotted path, or returns why it is not one: 1 to {@code nestingDepthMax} segments, each
   * a valid field name ({@link Names#fieldNameProblem}); names starting with '_' at the root are
   * reserved, except {@code _id} on its own.
   */
  public static Parsed parse(String text) {
    if (text == null || text.isEmpty()) {
      return Parsed.problem("a field path is not empty");
    }
    if (text.equals("_id")) {
      return Parsed.ok(ID);
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length > Limits.NESTING_DEPTH_MAX) {
      return Parsed.problem(
          "a field path has at most " + Limits.NESTING_DEPTH_MAX + " segments (nestingDepthMax)");
    }
    for (int i = 0; i < parts.length; i++) {
      Optional<String> p = Names.fieldNameProblem(parts[i], i == 0);
      if (p.isPresent()) {
        return Parsed.problem("segment " + (i + 1) + " of '" + text + "': " + p.get());
      }
      if (i == 0 && parts[i].equals("_id")) {
        return Parsed.problem("_id is a string; it has no fields");
      }
    }
    return Parsed.ok(new FieldPath(text, List.of(parts)));
  }

  /** A parse outcome: the path, or the rule it breaks. */
  public record Parsed(FieldPath path, String problem) {
    static Parsed ok(FieldPath p) {
      return new Parsed(p, null);
    }

    static Parsed problem(String why) {
      return new Parsed(null, why);
    }

    public boolean isOk() {
      return path != null;
    }
  }

  public boolean isId() {
    return text.equals("_id");
  }

  /** The value at this path in {@code document}, if every step is an object holding the field. */
  public Optional<JsonValue> extract(JsonValue.Obj document) {
    JsonValue current = document;
    for (String s : segments) {
      if (!(current instanceof JsonValue.Obj o)) {
        return Optional.empty();
      }
      current = o.get(s);
      if (current == null) {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  /** The kind this path is declared with in {@code schema}, or empty if it is not declared. */
  public Optional<FieldKind> kindIn(Schema schema) {
    TypeSpec type = schema.root();
    for (String s : segments) {
      if (type.kind() != FieldKind.OBJECT) {
        return Optional.empty();
      }
      FieldSpec f = type.fields().get(s);
      if (f == null) {
        return Optional.empty();
      }
      type = f.type();
    }
    return Optional.of(type.kind());
  }

  /**
   * The type class (see {@link IndexValueCodec}) of a scalar kind, or 0 for objects and arrays.
   * Ints and floats share the number class: they compare by value.
   */
  public static byte typeClassOf(FieldKind kind) {
    switch (kind) {
      case STRING:
        return IndexValueCodec.STRING;
      case INT:
      case FLOAT:
        return IndexValueCodec.NUMBER;
      case BOOL:
        return IndexValueCodec.BOOL;
      default:
        return 0;
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
