package io.aerodb.core.json;

import static io.aerodb.core.error.ErrorCode.AERO_DOCUMENT_DUPLICATE_KEY;
import static io.aerodb.core.error.ErrorCode.AERO_DOCUMENT_MALFORMED;
import static io.aerodb.core.error.ErrorCode.AERO_DOCUMENT_NUMBER_OUT_OF_RANGE;
import static io.aerodb.core.error.ErrorCode.AERO_LIMIT_ARRAY_LENGTH;
import static io.aerodb.core.error.ErrorCode.AERO_LIMIT_NESTING_DEPTH;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorBounds;
import io.aerodb.core.error.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Strict JSON parser: exactly one value, no comments, no trailing content, no duplicate keys, no
 * NaN or Infinity, integer literals within 64 bits, valid Unicode (no lone surrogates). Bounded by
 * {@link JsonLimits}: depth is checked before descending, so hostile input cannot overflow the
 * stack.
 *
 * <p>Every failure is an {@link AeroException} with a catalogue code and the JSON path where it
 * happened. Thread-safe (the factory is immutable once built).
 */
public final class JsonReader {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(JsonSyntax.DEPTH_MAX)
                  .maxNumberLength(JsonSyntax.NUMBER_CHARS_MAX)
                  .maxStringLength(64 * 1024 * 1024)
                  .build())
          .build();

  private JsonReader() {}

  /**
   * Parses {@code utf8} as one JSON value. The caller checks size limits that need the canonical
   * form.
   */
  public static JsonValue parse(byte[] utf8, JsonLimits limits) {
    if (utf8.length > limits.bytesMax()) {
      throw AeroError.of(
              ErrorCode.AERO_LIMIT_DOCUMENT_SIZE,
              "input of " + utf8.length + " bytes exceeds the limit of " + limits.bytesMax(),
              "limit",
              "documentBytesMax",
              "limitValue",
              Integer.toString(limits.bytesMax()),
              "actual",
              Integer.toString(utf8.length))
          .toException();
    }
    try (JsonParser parser = FACTORY.createParser(utf8)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw malformed("the input is empty: AeroDB expects one JSON value", JsonPath.ROOT, parser);
      }
      JsonValue value = readValue(parser, first, JsonPath.ROOT, 1, limits);
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw malformed(
            "unexpected content after the JSON value (the input is one value, nothing follows it)",
            JsonPath.ROOT,
            parser);
      }
      return value;
    } catch (IOException e) {
      // Jackson refused the input (syntax, or its number-length constraint); parsing a byte array
      // does no I/O. Its own words never reach a user: JsonSyntax says why, in AeroDB's.
      throw refused(utf8, e);
    }
  }

  /** The input Jackson refused, explained by {@link JsonSyntax} (line, column, path). */
  private static AeroException refused(byte[] utf8, IOException e) {
    var problem = JsonSyntax.explain(utf8);
    if (problem.isPresent()) {
      return problem(problem.get());
    }
    // The explainer saw no problem where Jackson did: say where, not Jackson's words.
    JsonLocation loc = e instanceof JsonProcessingException j ? j.getLocation() : null;
    int line = loc == null ? 0 : loc.getLineNr();
    int column = loc == null ? 0 : loc.getColumnNr();
    return AeroError.of(
            AERO_DOCUMENT_MALFORMED,
            "invalid JSON at line "
                + line
                + ", column "
                + column
                + ": AeroDB accepts strict JSON (RFC 8259: double-quoted strings and names, no"
                + " comments, no trailing commas, finite numbers)",
            "line",
            Integer.toString(line),
            "column",
            Integer.toString(column))
        .toException();
  }

  private static JsonValue readValue(
      JsonParser parser, JsonToken token, JsonPath path, int depth, JsonLimits limits)
      throws IOException {
    switch (token) {
      case START_OBJECT:
        checkDepth(path, depth, limits);
        return readObject(parser, path, depth, limits);
      case START_ARRAY:
        checkDepth(path, depth, limits);
        return readArray(parser, path, depth, limits);
      case VALUE_STRING:
        return new JsonValue.Str(checkUnicode(parser.getText(), path, parser));
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw outOfRange(
              "integer literal "
                  + ErrorBounds.cut(parser.getText(), 40)
                  + " does not fit 64 bits (-9223372036854775808..9223372036854775807)",
              path);
        }
        return new JsonValue.Int(parser.getLongValue());
      case VALUE_NUMBER_FLOAT:
        double d = parser.getDoubleValue();
        if (!Double.isFinite(d)) {
          throw outOfRange(
              "number "
                  + ErrorBounds.cut(parser.getText(), 40)
                  + " is not a finite 64-bit float (at most about 1.8e308)",
              path);
        }
        return new JsonValue.Flt(d);
      case VALUE_TRUE:
        return new JsonValue.Bool(true);
      case VALUE_FALSE:
        return new JsonValue.Bool(false);
      case VALUE_NULL:
        return new JsonValue.Null();
      default:
        throw malformed("unexpected token " + token, path, parser);
    }
  }

  private static JsonValue readObject(
      JsonParser parser, JsonPath path, int depth, JsonLimits limits) throws IOException {
    TreeMap<String, JsonValue> fields = new TreeMap<>(JsonValue.KEY_ORDER);
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = checkUnicode(parser.currentName(), path, parser);
      JsonPath fieldPath = path.field(name);
      if (fields.containsKey(name)) {
        throw AeroError.of(
                AERO_DOCUMENT_DUPLICATE_KEY,
                "key '" + name + "' appears twice at " + path,
                "path",
                fieldPath.toString())
            .toException();
      }
      JsonToken valueToken = parser.nextToken();
      fields.put(name, readValue(parser, valueToken, fieldPath, depth + 1, limits));
    }
    if (token != JsonToken.END_OBJECT) {
      throw malformed("unterminated object", path, parser);
    }
    return new JsonValue.Obj(fields);
  }

  private static JsonValue readArray(JsonParser parser, JsonPath path, int depth, JsonLimits limits)
      throws IOException {
    List<JsonValue> elements = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw malformed("unterminated array", path, parser);
      }
      if (elements.size() == limits.arrayLengthMax()) {
        throw AeroError.of(
                AERO_LIMIT_ARRAY_LENGTH,
                "array at " + path + " is longer than the limit of " + limits.arrayLengthMax(),
                "path",
                path.toString(),
                "limit",
                "arrayLengthMax",
                "limitValue",
                Integer.toString(limits.arrayLengthMax()))
            .toException();
      }
      elements.add(readValue(parser, token, path.index(elements.size()), depth + 1, limits));
    }
    return new JsonValue.Arr(elements);
  }

  private static void checkDepth(JsonPath path, int depth, JsonLimits limits) {
    if (depth > limits.nestingDepthMax()) {
      throw AeroError.of(
              AERO_LIMIT_NESTING_DEPTH,
              "nesting at " + path + " is deeper than the limit of " + limits.nestingDepthMax(),
              "path",
              path.toString(),
              "limit",
              "nestingDepthMax",
              "limitValue",
              Integer.toString(limits.nestingDepthMax()))
          .toException();
    }
  }

  private static String checkUnicode(String s, JsonPath path, JsonParser parser) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw malformed("string has an unpaired surrogate", path, parser);
      }
      if (Character.isLowSurrogate(c)) {
        throw malformed("string has an unpaired surrogate", path, parser);
      }
    }
    return s;
  }

  /** A problem the reader itself found (after Jackson accepted the tokens so far). */
  private static AeroException malformed(String why, JsonPath path, JsonParser parser) {
    var loc = parser.currentLocation();
    return problem(JsonSyntax.atOffset(utf8Of(parser), loc.getByteOffset(), why, path));
  }

  private static byte[] utf8Of(JsonParser parser) {
    Object source = parser.currentLocation().contentReference().getRawContent();
    return source instanceof byte[] b ? b : new byte[0];
  }

  private static AeroException problem(JsonSyntax.Problem p) {
    return AeroError.of(
            p.code(),
            p.message(),
            "path",
            p.path().toString(),
            "line",
            Integer.toString(p.line()),
            "column",
            Integer.toString(p.column()))
        .toException();
  }

  private static AeroException outOfRange(String why, JsonPath path) {
    return AeroError.of(
            AERO_DOCUMENT_NUMBER_OUT_OF_RANGE, why + " at " + path, "path", path.toString())
        .toException();
  }
}
