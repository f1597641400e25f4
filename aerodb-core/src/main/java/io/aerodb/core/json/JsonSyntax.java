package io.aerodb.core.json;

import io.aerodb.core.error.ErrorBounds;
import io.aerodb.core.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Why some bytes are not the strict JSON {@link JsonReader} accepts, in AeroDB's words, with the
 * line, column and path of the first problem. The parser (Jackson) decides; this class only
 * explains, so that no parser's own message ("enable JsonReadFeature...", "maybe a (non-standard)
 * comment?") reaches a user. It is a recognizer of RFC 8259 JSON that stops at the first problem:
 * invalid UTF-8, a comment, single quotes, an unquoted name, a trailing comma, NaN or Infinity, a
 * bad escape, a control character in a string, leading zeros, a number literal longer than {@link
 * #NUMBER_CHARS_MAX} (out of range), an unclosed object, array or string, trailing content.
 *
 * <p>Only called on input the parser refused, so it is never on a hot path. Bounded: nesting deeper
 * than {@link #DEPTH_MAX} is itself reported, so recursion stays shallow.
 */
public final class JsonSyntax {
  /** The longest number literal, as the parser's own constraint (JsonReader keeps them equal). */
  public static final int NUMBER_CHARS_MAX = 1_000;

  /** The deepest nesting explained, as the parser's own constraint. */
  public static final int DEPTH_MAX = 1_000;

  /** A problem at a position: 1-based line and column (in characters), and the JSON path. */
  public record Problem(ErrorCode code, String what, JsonPath path, int line, int column) {
    /** "invalid JSON at line 1, column 9 (path $.age): ..." */
    public String message() {
      return "invalid JSON at line "
          + line
          + ", column "
          + column
          + (path.isRoot() ? "" : " (" + path + ")")
          + ": "
          + what;
    }
  }

  private final String text;
  private int pos;

  private JsonSyntax(String text) {
    this.text = text;
  }

  /** The first problem of {@code utf8} as strict JSON, or empty if this class sees none. */
  public static Optional<Problem> explain(byte[] utf8) {
    int bad = firstInvalidUtf8(utf8);
    if (bad >= 0) {
      String before = new String(utf8, 0, bad, StandardCharsets.UTF_8);
      return Optional.of(
          at(
              before,
              before.length(),
              ErrorCode.AERO_DOCUMENT_MALFORMED,
              "the input is not valid UTF-8 (byte " + bad + ")",
              JsonPath.ROOT));
    }
    JsonSyntax s = new JsonSyntax(new String(utf8, StandardCharsets.UTF_8));
    try {
      s.skipSpace();
      if (s.pos == s.text.length()) {
        throw s.problem("the input is empty: AeroDB expects one JSON value", JsonPath.ROOT);
      }
      s.value(JsonPath.ROOT, 1);
      s.skipSpace();
      if (s.pos < s.text.length()) {
        throw s.problem(
            "unexpected "
                + s.describe(s.pos)
                + " after the JSON value (the input is one value, nothing follows it)",
            JsonPath.ROOT);
      }
      return Optional.empty();
    } catch (Found f) {
      return Optional.of(f.problem);
    }
  }

  /** Thrown to stop at the first problem; carries it. */
  private static final class Found extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Problem problem;

    Found(Problem problem) {
      super(null, null, false, false);
      this.problem = problem;
    }
  }

  private void value(JsonPath path, int depth) {
    if (pos == text.length()) {
      throw problem("the input ends where a value was expected", path);
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{' -> object(path, depth);
      case '[' -> array(path, depth);
      case '"' -> string(path);
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number(path);
      case '\'' ->
          throw problem("strings are written in double quotes (\"...\"), not single quotes", path);
      case '/', '#' -> throw problem("comments are not part of JSON", path);
      case '+' -> throw problem("numbers have no leading '+'", path);
      case '.' -> throw problem("a number starts with a digit (write 0.5, not .5)", path);
      default -> {
        if (Character.isLetter(c)) {
          word(path);
        } else {
          throw problem(
              "unexpected "
                  + describe(pos)
                  + " where a value was expected (an object, array, string in double quotes,"
                  + " number, true, false or null)",
              path);
        }
      }
    }
  }

  private void word(JsonPath path) {
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    String w = text.substring(start, pos);
    if (w.equals("true") || w.equals("false") || w.equals("null")) {
      return;
    }
    pos = start;
    if (w.equals("NaN") || w.equals("Infinity")) {
      throw problem(w + " is not a JSON number: AeroDB stores finite 64-bit numbers only", path);
    }
    throw problem(
        "'"
            + ErrorBounds.cut(w, 40)
            + "' is not a JSON value (values are objects, arrays, strings in double quotes,"
            + " numbers, true, false and null; names are lower case)",
        path);
  }

  private void object(JsonPath path, int depth) {
    int open = pos;
    nest(path, depth);
    pos++; // '{'
    skipSpace();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      skipSpace();
      if (pos == text.length()) {
        throw unclosed("object", open, '}', path);
      }
      char c = text.charAt(pos);
      if (c == '}') {
        throw problem("a ',' before '}' (a trailing comma) is not allowed", path);
      }
      if (c != '"') {
        throw c == '\''
            ? problem("field names are written in double quotes, not single quotes", path)
            : expected("a field name in double quotes", path);
      }
      String name = string(path);
      JsonPath field = path.field(name);
      skipSpace();
      if (peek() != ':') {
        if (pos == text.length()) {
          throw unclosed("object", open, '}', path);
        }
        throw expected("':' after the field name", field);
      }
      pos++;
      skipSpace();
      value(field, depth + 1);
      skipSpace();
      if (pos == text.length()) {
        throw unclosed("object", open, '}', path);
      }
      c = text.charAt(pos);
      if (c == '}') {
        pos++;
        return;
      }
      if (c != ',') {
        throw expected("',' or '}' after the value", field);
      }
      pos++;
    }
  }

  private void array(JsonPath path, int depth) {
    int open = pos;
    nest(path, depth);
    pos++; // '['
    skipSpace();
    if (peek() == ']') {
      pos++;
      return;
    }
    for (int i = 0; ; i++) {
      skipSpace();
      if (pos == text.length()) {
        throw unclosed("array", open, ']', path);
      }
      if (text.charAt(pos) == ']') {
        throw problem("a ',' before ']' (a trailing comma) is not allowed", path);
      }
      JsonPath element = path.index(i);
      value(element, depth + 1);
      skipSpace();
      if (pos == text.length()) {
        throw unclosed("array", open, ']', path);
      }
      char c = text.charAt(pos);
      if (c == ']') {
        pos++;
        return;
      }
      if (c != ',') {
        throw expected("',' or ']' after the value", element);
      }
      pos++;
    }
  }

  /** Reads a string at {@code pos} (a '"'); returns its raw content (escapes not decoded). */
  private String string(JsonPath path) {
    int open = pos;
    pos++;
    StringBuilder raw = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return raw.toString();
      }
      if (c < 0x20) {
        throw problem(
            "a control character ("
                + codePoint(c)
                + ") inside a string is written as an escape (\\n, \\t, \\u00"
                + String.format(Locale.ROOT, "%02x", (int) c)
                + ")",
            path);
      }
      if (c == '\\') {
        if (pos + 1 == text.length()) {
          break;
        }
        char e = text.charAt(pos + 1);
        if (e == 'u') {
          for (int k = 2; k < 6; k++) {
            if (pos + k >= text.length() || Character.digit(text.charAt(pos + k), 16) < 0) {
              throw problem("\\u is followed by exactly four hex digits (\\u00e9)", path);
            }
          }
          raw.append(text, pos, pos + 6);
          pos += 6;
          continue;
        }
        if ("\"\\/bfnrt".indexOf(e) < 0) {
          throw problem(
              "\\"
                  + (e < 0x20 ? codePoint(e) : String.valueOf(e))
                  + " is not a JSON escape (they are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
              path);
        }
        raw.append(c).append(e);
        pos += 2;
        continue;
      }
      raw.append(c);
      pos++;
    }
    pos = open;
    throw problem("the string that starts here is not closed (a '\"' is missing)", path);
  }

  private void number(JsonPath path) {
    int start = pos;
    if (peek() == '-') {
      pos++;
      if (pos < text.length() && Character.isLetter(text.charAt(pos))) {
        if (text.startsWith("Infinity", pos)) {
          pos = start;
          throw problem(
              "-Infinity is not a JSON number: AeroDB stores finite 64-bit numbers only", path);
        }
      }
    }
    if (!isDigit(peek())) {
      throw problem("a '-' is followed by digits", path);
    }
    if (peek() == '0' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1))) {
      pos = start;
      throw problem("numbers have no leading zeros (write 7, not 07)", path);
    }
    digits();
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw problem("a '.' in a number is followed by digits (write 1.0, not 1.)", path);
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw problem("an exponent is followed by digits (1e5, 1e-5)", path);
      }
      digits();
    }
    int length = pos - start;
    if (length > NUMBER_CHARS_MAX) {
      pos = start;
      throw new Found(
          at(
              text,
              pos,
              ErrorCode.AERO_DOCUMENT_NUMBER_OUT_OF_RANGE,
              "a number literal of "
                  + length
                  + " characters is out of range (AeroDB numbers are 64-bit integers or finite"
                  + " 64-bit floats, written in at most "
                  + NUMBER_CHARS_MAX
                  + " characters)",
              path));
    }
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void nest(JsonPath path, int depth) {
    if (depth > DEPTH_MAX) {
      throw problem("nesting is deeper than " + DEPTH_MAX + " levels", path);
    }
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private Found unclosed(String what, int open, char close, JsonPath path) {
    int[] lc = lineColumn(text, open);
    return problem(
        "the input ends inside the "
            + what
            + " that starts at line "
            + lc[0]
            + ", column "
            + lc[1]
            + " (a '"
            + close
            + "' is missing)",
        path);
  }

  /** "expected X, found Y" — or, when Y starts a comment, that comments are not JSON. */
  private Found expected(String what, JsonPath path) {
    char c = peek();
    if (c == '/' || c == '#') {
      return problem("comments are not part of JSON", path);
    }
    return problem("expected " + what + ", found " + describe(pos), path);
  }

  private Found problem(String what, JsonPath path) {
    return new Found(at(text, pos, ErrorCode.AERO_DOCUMENT_MALFORMED, what, path));
  }

  /** "'x' (U+0078)" or "a control character (U+000A)", or "the end of the input". */
  private String describe(int at) {
    if (at >= text.length()) {
      return "the end of the input";
    }
    int cp = text.codePointAt(at);
    if (cp < 0x20 || cp == 0x7f) {
      return "a control character (" + codePoint(cp) + ")";
    }
    return "'" + new String(Character.toChars(cp)) + "' (" + codePoint(cp) + ")";
  }

  private static String codePoint(int cp) {
    return String.format(Locale.ROOT, "U+%04X", cp);
  }

  /** A problem at byte {@code offset} of {@code utf8} (for the reader's own checks). */
  static Problem atOffset(byte[] utf8, long offset, String what, JsonPath path) {
    int end = (int) Math.max(0, Math.min(offset, utf8.length));
    String before = new String(utf8, 0, end, StandardCharsets.UTF_8);
    return at(before, before.length(), ErrorCode.AERO_DOCUMENT_MALFORMED, what, path);
  }

  private static Problem at(String text, int pos, ErrorCode code, String what, JsonPath path) {
    int[] lc = lineColumn(text, pos);
    return new Problem(code, what, path, lc[0], lc[1]);
  }

  /** 1-based line and column (in characters) of {@code pos}. */
  private static int[] lineColumn(String text, int pos) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < pos && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new int[] {line, pos - lineStart + 1};
  }

  /** The offset of the first byte that is not part of valid UTF-8, or -1. */
  private static int firstInvalidUtf8(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int n;
      int min;
      if (c < 0x80) {
        i++;
        continue;
      } else if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        min = 0x10000;
      } else {
        return i;
      }
      if (i + n >= b.length) {
        return i;
      }
      int cp = c & (0x3f >> n);
      for (int k = 1; k <= n; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) {
          return i;
        }
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return i;
      }
      i += n + 1;
    }
    return -1;
  }
}
