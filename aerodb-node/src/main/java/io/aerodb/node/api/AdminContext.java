package io.aerodb.node.api;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.install.StoreSender;
import io.aerodb.node.promotion.MembershipCoordinator;
import io.aerodb.node.promotion.TransferCoordinator;
import java.util.List;

/** What the admin service needs from the running node. */
public interface AdminContext extends NodeContext {
  TransferCoordinator transfers();

  MembershipCoordinator membership();

  EventLog events();

  List<AuthorityRecord> authorityHistory(long afterIndex, int limit);

  /** Sends this node's store to a member that installs it (PeerService.FetchStore). */
  StoreSender storeSender();

  /**
   * Takes a snapshot now (the store made durable, the log purged behind it); completes with its
   * index.
   */
  java.util.concurrent.CompletableFuture<Long> takeSnapshot();

  /**
   * Proposes the GC floor (this node must lead); completes with the result (a rejection is a
   * result), or exceptionally following the outcome rules.
   */
  /** Proposes a SetIdempotencyHorizon entry; completes with its result. */
  java.util.concurrent.CompletableFuture<io.aerodb.core.command.CommandResult>
      setIdempotencyHorizon(long entries);

  java.util.concurrent.CompletableFuture<io.aerodb.core.command.CommandResult> setGcFloor(
      long floor);
}
