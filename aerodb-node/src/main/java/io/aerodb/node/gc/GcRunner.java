package io.aerodb.node.gc;

import io.aerodb.core.engine.Engine;
import io.aerodb.core.error.AeroException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs garbage collection on this node (docs/adr/0008): one daemon thread calls {@link
 * Engine#collectGarbage} in bounded steps ({@link #STEP_KEYS} keys each, one store batch, a pause
 * between steps so writes keep their share of the disk), and checks for new work every {@link
 * #IDLE_MS} when there is none. Never on the apply thread. At start it finishes a collection that a
 * crash interrupted (the persisted floor is above what was collected).
 */
public final class GcRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcRunner.class);

  /** Keys examined per step (one store batch of at most as many deletes plus index entries). */
  static final int STEP_KEYS = 2_000;

  /** Pause between two steps of a pass. */
  static final long STEP_PAUSE_MS = 1;

  /** How often an idle collector looks for a new floor. */
  static final long IDLE_MS = 200;

  private final Engine engine;
  private final ScheduledExecutorService thread;
  private volatile Engine.GcProgress last = new Engine.GcProgress(0, 0, 0, 0, false);
  private long deletedAtLastPass;

  public GcRunner(String nodeId, Engine engine) {
    this.engine = engine;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aerodb-gc-" + nodeId);
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    thread.schedule(this::step, 0, TimeUnit.MILLISECONDS);
  }

  private void step() {
    long delay = IDLE_MS;
    try {
      Engine.GcProgress before = last;
      Engine.GcProgress p = engine.collectGarbage(STEP_KEYS);
      last = p;
      if (p.passFloor() != 0 && before.passFloor() == 0) {
        LOG.atInfo()
            .addKeyValue("event", "GC_PASS_STARTED")
            .addKeyValue("floor", p.passFloor())
            .addKeyValue("collected", p.collected())
            .log("collecting history below floor {}", p.passFloor());
      }
      if (p.collected() > before.collected()) {
        LOG.atInfo()
            .addKeyValue("event", "GC_PASS_COMPLETED")
            .addKeyValue("collected", p.collected())
            .addKeyValue("deletedKeys", p.deletedKeys() - deletedAtLastPass)
            .log(
                "collected history below floor {}: {} keys deleted",
                p.collected(),
                p.deletedKeys() - deletedAtLastPass);
        deletedAtLastPass = p.deletedKeys();
      }
      if (p.more()) {
        delay = STEP_PAUSE_MS;
      }
    } catch (AeroException | IllegalStateException e) {
      // a store failure (the node stops on its own through apply) or a closed store (stopping)
      LOG.warn("garbage collection step failed: {}", e.toString());
      delay = IDLE_MS;
    } catch (RuntimeException e) {
      // never expected: logged loudly, the pass restarts (the engine reset it), the thread goes on
      LOG.atError()
          .addKeyValue("event", "GC_STEP_FAILED")
          .setCause(e)
          .log("garbage collection step failed: {}", e.toString());
      delay = IDLE_MS;
    }
    try {
      thread.schedule(this::step, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // closed
    }
  }

  /** The latest step's view: the floor, how far collection got, keys deleted since start. */
  public Engine.GcProgress progress() {
    return last;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS); // a step holds the store open until it ends
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
