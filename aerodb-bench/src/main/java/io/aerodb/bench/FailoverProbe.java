package io.aerodb.bench;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.WriteReply;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures one failover as an application sees it: writes until the cluster answers, sends SIGKILL
 * to the leader's PID, then writes in a tight loop (one short attempt at a time) until a write is
 * acknowledged by another node. Prints one JSON line: the milliseconds from the kill to that
 * acknowledgement. Bounded: gives up after 30 s. Run by scripts/measure-failover.sh, which picks
 * the leader, restarts it afterwards and repeats.
 *
 * <p>Usage: FailoverProbe ENDPOINTS LEADER_ID LEADER_PID COLLECTION
 */
public final class FailoverProbe {
  private FailoverProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: FailoverProbe host:port,... LEADER_ID LEADER_PID COLLECTION");
      System.exit(2);
    }
    String leaderId = args[1];
    long pid = Long.parseLong(args[2]);
    String collection = args[3];
    AeroClient.Options oneShot =
        new AeroClient.Options(Duration.ofMillis(250), Duration.ofMillis(250), 2);
    try (AeroClient client = AeroClient.connect(AeroClient.parseEndpoints(args[0]), oneShot)) {
      long seq = System.currentTimeMillis() * 1000;
      long warmDeadline = System.nanoTime() + 10_000_000_000L;
      while (true) {
        try {
          WriteReply r = client.insert(collection, doc(++seq));
          if (r.getNodeId().equals(leaderId)) {
            break;
          }
        } catch (AeroClientException e) {
          if (System.nanoTime() > warmDeadline) {
            throw e;
          }
        }
      }
      long killedAt = System.nanoTime();
      Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -KILL " + pid + " failed");
      }
      int attempts = 0;
      long giveUp = killedAt + 30_000_000_000L;
      while (System.nanoTime() < giveUp) {
        attempts++;
        try {
          WriteReply r = client.insert(collection, doc(++seq));
          if (!r.getNodeId().equals(leaderId)) {
            double ms = (System.nanoTime() - killedAt) / 1e6;
            System.out.printf(
                Locale.ROOT,
                "{\"killed\":\"%s\",\"newLeader\":\"%s\",\"failoverMs\":%.1f,\"attempts\":%d,\"commitIndex\":%d}%n",
                leaderId,
                r.getNodeId(),
                ms,
                attempts,
                r.getCommitIndex());
            return;
          }
        } catch (AeroClientException e) {
          Thread.sleep(5);
        }
      }
      System.out.printf("{\"killed\":\"%s\",\"error\":\"no write within 30 s\"}%n", leaderId);
      System.exit(1);
    }
  }

  private static String doc(long seq) {
    return "{\"_id\":\"probe-" + seq + "\",\"n\":" + seq + "}";
  }
}
