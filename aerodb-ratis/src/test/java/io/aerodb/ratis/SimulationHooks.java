package io.aerodb.ratis;

import io.aerodb.core.engine.Engine;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the cluster simulation ({@code io.aerodb.ratis.sim}) needs from this package and cannot
 * reach from its own: a state machine whose reader "threads" are the caller's thread. A read asked
 * on the thread that applies (the simulation has only one) then runs at once, in order, instead of
 * on a pool: no thread is ever started, so a seed replays exactly.
 */
public final class SimulationHooks {
  private SimulationHooks() {}

  /** An {@link AeroStateMachine} whose reads run on the caller's thread. */
  public static AeroStateMachine stateMachineWithInlineReads(Engine engine, RaftEvents events) {
    return new AeroStateMachine(engine, events, new InlineExecutor());
  }

  /** Runs each task on the caller's thread; refuses tasks once shut down, as a pool does. */
  private static final class InlineExecutor extends AbstractExecutorService {
    private boolean shutdown;

    @Override
    public void execute(Runnable task) {
      if (shutdown) {
        throw new RejectedExecutionException("shut down");
      }
      task.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }
}
