package io.aerodb.node.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in docs/ops/alerts.yml, checked by Prometheus' own tool: {@code promtool check
 * rules} (they parse and their expressions are valid PromQL) and {@code promtool test rules
 * alerts-test.yml} (synthetic {@code up} series: a lost majority of 3, 4 and 5 nodes, every node
 * down, no target; each alert fires exactly when it must, with its labels and text). That the
 * series the rules name exist in a live scrape is {@link ObservabilitySystemIT}'s part.
 */
class AlertRulesIT {
  private static final Path OPS =
      Path.of(System.getProperty("user.dir")).getParent().resolve("docs/ops");

  @Test
  void theAlertRulesParseAndFireExactlyWhenTheirTestsSay() throws Exception {
    assertThat(onPath("promtool"))
        .as(
            "promtool (Debian package prometheus; scripts/check installs it when run as root) is on the PATH")
        .isTrue();
    assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS");
    assertThat(promtool("test", "rules", "alerts-test.yml")).contains("SUCCESS");
  }

  private static String promtool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "promtool";
    System.arraycopy(args, 0, command, 1, args.length);
    Path output = Files.createTempFile("aerodb-promtool-", ".txt");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(OPS.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(done).as("promtool finished within 60 s").isTrue();
      assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
      return out;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
