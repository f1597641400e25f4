package io.aerodb.ratis.sim;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.ReadResult;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.ratis.AeroStateMachine;
import io.aerodb.ratis.LogEntryCodec;
import io.aerodb.ratis.RaftEvents;
import io.aerodb.ratis.SimulationHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;

/**
 * One simulated AeroDB node: the real {@link AeroStateMachine} over the real {@link Engine} over a
 * {@link MemoryKvStore}, and the node's Raft state as {@link SimulatedCluster} keeps it.
 *
 * <p>Fault model (what a node suffers, and what survives):
 *
 * <ul>
 *   <li><b>Power loss</b>: the store keeps what was last synced plus a random prefix of the batches
 *       written since ({@link MemoryKvStore#crash}: RocksDB's WAL without fsync recovers a prefix,
 *       never a gap, never part of a batch). Syncs happen only where the product makes them: {@code
 *       takeSnapshot} and {@code initialize} ({@code Engine.syncDurable}).
 *   <li><b>Process crash</b> (kill -9): every written batch survives.
 *   <li>Either way the Raft log and the current term survive whole: Ratis fsyncs the log before an
 *       entry counts toward a majority, so what a replica holds in {@link #log} is what it
 *       acknowledged. Leadership, the commit index it knew, its proposals and open batch are lost.
 *   <li><b>Restart</b>, as AeroNode does it: {@code Engine.open} on the surviving store, a new
 *       AeroStateMachine, {@code initialize} (which syncs the store and reports its applied index
 *       as the latest snapshot); then Ratis replays the committed log after that index.
 *   <li><b>Down</b> for a while (no replication, no votes, no apply), or <b>isolated</b> (a
 *       partition around it: up and applying what it knows is committed, but exchanging nothing; an
 *       isolated leader keeps accepting writes that cannot commit until it hears a higher term).
 * </ul>
 *
 * <p>Single-threaded: the simulation's one thread is also the StateMachineUpdater.
 */
final class SimulatedReplica {
  final int number;
  final String name;
  final RaftPeerId peerId;
  final ClientId localClientId;
  private final RaftGroupId groupId;
  private final StepEvents events;

  private MemoryKvStore store;
  private Engine engine;
  private AeroStateMachine stateMachine;

  /** The durable Raft log: entry i at position i - 1. */
  final List<RaftEntry> log = new ArrayList<>();

  long currentTerm;

  /** The commit index this replica knows (volatile: learned from the leader). */
  long commitIndex;

  /** Non-null while it believes it leads {@link LeaderState#term}. */
  LeaderState leadership;

  boolean up;
  long downUntilStep;
  long isolatedUntilStep;

  /** The highest index the current process reported durable (latest snapshot). */
  private long durableIndexReported;

  /** The highest index applied by any process of this replica (to tell replays apart). */
  private long highestApplied;

  private boolean crashedWithPowerLoss;
  private long appliedBeforeCrash;
  private long durableBeforeCrash;
  private int batchesLostInCrash;

  SimulatedReplica(int number, long seed, RaftGroupId groupId, StepEvents events) {
    this.number = number;
    this.name = "n" + number;
    this.peerId = RaftPeerId.valueOf(name);
    this.localClientId = ClientId.valueOf(new UUID(seed, number));
    this.groupId = groupId;
    this.events = events;
    this.store = new MemoryKvStore();
    start();
  }

  /** Opens the engine and a new state machine on the store, as a node process does at start. */
  private void start() {
    engine = Engine.open(store);
    stateMachine = SimulationHooks.stateMachineWithInlineReads(engine, RaftEvents.NONE);
    stateMachine.setLocalClientId(localClientId);
    try {
      stateMachine.initialize(SimulatedRaftServer.of(peerId), groupId, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    durableIndexReported = stateMachine.snapshotIndex();
    commitIndex = appliedPosition();
    up = true;
  }

  RaftGroupId groupId() {
    return groupId;
  }

  AeroStateMachine stateMachine() {
    return stateMachine;
  }

  Engine engine() {
    return engine;
  }

  /**
   * The last entry Ratis handed to the state machine (what its StateMachineUpdater resumes after);
   * Raft-internal entries count, though the engine never sees them.
   */
  long appliedPosition() {
    TermIndex t = stateMachine.getLastAppliedTermIndex();
    return t == null ? 0 : Math.max(0, t.getIndex());
  }

  AppliedState engineApplied() {
    return engine.applied();
  }

  boolean isLeader() {
    return leadership != null;
  }

  /** A leader is ready once it applied its term's first entry (Ratis refuses writes before). */
  boolean isReady() {
    return leadership != null && appliedPosition() >= leadership.termStartIndex;
  }

  long lastLogTerm() {
    return log.isEmpty() ? 0 : log.get(log.size() - 1).term();
  }

  /** Applies up to {@code entriesMax} committed entries after the applied position; how many. */
  int applyCommitted(int entriesMax) {
    int applied = 0;
    long limit = Math.min(commitIndex, log.size());
    while (applied < entriesMax && appliedPosition() < limit) {
      applyNext();
      applied++;
    }
    return applied;
  }

  /**
   * Hands the next entry to the state machine exactly as Ratis' updater does: applyTransaction for
   * a state-machine entry (with the leader's own transaction when it proposed it), else
   * notifyTermIndexUpdated. A leader then answers the clients of an entry it proposed.
   */
  private void applyNext() {
    long index = appliedPosition() + 1;
    RaftEntry e = log.get(Math.toIntExact(index - 1));
    boolean replay = index <= highestApplied;
    if (!e.isStateMachineEntry()) {
      stateMachine.notifyTermIndexUpdated(e.term(), e.index());
      events.add(
          new StepEvents.Applied(
              this, e, null, List.of(), null, null, engine.applied().index(), replay));
    } else {
      Entry decoded =
          LogEntryCodec.decode(
              e.proto().getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      LeaderState.Proposal proposal =
          leadership == null ? null : leadership.proposals.remove(index);
      TransactionContext trx =
          proposal != null
              ? proposal.transaction()
              : TransactionContext.newBuilder()
                  .setServerRole(leadership != null ? RaftPeerRole.LEADER : RaftPeerRole.FOLLOWER)
                  .setStateMachine(stateMachine)
                  .setLogEntry(e.proto())
                  .build();
      Message reply;
      try {
        reply = stateMachine.applyTransaction(trx).join();
      } catch (RuntimeException thrown) {
        throw new InvariantViolation(
            "ApplyNeverThrows",
            name + " threw applying entry " + e + " (" + decoded + "): " + thrown,
            thrown);
      }
      byte[] resultBytes = reply.getContent().toByteArray();
      List<CommandResult> results =
          LogEntryCodec.decodeResults(ByteBuffer.wrap(resultBytes), decoded.writes().size());
      AppliedState after = engine.applied();
      events.add(
          new StepEvents.Applied(
              this, e, decoded, results, resultBytes, after.digest(), after.index(), replay));
      if (proposal != null) {
        answer(index, proposal, results);
      }
    }
    highestApplied = Math.max(highestApplied, index);
  }

  private void answer(long index, LeaderState.Proposal proposal, List<CommandResult> results) {
    stateMachine.forgetStarted(proposal.callId());
    List<StepEvents.Answer> answers = new ArrayList<>();
    for (int slot = 0; slot < proposal.clients().size(); slot++) {
      ClientRequest client = proposal.clients().get(slot);
      if (client != null) {
        client.outcome = ClientRequest.Outcome.ACKNOWLEDGED;
        answers.add(new StepEvents.Answer(client, slot, results.get(slot)));
      }
    }
    if (!answers.isEmpty()) {
      events.add(new StepEvents.Acknowledged(this, leadership.term, index, answers));
    }
  }

  /** A read at {@code view} through the state machine's read path (at most its applied index). */
  ReadResult read(String collection, String id, long view) {
    return stateMachine
        .read((eng, applied) -> eng.get(collection, id, Math.min(view, applied)))
        .join();
  }

  /**
   * A store install, as a follower behind a purged log gets one: Ratis' notification (the leader's
   * log starting after {@code source}'s applied index), the installer staging a checkpoint of the
   * source's store, then Ratis pausing the state machine and calling reinitialize, which swaps the
   * store in. The replica's log then starts with the source's committed prefix (Ratis purges its
   * own log below the installed index; entries after it stay if they continue it). Returns the
   * installed index, or 0 if the state machine declined (not behind; the simulation only calls it
   * for a replica more than one entry behind, so the state machine's "own store" answer —
   * InstallDecision.OWN_STORE, covered by InstallDecisionTest and DivergedLeaderRejoinSystemIT — is
   * not reached here: no LocalLog is wired).
   */
  long installFrom(SimulatedReplica source) {
    MemoryKvStore copy = source.store.checkpoint();
    AppliedState staged = Engine.appliedIn(copy);
    long x = staged.index();
    stateMachine.setInstaller(
        new io.aerodb.ratis.StoreInstaller() {
          @Override
          public java.util.concurrent.CompletableFuture<AppliedState> stage(
              String sourceId, long minIndex) {
            return java.util.concurrent.CompletableFuture.completedFuture(staged);
          }

          @Override
          public io.aerodb.core.store.KvStore swapIn() {
            store = copy;
            return copy;
          }
        });
    TermIndex answer =
        stateMachine
            .notifyInstallSnapshotFromLeader(
                org.apache.ratis.proto.RaftProtos.RoleInfoProto.getDefaultInstance(),
                TermIndex.valueOf(source.currentTerm, x + 1))
            .join();
    if (answer == null) {
      return 0;
    }
    stateMachine.pause();
    try {
      stateMachine.reinitialize();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the log: the source's committed prefix, then this replica's own entries if they continue it
    boolean continues =
        log.size() > x
            && log.get(Math.toIntExact(x - 1)).term()
                == source.log.get(Math.toIntExact(x - 1)).term();
    List<RaftEntry> tail =
        continues ? new ArrayList<>(log.subList(Math.toIntExact(x), log.size())) : List.of();
    log.clear();
    log.addAll(source.log.subList(0, Math.toIntExact(x)));
    log.addAll(tail);
    durableIndexReported = Math.max(durableIndexReported, stateMachine.snapshotIndex());
    highestApplied = Math.max(highestApplied, x);
    commitIndex = Math.max(commitIndex, x); // what it installed is committed (the leader says so)
    return x;
  }

  /** Ratis takes a snapshot: the store is synced and its applied index reported durable. */
  long takeSnapshot() {
    long engineApplied = engine.applied().index();
    long reported;
    try {
      reported = stateMachine.takeSnapshot();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    durableIndexReported = Math.max(durableIndexReported, reported);
    events.add(new StepEvents.SnapshotTaken(this, reported, engineApplied));
    return reported;
  }

  /**
   * The process dies (the caller has ended its leadership): with {@code powerLoss}, the store keeps
   * a random prefix of its unsynced batches; else all of them. It stays down until {@link
   * #restart}.
   */
  void crash(boolean powerLoss, Random random) {
    int unsynced = store.unsyncedBatches();
    int surviving = powerLoss ? random.nextInt(unsynced + 1) : unsynced;
    crashedWithPowerLoss = powerLoss;
    appliedBeforeCrash = engine.applied().index();
    durableBeforeCrash = durableIndexReported;
    batchesLostInCrash = unsynced - surviving;
    store = store.crash(surviving);
    engine = null;
    stateMachine = null;
    leadership = null;
    commitIndex = 0;
    up = false;
  }

  /** The node process starts again on what survived; Ratis then replays after its snapshot. */
  void restart() {
    start();
    events.add(
        new StepEvents.Restarted(
            this,
            crashedWithPowerLoss,
            appliedBeforeCrash,
            durableBeforeCrash,
            engine.applied().index(),
            batchesLostInCrash));
  }

  int unsyncedBatches() {
    return store.unsyncedBatches();
  }

  @Override
  public String toString() {
    return name;
  }
}
