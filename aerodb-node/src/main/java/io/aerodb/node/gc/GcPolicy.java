package io.aerodb.node.gc;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.SetGcFloor;
import io.aerodb.core.command.Write;
import io.aerodb.core.engine.Engine;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.node.raft.RaftGateway;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention policy (docs/adr/0008): every {@code intervalMs}, a ready leader proposes the floor
 * "applied index minus retainEntries" when that is at least a tenth of retainEntries above the
 * current floor, so history reads reach back at least retainEntries entries and the floor moves in
 * a few entries, not one per write. Followers do nothing: the floor is a log entry every node
 * applies.
 */
public final class GcPolicy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcPolicy.class);

  private final RaftDivision raft;
  private final RaftGateway gateway;
  private final Engine engine;
  private final long retainEntries;
  private final ScheduledExecutorService thread;

  public GcPolicy(
      String nodeId,
      RaftDivision raft,
      RaftGateway gateway,
      Engine engine,
      long retainEntries,
      long intervalMs) {
    this.raft = raft;
    this.gateway = gateway;
    this.engine = engine;
    this.retainEntries = retainEntries;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aerodb-gc-policy-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** The floor the policy asks for at {@code applied}, or 0 for "not yet worth an entry". */
  static long proposal(long applied, long currentFloor, long retainEntries) {
    long floor = applied - retainEntries;
    long step = Math.max(1, retainEntries / 10);
    return floor >= currentFloor + step ? floor : 0;
  }

  private void tick() {
    if (!raft.isLeaderReady()) {
      return;
    }
    long floor = proposal(engine.applied().index(), engine.gcFloor(), retainEntries);
    if (floor == 0) {
      return;
    }
    try {
      CompletableFuture<CommandResult> r =
          gateway.write(Write.NO_REQUEST_ID, new SetGcFloor(floor));
      CommandResult result = r.get(30, TimeUnit.SECONDS);
      if (result.rejection() != null) {
        LOG.warn("the GC floor {} was refused: {}", floor, result.rejection().message());
      } else {
        LOG.atInfo()
            .addKeyValue("event", "GC_FLOOR_SET")
            .addKeyValue("floor", floor)
            .addKeyValue("commitIndex", result.commitIndex())
            .addKeyValue("cause", "policy")
            .log("GC floor {} (retain {} entries)", floor, retainEntries);
      }
    } catch (Exception e) {
      // not leader any more, a timeout: the next tick asks again
      LOG.debug("proposing the GC floor {} failed: {}", floor, e.toString());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
