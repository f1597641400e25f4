package io.aerodb.core.error;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The size an error may have when it leaves a node. Errors echo what the client sent (a collection
 * name, an id, a field path), and a client can send 10,000 characters of it; an error travels in
 * gRPC trailers, which a standard client refuses above 8 KiB. So the message is cut to {@link
 * #MESSAGE_BYTES_MAX} and, when the details together exceed {@link #DETAILS_BYTES_MAX}, the longest
 * values are cut first — to {@link #ECHO_BYTES_MAX}, then to {@link #ECHO_BYTES_MIN} — until they
 * fit. An error within the budget (every error a well-formed request can cause, transfer decisions
 * included) is left whole.
 *
 * <p>A cut value keeps its prefix at a code-point boundary and ends with "…(+N bytes)", so the same
 * error always renders to the same bytes.
 */
public final class ErrorBounds {
  /** Largest message, in UTF-8 bytes. */
  public static final int MESSAGE_BYTES_MAX = 1024;

  /** Largest sum of the detail keys and values, in UTF-8 bytes. */
  public static final int DETAILS_BYTES_MAX = 3072;

  /** What a long detail value is cut to first. */
  public static final int ECHO_BYTES_MAX = 256;

  /** What a detail value is cut to if the details still do not fit. */
  public static final int ECHO_BYTES_MIN = 64;

  private ErrorBounds() {}

  /** {@code e} within the budget (itself if it already is). */
  public static AeroError bound(AeroError e) {
    String message = cut(e.message(), MESSAGE_BYTES_MAX);
    TreeMap<String, String> details = new TreeMap<>(e.details());
    if (detailBytes(details) > DETAILS_BYTES_MAX) {
      List<Map.Entry<String, String>> longestFirst = new ArrayList<>(details.entrySet());
      longestFirst.sort(
          Comparator.comparingInt((Map.Entry<String, String> d) -> -utf8(d.getValue()))
              .thenComparing(Map.Entry::getKey));
      for (int target : new int[] {ECHO_BYTES_MAX, ECHO_BYTES_MIN}) {
        for (Map.Entry<String, String> d : longestFirst) {
          if (detailBytes(details) <= DETAILS_BYTES_MAX) {
            break;
          }
          details.put(d.getKey(), cut(details.get(d.getKey()), target));
        }
      }
    }
    if (message.equals(e.message()) && details.equals(e.details())) {
      return e;
    }
    return new AeroError(e.code(), message, details);
  }

  /**
   * {@code s} cut to at most {@code bytesMax} UTF-8 bytes of its own plus the marker, at a code
   * point boundary.
   */
  public static String cut(String s, int bytesMax) {
    int total = utf8(s);
    if (total <= bytesMax) {
      return s;
    }
    int bytes = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      int n = utf8Length(cp);
      if (bytes + n > bytesMax) {
        break;
      }
      bytes += n;
      end += Character.charCount(cp);
    }
    return s.substring(0, end) + "…(+" + (total - bytes) + " bytes)";
  }

  private static int detailBytes(Map<String, String> details) {
    int sum = 0;
    for (Map.Entry<String, String> d : details.entrySet()) {
      sum += utf8(d.getKey()) + utf8(d.getValue());
    }
    return sum;
  }

  /** UTF-8 length as {@link String#getBytes} encodes it (a lone surrogate becomes '?'). */
  private static int utf8(String s) {
    int sum = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      sum += utf8Length(cp);
      i += Character.charCount(cp);
    }
    return sum;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    if (codePoint < 0x10000) {
      return Character.isSurrogate((char) codePoint) ? 1 : 3;
    }
    return 4;
  }
}
