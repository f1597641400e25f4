package io.aerodb.node.fault;

import java.util.List;
import java.util.Set;

/** What a node's JSON log says went wrong, shortened for a scenario's report. */
final class NodeLog {
  private NodeLog() {}

  /**
   * What a node's log says went wrong: its FATAL lines, else its ERROR lines (event and message, no
   * stack traces; the first three different ones), or "no error logged".
   */
  static String firstProblem(String log) {
    for (String level : List.of("\"level\":\"FATAL\"", "\"level\":\"ERROR\"")) {
      Set<String> seen = new java.util.LinkedHashSet<>();
      for (String line : log.split("\n")) {
        if (line.contains(level) && seen.size() < 3) {
          String error = field(line, "error");
          int cause = error.lastIndexOf("Caused by: ");
          String why = cause >= 0 ? error.substring(cause) : error;
          int eol = why.indexOf("\\n");
          why = eol >= 0 ? why.substring(0, eol) : why;
          String text = (field(line, "event") + " " + field(line, "message") + " " + why).trim();
          seen.add(text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
      }
      if (!seen.isEmpty()) {
        return String.join(" | ", seen);
      }
    }
    return "no error logged";
  }

  /** The first cause in a log that names a checksum or corruption, or a note that none did. */
  static String corruptionNamed(String log) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "[A-Za-z.]*(Checksum|Corrupt)[A-Za-z]*Exception: [^\\\\\"]*")
            .matcher(log);
    return m.find() ? "; the cause named: " + m.group() : "; no checksum or corruption named";
  }

  /** A string field of a JSON log line (escapes left as they are; enough for a report). */
  private static String field(String line, String name) {
    String key = "\"" + name + "\":\"";
    int at = line.indexOf(key);
    if (at < 0) {
      return "";
    }
    int from = at + key.length();
    int to = from;
    while (to < line.length() && !(line.charAt(to) == '"' && line.charAt(to - 1) != '\\')) {
      to++;
    }
    return line.substring(from, to);
  }
}
