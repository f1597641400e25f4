package io.aerodb.bench;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.WriteReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measures a planned leader change as an application sees it: one client writes small documents
 * back to back; after one second of writes acknowledged by the old leader it launches the transfer
 * command (everything after {@code --}, e.g. {@code scripts/aerodb cluster transfer-leader --to
 * n2}), and keeps writing until a write is acknowledged by another node. Prints one JSON line:
 * {@code first_new_ack_ms} (from launching the command to the first write acknowledged by the new
 * leader — includes the CLI's own JVM start), {@code write_pause_ms} (from the last write the old
 * leader acknowledged to that first write: the gap the application saw) and {@code command_ms}.
 * Bounded by {@code --timeout-s}.
 *
 * <p>Usage: {@code TransferProbe --endpoints E --collection C --old-leader n1 [--timeout-s 30] --
 * COMMAND...}
 */
public final class TransferProbe {
  private TransferProbe() {}

  public static void main(String[] args) throws Exception {
    int dd = Arrays.asList(args).indexOf("--");
    if (dd < 0 || dd == args.length - 1) {
      System.err.println(
          "usage: TransferProbe --endpoints E --collection C --old-leader ID [--timeout-s S] --"
              + " COMMAND...");
      System.exit(2);
    }
    Map<String, String> o = LoadGen.parse(Arrays.copyOfRange(args, 0, dd));
    List<String> command = new ArrayList<>(Arrays.asList(args).subList(dd + 1, args.length));
    String oldLeader = o.get("old-leader");
    String collection = o.get("collection");
    double timeoutS = Double.parseDouble(o.getOrDefault("timeout-s", "30"));
    AeroClient.Options opts =
        new AeroClient.Options(Duration.ofSeconds(2), Duration.ofSeconds(1), 20);
    try (AeroClient client =
        AeroClient.connect(AeroClient.parseEndpoints(o.get("endpoints")), opts)) {
      long seq = System.currentTimeMillis() * 1000;
      long warmUntil = System.nanoTime() + 1_000_000_000L;
      long giveUp = System.nanoTime() + (long) (timeoutS * 1e9);
      long lastOldAck = 0;
      while (System.nanoTime() < warmUntil || lastOldAck == 0) {
        if (System.nanoTime() > giveUp) {
          throw new IllegalStateException("no write acknowledged by " + oldLeader);
        }
        try {
          WriteReply r = client.insert(collection, doc(++seq));
          if (r.getNodeId().equals(oldLeader)) {
            lastOldAck = System.nanoTime();
          }
        } catch (AeroClientException e) {
          Thread.sleep(5);
        }
      }
      long launched = System.nanoTime();
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      StringBuilder out = new StringBuilder();
      Thread drain =
          new Thread(
              () -> {
                try {
                  out.append(
                      new String(
                          p.getInputStream().readAllBytes(),
                          java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException ignored) {
                  // the command's output is only reported
                }
              });
      drain.start();
      long firstNewAck = 0;
      String newLeader = "";
      int attempts = 0;
      while (System.nanoTime() < giveUp) {
        attempts++;
        try {
          WriteReply r = client.insert(collection, doc(++seq));
          if (r.getNodeId().equals(oldLeader)) {
            lastOldAck = System.nanoTime();
          } else {
            firstNewAck = System.nanoTime();
            newLeader = r.getNodeId();
            break;
          }
        } catch (AeroClientException e) {
          Thread.sleep(2);
        }
      }
      boolean exited =
          p.waitFor(Math.max(1, (giveUp - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      long cmdDone = System.nanoTime();
      if (!exited) {
        p.destroyForcibly();
      }
      drain.join(2000);
      JsonLine line =
          JsonLine.of("type", "transfer_probe")
              .put("old_leader", oldLeader)
              .put("new_leader", newLeader)
              .put("command", String.join(" ", command))
              .put("command_exit", exited ? p.exitValue() : -1)
              .put("command_ms", (cmdDone - launched) / 1e6)
              .put("attempts", attempts);
      if (firstNewAck > 0) {
        line.put("first_new_ack_ms", (firstNewAck - launched) / 1e6)
            .put("write_pause_ms", (firstNewAck - lastOldAck) / 1e6);
      } else {
        line.put("error", "no write acknowledged by another node within " + timeoutS + " s")
            .put("command_output", out.toString().strip());
      }
      System.out.println(line);
      System.exit(firstNewAck > 0 ? 0 : 1);
    }
  }

  private static String doc(long seq) {
    return BenchDocs.small("transfer-" + seq, seq);
  }
}
