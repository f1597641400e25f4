package io.aerodb.bench.ratis;

import io.aerodb.ratis.RaftSettings;
import io.aerodb.ratis.RatisConfig;
import io.aerodb.ratis.RatisMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * One member of a Ratis-only cluster for {@code scripts/bench-ratis.sh}: Ratis 3.2 with AeroDB's
 * server properties ({@link RatisConfig#server}: fsync on, ReadIndex reads, the same log, cache and
 * appender settings) and a state machine that does nothing ({@link EchoStateMachine}). It measures
 * what Ratis alone costs per replicated write on this machine, next to etcd (issue 16, lever 4).
 *
 * <pre>
 * EchoServer ID DIR PEERS      PEERS: 127.0.0.1:7901,127.0.0.1:7911,... (member K is rK)
 * </pre>
 *
 * Runs until SIGTERM. Listens on 127.0.0.1 only.
 */
public final class EchoServer {
  /** The group every echo member and client uses. */
  public static final RaftGroupId GROUP =
      RaftGroupId.valueOf(
          UUID.nameUUIDFromBytes("aerodb-bench-ratis-echo".getBytes(StandardCharsets.UTF_8)));

  private EchoServer() {}

  /** The group of the members at these addresses, named r1, r2, ... in order. */
  public static RaftGroup group(String peers) {
    List<RaftPeer> list = new ArrayList<>();
    String[] addresses = peers.split(",");
    for (int i = 0; i < addresses.length; i++) {
      list.add(RaftPeer.newBuilder().setId("r" + (i + 1)).setAddress(addresses[i]).build());
    }
    return RaftGroup.valueOf(GROUP, list);
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 3) {
      System.err.println("usage: EchoServer ID DIR PEERS");
      System.exit(2);
    }
    String id = args[0];
    Path dir = Path.of(args[1]);
    RaftGroup group = group(args[2]);
    RaftPeer self =
        group.getPeers().stream()
            .filter(p -> p.getId().toString().equals(id))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no member " + id + " in " + args[2]));
    String[] hostPort = self.getAddress().split(":");
    if (!hostPort[0].startsWith("127.")) {
      throw new IllegalArgumentException("loopback addresses only: " + self.getAddress());
    }
    Files.createDirectories(dir);
    RatisMetrics.install(); // as the node does: keeps Ratis' default JMX reporter off
    RatisConfig config =
        RatisConfig.server(
            new RaftSettings(
                dir,
                hostPort[0],
                Integer.parseInt(hostPort[1]),
                500, // election timeout, request timeout: the node's defaults (NodeConfigLoader,
                1000, // which this module does not depend on)
                3000,
                true,
                RaftSettings.SNAPSHOT_EVERY_ENTRIES,
                RaftSettings.LOG_RETAIN_ENTRIES,
                RaftSettings.LOG_SEGMENT_BYTES));
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(id))
            .setGroup(group)
            .setProperties(config.properties())
            .setStateMachine(new EchoStateMachine())
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (IOException e) {
                    System.err.println("close: " + e);
                  }
                  stopped.countDown();
                }));
    server.start();
    System.err.println("echo member " + id + " serving at " + self.getAddress());
    stopped.await();
  }
}
