package io.aerodb.ratis;

import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.store.KvStore;
import java.util.concurrent.CompletableFuture;

/**
 * How a follower behind the leader's purged log gets a whole store (notes/ratis-3.2.md §2.3,
 * notification mode; docs/adr/0007). Two steps, so that a crash at any point leaves either the old
 * store or the complete new one:
 *
 * <ol>
 *   <li>{@link #stage}: fetch a checkpoint of another member's store, at least at {@code minIndex},
 *       verify it and make it durable next to the live store; the live store is not touched. Runs
 *       on the installer's own threads, never a Ratis thread.
 *   <li>{@link #swapIn}: called by the state machine on the apply thread once Ratis paused it, with
 *       the live store closed: puts the staged store in its place (atomically, durably) and opens
 *       it.
 * </ol>
 */
public interface StoreInstaller {
  /**
   * Stages a store that reflects at least {@code minIndex}. Completes with the staged store's
   * applied state, or exceptionally (nothing staged; Ratis notifies again and a later call
   * retries).
   *
   * @param sourceId the member to fetch from (the leader that notified)
   */
  CompletableFuture<AppliedState> stage(String sourceId, long minIndex);

  /** Puts the staged store in place of the closed live one and opens it; see the class comment. */
  KvStore swapIn();

  /** This node cannot install (tests of the state machine alone): every stage fails. */
  StoreInstaller NONE =
      new StoreInstaller() {
        @Override
        public CompletableFuture<AppliedState> stage(String sourceId, long minIndex) {
          return CompletableFuture.failedFuture(
              new IllegalStateException("this node has no store installer"));
        }

        @Override
        public KvStore swapIn() {
          throw new IllegalStateException("this node has no store installer");
        }
      };
}
