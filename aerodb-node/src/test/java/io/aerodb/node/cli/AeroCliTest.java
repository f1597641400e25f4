package io.aerodb.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the command line picks the one command it builds (the rest of the CLI: ReadmeSessionIT). */
class AeroCliTest {
  @Test
  void theNamedCommandIsTheFirstWordThatIsNotARootOptionOrItsValue() {
    assertThat(AeroCli.commandNamed(new String[] {"get", "users", "u1"})).isEqualTo("get");
    assertThat(AeroCli.commandNamed(new String[] {"--cluster", "h:1", "--json", "get", "u"}))
        .isEqualTo("get");
    assertThat(AeroCli.commandNamed(new String[] {"--timeout", "2s", "cluster", "status"}))
        .isEqualTo("cluster");
    assertThat(AeroCli.commandNamed(new String[] {"--cluster=h:1", "insert", "c", "{}"}))
        .isEqualTo("insert");
    // a value that happens to be a command's name is still the option's value
    assertThat(AeroCli.commandNamed(new String[] {"--cluster", "get", "query", "c"}))
        .isEqualTo("query");
    assertThat(AeroCli.commandNamed(new String[] {"no-such-command"})).isNull();
    assertThat(AeroCli.commandNamed(new String[] {"--help"})).isNull();
    assertThat(AeroCli.commandNamed(new String[] {})).isNull();
    assertThat(AeroCli.commandNamed(new String[] {"--", "get"})).isNull();
  }

  @Test
  void theUsageOfAnUnknownCommandStillListsEveryCommand() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        AeroCli.run(
            new String[] {"no-such-command"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    String usage = err.toString(StandardCharsets.UTF_8);
    for (String command : AeroCli.COMMANDS.keySet()) {
      assertThat(usage).as(command).contains("  " + command + " ");
    }
  }

  @Test
  void aNamedCommandGetsItsOwnHelp() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AeroCli.run(
        new String[] {"get", "--help"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage: aerodb get");
  }
}
