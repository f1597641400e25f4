package io.aerodb.core.schema;

import io.aerodb.core.Golden;
import io.aerodb.core.document.Document;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Every schema rule of SPEC §1 [S1–S3], as data: testdata/validation.txt holds (schema, document)
 * pairs and the exact outcome — the canonical document, or the error code with its path, expected
 * and actual type and schema version. testdata/schemas.txt holds invalid schemas and the path and
 * rule each one breaks.
 */
class ValidationGoldenTest {

  @Test
  void documentsAgainstSchemas() throws Exception {
    Golden.check(
        "validation.txt",
        c -> {
          try {
            Schema schema = SchemaParser.parse(utf8(c.get("schema")));
            Document d = Document.admit(utf8(c.get("doc")), schema, "users", 3);
            return "ok " + d;
          } catch (AeroException e) {
            return render(e.error());
          }
        });
  }

  @Test
  void schemas() throws Exception {
    Golden.check(
        "schemas.txt",
        c -> {
          try {
            return "ok " + SchemaParser.parse(utf8(c.get("schema")));
          } catch (AeroException e) {
            return render(e.error());
          }
        });
  }

  static String render(AeroError e) {
    StringBuilder sb = new StringBuilder(e.code().name());
    e.details().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
