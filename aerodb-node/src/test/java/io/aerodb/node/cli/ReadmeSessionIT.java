package io.aerodb.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.node.testing.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's session, run as a new user would type it: scripts/local-cluster.sh up (on its own
 * base port and directory), the aerodb commands with --json (one JSON object on stdout, exit codes
 * as documented), kill / start / pause / resume of a node, status, and down (which stops the nodes
 * by PID).
 */
class ReadmeSessionIT {
  private static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();

  @TempDir Path dir;
  private String base;

  private record Result(int exit, String stdout, String stderr) {}

  private Result run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, ROOT.resolve(cmd.get(0)).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
    Map<String, String> env = pb.environment();
    env.put("AERODB_SKIP_BUILD", "1");
    env.put("AERODB_BASE_PORT", base);
    env.put("AERODB_CLUSTER_DIR", dir.resolve("cluster").toString());
    env.remove("AERODB_CLUSTER");
    env.remove("AERODB_NODES"); // the README's cluster: 3 nodes, whatever the caller's shell says
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8).trim(),
        Files.readString(err, StandardCharsets.UTF_8).trim());
  }

  @AfterEach
  void down() throws Exception {
    if (base != null) {
      run("scripts/local-cluster.sh", "down");
    }
  }

  @Test
  void theReadmeSessionWorks() throws Exception {
    base = Integer.toString(freeBase());
    Result up = run("scripts/local-cluster.sh", "up");
    assertThat(up.exit()).as(up.stderr()).isZero();
    String clusterLine =
        up.stdout().lines().filter(l -> l.startsWith("AERODB_CLUSTER=")).findFirst().orElseThrow();
    String cluster = clusterLine.substring("AERODB_CLUSTER=".length());
    assertThat(cluster.split(",")).hasSize(3).allMatch(a -> a.startsWith("127.0.0.1:"));

    String schema =
        "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
            + "\"name\":{\"type\":\"string\",\"required\":true},\"age\":{\"type\":\"int\",\"required\":false}}}";
    Result create =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "collection",
            "create",
            "users",
            "--schema",
            schema,
            "--json");
    assertThat(create.exit()).as(create.stderr()).isZero();
    assertThat(create.stdout())
        .startsWith("{")
        .contains("\"schemaVersion\":1")
        .doesNotContain("\n");

    Result insert =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "insert",
            "users",
            "{\"_id\":\"u1\",\"name\":\"Ada\",\"age\":36}",
            "--json");
    assertThat(insert.exit()).isZero();
    assertThat(insert.stdout()).contains("\"op\":\"insert\"").contains("\"id\":\"u1\"");

    Result get = run("scripts/aerodb", "--cluster", cluster, "--json", "get", "users", "u1");
    assertThat(get.exit()).isZero();
    assertThat(get.stdout())
        .contains("\"document\":{\"_id\":\"u1\",\"age\":36,\"name\":\"Ada\"}")
        .contains("\"consistency\":\"LINEARIZABLE\"");

    Result dup =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "insert",
            "users",
            "{\"_id\":\"u1\",\"name\":\"Ada\"}",
            "--json");
    assertThat(dup.exit()).isEqualTo(1);
    assertThat(dup.stdout()).startsWith("{\"error\":{\"code\":\"AERO_DOCUMENT_EXISTS\"");

    Result invalid =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "insert",
            "users",
            "{\"_id\":\"u2\",\"name\":null}",
            "--json");
    assertThat(invalid.exit()).isEqualTo(1);
    assertThat(invalid.stdout())
        .contains("AERO_VALIDATION_NULL_VALUE")
        .contains("\"invariant\":\"S3\"");

    // Compare-and-set, an atomic batch from a file, and what became of a request id.
    String version =
        java.util.regex.Pattern.compile("\"versionIndex\":(\\d+)")
            .matcher(get.stdout())
            .results()
            .findFirst()
            .orElseThrow()
            .group(1);
    Result stale =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "update",
            "users",
            "{\"_id\":\"u1\",\"name\":\"Ada L\"}",
            "--expected-version",
            Long.toString(Long.parseLong(version) - 1),
            "--json");
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.stdout())
        .contains("AERO_TXN_PRECONDITION_FAILED")
        .contains("\"actualVersion\":\"" + version + "\"")
        .contains("\"invariant\":\"TX2\"");
    Result cas =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "update",
            "users",
            "{\"_id\":\"u1\",\"name\":\"Ada L\",\"age\":37}",
            "--expected-version",
            version,
            "--request-id",
            "readme-cas-1",
            "--json");
    assertThat(cas.exit()).as(cas.stderr()).isZero();
    Path ops = dir.resolve("ops.json");
    Files.writeString(
        ops,
        "{\"operations\": [\n"
            + "  {\"op\": \"insert\", \"collection\": \"users\", \"document\": {\"_id\": \"u7\","
            + " \"name\": \"Grace\"}, \"expectedVersion\": \"absent\"},\n"
            + "  {\"op\": \"delete\", \"collection\": \"users\", \"id\": \"nobody\"}\n]}\n");
    Result batch =
        run("scripts/aerodb", "--cluster", cluster, "batch", "--file", ops.toString(), "--json");
    assertThat(batch.exit()).as(batch.stderr()).isZero();
    assertThat(batch.stdout()).contains("\"operationIndex\":1").contains("\"existed\":false");
    Result again = run("scripts/aerodb", "--cluster", cluster, "batch", "--file", ops.toString());
    assertThat(again.exit()).isEqualTo(1); // u7 exists now: the whole batch is refused
    assertThat(again.stderr())
        .contains("AERO_TXN_PRECONDITION_FAILED")
        .contains("operationIndex: 0");
    Result written =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "write-status",
            "--request-id",
            "readme-cas-1",
            "--json");
    assertThat(written.exit()).as(written.stderr()).isZero();
    assertThat(written.stdout()).contains("\"state\":\"COMMITTED\"");
    Result horizon =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "cluster",
            "idempotency-horizon",
            "--entries",
            "2000000",
            "--json");
    assertThat(horizon.exit()).as(horizon.stderr()).isZero();
    assertThat(horizon.stdout()).contains("\"entries\":2000000");
    Result lower =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "cluster",
            "idempotency-horizon",
            "--entries",
            "5");
    assertThat(lower.exit()).isEqualTo(1);
    assertThat(lower.stderr()).contains("AERO_IDEMPOTENCY_HORIZON_INVALID");
    Result unknown =
        run("scripts/aerodb", "--cluster", cluster, "write-status", "--request-id", "never-sent");
    assertThat(unknown.exit()).isZero();
    assertThat(unknown.stdout()).startsWith("unknown:");

    // The change stream from the start, then a bulk import and an export.
    Result watch =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "watch",
            "users",
            "--from-index",
            "1",
            "--max-events",
            "2",
            "--json");
    assertThat(watch.exit()).as(watch.stderr()).isZero();
    assertThat(watch.stdout().lines())
        .hasSize(2)
        .allMatch(l -> l.startsWith("{") && l.contains("\"collection\":\"users\""));
    assertThat(watch.stdout().lines().findFirst().orElseThrow())
        .contains("\"op\":\"insert\"")
        .contains("\"id\":\"u1\"");
    assertThat(watch.stderr()).contains("resume with: --from-index");
    Path jsonl = dir.resolve("people.jsonl");
    Files.writeString(
        jsonl,
        "{\"_id\":\"p1\",\"name\":\"Pat\"}\n{\"_id\":\"p2\",\"name\":2}\n{\"_id\":\"p3\",\"name\":\"Sam\"}\n");
    Result imported =
        run("scripts/aerodb", "--cluster", cluster, "import", "users", jsonl.toString(), "--json");
    assertThat(imported.exit()).isEqualTo(1); // one line rejected
    assertThat(imported.stdout())
        .contains("\"inserted\":2")
        .contains("\"rejected\":1")
        .contains("\"2\":\"AERO_VALIDATION_TYPE_MISMATCH");
    Path exported = dir.resolve("users.jsonl");
    Result export =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "export",
            "users",
            "--out",
            exported.toString());
    assertThat(export.exit()).as(export.stderr()).isZero();
    assertThat(Files.readAllLines(exported)).anyMatch(l -> l.contains("\"_id\":\"p3\""));

    // The status, the kill of a node, the cluster carrying on, and the node coming back.
    Result kill = run("scripts/local-cluster.sh", "kill", "n2");
    assertThat(kill.exit()).isZero();
    Result update =
        run(
            "scripts/aerodb",
            "--cluster",
            cluster,
            "update",
            "users",
            "{\"_id\":\"u1\",\"name\":\"Ada L.\",\"age\":37}",
            "--json");
    assertThat(update.exit()).as(update.stdout()).isZero();
    Result start = run("scripts/local-cluster.sh", "start", "n2");
    assertThat(start.exit()).isZero();
    Result pause = run("scripts/local-cluster.sh", "pause", "n3");
    assertThat(pause.exit()).isZero();
    Result status = run("scripts/local-cluster.sh", "status");
    assertThat(status.stdout()).contains("n3  paused");
    Result resume = run("scripts/local-cluster.sh", "resume", "n3");
    assertThat(resume.exit()).isZero();

    Result delete = run("scripts/aerodb", "--cluster", cluster, "delete", "users", "u1", "--json");
    assertThat(delete.exit()).isZero();
    assertThat(delete.stdout()).contains("\"existed\":true");
    Result deleteAgain =
        run("scripts/aerodb", "--cluster", cluster, "delete", "users", "u1", "--json");
    assertThat(deleteAgain.stdout()).contains("\"existed\":false");

    Result clusterStatus =
        run("scripts/aerodb", "--cluster", cluster, "cluster", "status", "--json");
    assertThat(clusterStatus.exit()).isZero();
    assertThat(clusterStatus.stdout())
        .contains("\"leaderId\":\"n")
        .contains("\"id\":\"n1\"")
        .contains("\"id\":\"n3\"");

    Result usage = run("scripts/aerodb", "--cluster", cluster, "insert", "--json");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.stdout()).startsWith("{\"error\":{\"code\":\"AERO_REQUEST_INVALID\"");

    Result down = run("scripts/local-cluster.sh", "down");
    assertThat(down.exit()).isZero();
    Result after = run("scripts/local-cluster.sh", "status");
    assertThat(after.stdout())
        .contains("n1  stopped")
        .contains("n2  stopped")
        .contains("n3  stopped");
    base = null;
  }

  /** A base port with BASE..BASE+21 free (the cluster uses BASE+0/1, +10/11, +20/21). */
  private static int freeBase() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = Ports.free(1).get(0);
      int b = 20_000 + (candidate % 20_000);
      if (allFree(b)) {
        return b;
      }
    }
    throw new IllegalStateException("no free base port");
  }

  private static boolean allFree(int b) {
    for (int off : new int[] {0, 1, 10, 11, 20, 21}) {
      try (java.net.ServerSocket s =
          new java.net.ServerSocket(b + off, 1, java.net.InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
