package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.client.ClientErrors;
import io.aerodb.core.error.ErrorCode;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The error catalogue is one list (core ErrorCode): docs/ERRORS.md is generated from it (rewrite
 * with -Daerodb.rewrite=true), every code has the AERO_CATEGORY_NAME shape and maps to a real gRPC
 * status, and the codes the client produces on its own exist in the catalogue with the same
 * severity.
 */
class ErrorCatalogueTest {
  private static final Path DOC = Paths.get("../docs/ERRORS.md");

  @Test
  void docsListEveryCode() throws Exception {
    StringBuilder sb = new StringBuilder();
    sb.append("# AeroDB error catalogue\n\n")
        .append("Generated from `aerodb-core/.../error/ErrorCode.java` by `ErrorCatalogueTest` ")
        .append("(`mvn -pl aerodb-node test -Dtest=ErrorCatalogueTest -Daerodb.rewrite=true`). ")
        .append("Codes are stable: never renamed, never reused.\n\n")
        .append(
            "Severity: REJECT = the client must fix the request; ERROR = this operation failed, a retry may ")
        .append(
            "succeed; FATAL = the node stops serving. The CLI exits 1 for REJECT, 3 for ERROR, 4 for ")
        .append("AERO_OUTCOME_UNKNOWN, 5 for FATAL (2 for a usage error).\n\n")
        .append("| code | severity | gRPC status | invariant | meaning |\n")
        .append("|---|---|---|---|---|\n");
    for (ErrorCode c : ErrorCode.values()) {
      sb.append("| `")
          .append(c.name())
          .append("` | ")
          .append(c.severity())
          .append(" | ")
          .append(c.statusClass())
          .append(" | ")
          .append(c.invariant().isEmpty() ? "" : "[" + c.invariant() + "]")
          .append(" | ")
          .append(c.summary().replace("|", "\\|"))
          .append(" |\n");
    }
    String expected = sb.toString();
    if (Boolean.getBoolean("aerodb.rewrite")) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("docs/ERRORS.md is stale; rewrite with -Daerodb.rewrite=true")
        .isEqualTo(expected);
  }

  @Test
  void codesHaveTheStableShapeAndARealStatus() {
    Pattern shape = Pattern.compile("AERO_[A-Z]+(_[A-Z0-9]+)*");
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(c.name()).matches(shape);
      assertThat(Status.Code.valueOf(c.statusClass().name())).isNotNull();
      assertThat(c.summary()).isNotBlank();
    }
  }

  @Test
  void clientProducedCodesBelongToTheCatalogue() {
    for (Map.Entry<String, String> e : ClientErrors.SEVERITIES.entrySet()) {
      ErrorCode c = ErrorCode.valueOf(e.getKey());
      assertThat(c.severity().name()).as(e.getKey()).isEqualTo(e.getValue());
    }
  }
}
