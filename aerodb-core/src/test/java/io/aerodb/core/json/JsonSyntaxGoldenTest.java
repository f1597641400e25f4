package io.aerodb.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.Golden;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.limits.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every way an input can fail to be strict JSON is explained in AeroDB's words, with its line,
 * column and path, never in the parser's (testdata/json-syntax.txt: each case's input lines are
 * joined with '\n'; {@code DIGITS5000} and {@code FRACTION1000} stand for that many digits, {@code
 * \xff} for that raw byte). A number literal too long to be a 64-bit number is {@code
 * AERO_DOCUMENT_NUMBER_OUT_OF_RANGE}, not MALFORMED. And no answer contains a word of Jackson's own
 * messages (on the main of issue 14 every case below did: "Unexpected end-of-input",
 * "JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS", "maybe a (non-standard) comment?", ...).
 */
class JsonSyntaxGoldenTest {
  /** Fragments of Jackson's messages; none may reach a user. */
  private static final List<String> PARSER_WORDS =
      List.of(
          "Jackson",
          "JsonReadFeature",
          "StreamReadConstraints",
          "Feature",
          "enable",
          "non-standard",
          "Unexpected character",
          "Unrecognized",
          "end-of-input",
          "expected close marker",
          "was expecting",
          "code 1",
          "Illegal",
          "CTRL-CHAR");

  @Test
  void everySyntaxErrorIsExplainedInAeroDbsWords() throws Exception {
    List<String> leaked = new ArrayList<>();
    Golden.check(
        "json-syntax.txt",
        c -> {
          try {
            JsonReader.parse(input(c), Limits.DOCUMENT_JSON);
            return "ok";
          } catch (AeroException e) {
            String rendered = e.code() + " " + e.error().details() + " " + e.error().message();
            for (String w : PARSER_WORDS) {
              if (rendered.contains(w)) {
                leaked.add(c.name() + ": " + rendered);
              }
            }
            return rendered;
          }
        });
    assertThat(leaked).as("parser words in AeroDB errors").isEmpty();
  }

  private static byte[] input(Golden.Case c) {
    List<String> parts = new ArrayList<>();
    for (String l : c.lines()) {
      if (l.startsWith("input:")) {
        parts.add(l.length() > 7 ? l.substring(7) : "");
      }
    }
    String text =
        String.join("\n", parts)
            .replace("DIGITS5000", "9".repeat(5000))
            .replace("FRACTION1000", "1".repeat(1000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] pieces = text.split("\\\\xff", -1);
    for (int i = 0; i < pieces.length; i++) {
      if (i > 0) {
        out.write(0xff);
      }
      out.writeBytes(pieces[i].getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
