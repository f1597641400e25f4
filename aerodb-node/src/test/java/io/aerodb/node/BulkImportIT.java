package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.client.AeroClient;
import io.aerodb.node.cli.AeroCli;
import io.aerodb.node.testing.InProcessCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * aerodb import and export on an in-process 3-node cluster: a JSON Lines file with a few bad lines
 * (malformed, invalid under the schema, an _id twice, a blank line) imports with exact counts and
 * the bad lines named; an import killed with SIGKILL in the middle and run again with --resume
 * inserts every good line exactly once; an export at one index holds exactly the documents of that
 * index, in _id order. Documents: {@code aerodb.importDocs} (default 20,000; the 100,000
 * with -Daerodb.importDocs=100000).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkImportIT {
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true},"
          + "\"pad\":{\"type\":\"string\",\"required\":true}}}";
  private static final int DOCS = Integer.getInteger("aerodb.importDocs", 20_000);

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;
  String endpoints;

  @BeforeAll
  void start() throws Exception {
    cluster = new InProcessCluster(dir.resolve("cluster"), 3);
    cluster.awaitLeader(30_000);
    endpoints = String.join(",", cluster.layout.apiAddresses());
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("docs", SCHEMA);
    client.createCollection("again", SCHEMA);
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private record Run(int exit, String out, String err) {}

  private Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--cluster", endpoints));
    all.addAll(List.of(args));
    int exit =
        AeroCli.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * DOCS lines, 1-based: 7 malformed, 5000 invalid (n a string), 9000 repeats 10's _id, 12000
   * blank.
   */
  private static Path file(Path path) throws Exception {
    StringBuilder b = new StringBuilder();
    String pad = "x".repeat(200);
    for (int line = 1; line <= DOCS; line++) {
      switch (line) {
        case 7 -> b.append("{\"_id\":\"d7\",\"n\":");
        case 5000 -> b.append("{\"_id\":\"d5000\",\"n\":\"five\",\"pad\":\"p\"}");
        case 9000 -> b.append("{\"_id\":\"d00010\",\"n\":1,\"pad\":\"dup\"}");
        case 12000 -> b.append("   ");
        default ->
            b.append(String.format("{\"_id\":\"d%05d\",\"n\":%d,\"pad\":\"%s\"}", line, line, pad));
      }
      b.append('\n');
    }
    Files.writeString(path, b.toString());
    return path;
  }

  @Test
  @Order(1)
  void anImportCountsExactlyAndNamesTheBadLines() throws Exception {
    Path f = file(dir.resolve("docs.jsonl"));
    Run r = cli("--json", "import", "docs", f.toString(), "--batch", "500");
    assertThat(r.exit()).as(r.err()).isEqualTo(1); // some lines were rejected
    assertThat(r.out())
        .contains("\"inserted\":" + (DOCS - 4))
        .contains("\"rejected\":2")
        .contains("\"skipped\":1")
        .contains("\"blankLines\":1")
        .contains("\"7\":\"AERO_DOCUMENT_MALFORMED")
        .contains("\"5000\":\"AERO_VALIDATION_TYPE_MISMATCH")
        .contains("\"9000\":\"AERO_DOCUMENT_EXISTS");
    assertThat(Files.exists(dir.resolve("docs.jsonl.aerodb-import"))).isFalse();

    Path out = dir.resolve("export.jsonl");
    Run e = cli("--json", "export", "docs", "--out", out.toString());
    assertThat(e.exit()).as(e.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(DOCS - 4).isSorted();
    assertThat(lines.get(0))
        .isEqualTo("{\"_id\":\"d00001\",\"n\":1,\"pad\":\"" + "x".repeat(200) + "\"}");
    // an export at an earlier index holds that index's documents only
    long view = client.get("docs", "d00001").getVersionIndex();
    Run early =
        cli(
            "--json",
            "export",
            "docs",
            "--out",
            dir.resolve("early.jsonl").toString(),
            "--at-index",
            Long.toString(view));
    assertThat(early.exit()).as(early.err()).isZero();
    assertThat(Files.readAllLines(dir.resolve("early.jsonl")))
        .hasSizeLessThan(lines.size())
        .allMatch(lines::contains);

    // the same file again: a new run, nothing inserted twice, every present _id skipped in bulk
    Run again = cli("--json", "import", "docs", f.toString(), "--batch", "500");
    assertThat(again.exit()).as(again.err()).isEqualTo(1);
    assertThat(again.out())
        .contains("\"inserted\":0")
        .contains("\"skipped\":" + (DOCS - 3))
        .contains("\"rejected\":2");
    // a collection that does not exist stops the import at once (not one refusal per line)
    Run nowhere = cli("import", "nowhere", f.toString());
    assertThat(nowhere.exit()).isEqualTo(1);
    assertThat(nowhere.err()).contains("AERO_COLLECTION_NOT_FOUND").contains("--resume");
    Files.delete(dir.resolve("docs.jsonl.aerodb-import"));
  }

  @Test
  @Order(2)
  void anImportKilledMidwayAndResumedInsertsEveryLineOnce() throws Exception {
    Path f = file(dir.resolve("again.jsonl"));
    Path state = dir.resolve("again.jsonl.aerodb-import");
    Path log = dir.resolve("killed-import.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.aerodb.node.cli.AeroCli",
                "--cluster",
                endpoints,
                "import",
                "again",
                f.toString(),
                "--batch",
                "200")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < end
          && (!Files.exists(state)
              || !Files.readString(state).matches("(?s).*\"inserted\":[1-9].*"))) {
        Thread.sleep(20);
      }
      assertThat(p.isAlive())
          .as("the import was still running when killed: " + Files.readString(log))
          .isTrue();
      new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      if (p.isAlive()) {
        new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
      }
    }
    Run again = cli("import", "again", f.toString());
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("--resume");

    Run resumed = cli("--json", "import", "again", f.toString(), "--resume");
    assertThat(resumed.exit()).as(resumed.err()).isEqualTo(1);
    assertThat(resumed.out())
        .contains("\"inserted\":" + (DOCS - 4))
        .contains("\"rejected\":2")
        .contains("\"skipped\":1");
    Path out = dir.resolve("again-export.jsonl");
    assertThat(cli("export", "again", "--out", out.toString()).exit()).isZero();
    assertThat(Files.readAllLines(out)).hasSize(DOCS - 4).doesNotHaveDuplicates();
  }
}
