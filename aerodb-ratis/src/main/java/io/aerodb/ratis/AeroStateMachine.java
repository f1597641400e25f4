package io.aerodb.ratis;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.engine.AppliedEntry;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.ViewRead;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: the Raft log is the write-ahead log, the {@link Engine} is the state.
 *
 * <p>Contract with Ratis (notes/ratis-3.2.md §0, §1):
 *
 * <ul>
 *   <li>Commands are prepared once, by this node's gateway ({@link #prepare}), and encoded once by
 *       {@link LogEntryCodec}; {@link #startTransaction} passes those bytes to the log unchanged. A
 *       request from any other client is refused through {@code setException}, never a throw
 *       (§0.2).
 *   <li>{@link #applyTransaction} runs on the single updater thread in log order. It decodes (never
 *       throwing for bad bytes), applies through the engine in one atomic store batch, and returns
 *       the results as the reply. Only a store failure or a broken invariant throws, which stops
 *       this replica on purpose (§0.5).
 *   <li>{@link #getLatestSnapshot} reports the index up to which the store is durable, so a restart
 *       replays only the log after the persisted applied index (§0.7).
 *   <li>The lifecycle is driven explicitly, including PAUSED around snapshot installation (§0.1).
 *   <li>A Raft read request is only the ReadIndex barrier: {@link #query} answers it at once with
 *       nothing, once Ratis saw this node apply the read index. The read itself is a typed {@link
 *       ViewRead} that the node runs afterwards through {@link #read}, at the applied index.
 *   <li>No read runs on the updater thread: Ratis resumes a linearizable read that waited for apply
 *       on it (its ReadRequests complete on the applied-index update), so {@link #read} moves such
 *       a read to the reader threads; a read "at least as new as N" is resumed there by {@link
 *       AppliedIndexWaiters}. A long query never holds up the next apply.
 * </ul>
 */
public final class AeroStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(AeroStateMachine.class);

  private final Engine engine;
  private volatile RaftEvents events;

  /** Runs reads that would otherwise run on the updater thread (daemon threads, never blocking). */
  private final ExecutorService readers;

  private final AppliedIndexWaiters waiters;

  /** The StateMachineUpdater thread (the one thread that applies), once it applied something. */
  private volatile Thread updater;

  private final Set<Long> startedCalls = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong appliedEntries =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong firstAppliedSinceStart =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile AppliedState loadedAtStart = AppliedState.INITIAL;
  private volatile ClientId localClientId;
  private volatile SnapshotInfo latestSnapshot;
  private volatile StoreInstaller installer = StoreInstaller.NONE;

  /** The oldest store this node is sending to an installing member, if any (see takeSnapshot). */
  private volatile java.util.function.Supplier<java.util.Optional<AppliedState>> snapshotHold =
      java.util.Optional::empty;

  /** The store staged by the installer, waiting for Ratis to pause and reload this machine. */
  private volatile AppliedState staged;

  /** With no one listening to Raft events yet: see {@link #setEvents}. */
  public AeroStateMachine(Engine engine) {
    this(engine, RaftEvents.NONE);
  }

  public AeroStateMachine(Engine engine, RaftEvents events) {
    this(
        engine,
        events,
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "aerodb-reader");
              t.setDaemon(true);
              return t;
            }));
  }

  /** With the reader threads given (tests: to see where a read runs). */
  AeroStateMachine(Engine engine, RaftEvents events, ExecutorService readers) {
    this.engine = engine;
    this.events = events;
    this.readers = readers;
    this.waiters = new AppliedIndexWaiters(readers);
  }

  /**
   * Who hears of Raft events from now on. Set it before the Raft server starts (Ratis reports
   * events only once it runs); the node builds its handler after the server it handles.
   */
  public void setEvents(RaftEvents events) {
    this.events = events;
  }

  /**
   * The oldest store checkpoint this node is sending to an installing member: while one is sent,
   * snapshots report no index above it, so the log after it is not purged and the member can
   * continue from the log once it installed (else a slow install under load is outrun forever).
   */
  public void setSnapshotHold(
      java.util.function.Supplier<java.util.Optional<AppliedState>> snapshotHold) {
    this.snapshotHold = snapshotHold;
  }

  /** Who fetches and swaps in a store when this follower is behind the leader's purged log. */
  public void setInstaller(StoreInstaller installer) {
    this.installer = installer;
  }

  public Engine engine() {
    return engine;
  }

  /** How many entries this process applied (replayed or new) since it started. */
  public long appliedEntriesSinceStart() {
    return appliedEntries.get();
  }

  // ------------------------------------------------------------------------------------- lifecycle

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage)
      throws IOException {
    getLifeCycle()
        .startAndTransition(
            () -> {
              super.initialize(server, groupId, storage);
              loadAppliedState();
            },
            IOException.class);
  }

  /** Recovery: the store's durable applied (term, index) is both lastApplied and the snapshot. */
  private void loadAppliedState() {
    AppliedState a = publishDurable();
    loadedAtStart = a;
    LOG.atInfo()
        .addKeyValue("event", "RECOVERY")
        .addKeyValue("storeAppliedIndex", a.index())
        .addKeyValue("storeAppliedTerm", a.term())
        .addKeyValue("stateDigest", a.digestHex())
        .addKeyValue("snapshotIndex", a.index())
        .log(
            "store recovered at applied index {} (term {}): Ratis replays only the log after it",
            a.index(),
            a.term());
  }

  /** Makes the store durable and reports its applied (term, index) as applied and as snapshot. */
  private AppliedState publishDurable() {
    AppliedState a = engine.syncDurable(); // what the store recovered is now durable, too
    if (a.index() > 0) {
      TermIndex ti = TermIndex.valueOf(a.term(), a.index());
      setLastAppliedTermIndex(ti);
      latestSnapshot = new AppliedSnapshot(ti);
    }
    waiters.advance(a.index());
    return a;
  }

  /** The applied state the store held when this process started (what recovery loaded). */
  public AppliedState loadedAtStart() {
    return loadedAtStart;
  }

  /** The first entry this process applied (0 if none yet). */
  public long firstAppliedSinceStart() {
    return firstAppliedSinceStart.get();
  }

  /** The index up to which the store is durable, as reported to Ratis (0 if none). */
  public long snapshotIndex() {
    SnapshotInfo s = latestSnapshot;
    return s == null ? 0 : s.getIndex();
  }

  @Override
  public void pause() {
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  /**
   * After Ratis paused this machine for an install (apply thread): swaps the staged store in,
   * checks that it is the one staged, and reports it as applied and as the snapshot. A failure here
   * throws, which stops the division: the node must not run on a store it cannot vouch for.
   */
  @Override
  public void reinitialize() throws IOException {
    AppliedState expected = staged;
    staged = null;
    if (expected != null) {
      AppliedState got;
      try {
        got = engine.replaceStore(installer::swapIn);
      } catch (RuntimeException e) {
        throw new IOException("store install failed: " + e.getMessage(), e);
      }
      if (got.index() != expected.index()
          || got.term() != expected.term()
          || !java.util.Arrays.equals(got.digest(), expected.digest())) {
        throw new IOException(
            "installed store is at "
                + got.term()
                + ":"
                + got.index()
                + " digest "
                + got.digestHex()
                + " but the staged one was "
                + expected.term()
                + ":"
                + expected.index()
                + " digest "
                + expected.digestHex());
      }
      events.storeInstalled(got.term(), got.index());
    }
    AppliedState a = publishDurable();
    LOG.atInfo()
        .addKeyValue("event", "REINITIALIZED")
        .addKeyValue("appliedIndex", a.index())
        .addKeyValue("stateDigest", a.digestHex())
        .log("state machine reloaded at applied index {}", a.index());
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
      lc.transition(LifeCycle.State.STARTING);
      lc.transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latestSnapshot;
  }

  /**
   * Makes the store durable up to the applied index (on the apply thread, so that index is exact);
   * Ratis then purges the log up to it. The snapshot recorded is the (term, index) the durable
   * store reflects; if the fsync fails, nothing is recorded and the failure is loud (ERROR, event,
   * Ratis' "Failed to take snapshot").
   */
  @Override
  public long takeSnapshot() throws IOException {
    java.util.Optional<AppliedState> held = snapshotHold.get();
    if (held.isPresent() && held.get().index() < engine.applied().index()) {
      // A store is being sent: report no more than its index, so the log after it stays for the
      // installing member. It is durable already (a RocksDB checkpoint flushes the memtables), so
      // no fsync here: Ratis asks again on every apply round while the snapshot lags.
      AppliedState h = held.get();
      if (h.index() > snapshotIndex()) {
        latestSnapshot = new AppliedSnapshot(TermIndex.valueOf(h.term(), h.index()));
        events.snapshotTaken(h.term(), h.index());
      }
      return snapshotIndex();
    }
    AppliedState a;
    try {
      a = engine.syncDurable();
    } catch (AeroException e) {
      events.snapshotFailed(e.error().message());
      throw new IOException("snapshot failed: " + e.error().message(), e);
    }
    if (a.index() <= 0) {
      return RaftLogIndexes.INVALID;
    }
    latestSnapshot = new AppliedSnapshot(TermIndex.valueOf(a.term(), a.index()));
    events.snapshotTaken(a.term(), a.index());
    return a.index();
  }

  /**
   * Ratis' notification that the leader's log starts after what this node applied. A node that
   * joins gets one too (Ratis notifies every bootstrapping follower, and every follower whose
   * appender it restarted).
   *
   * <p>While the leader's log holds the entry after this node's applied index, the node normally
   * catches up from the log: the answer is "no snapshot". One case needs more: the leader's log
   * starts exactly after this node's applied index A, and this node's log holds no entry at A+1 or
   * one of another term than the leader's (a former leader's entries that were never committed: a
   * purge stops at a term's first entry, which is where such a log diverges). The leader cannot
   * append from A+1 without the term of entry A, which is in neither log (Ratis: "Previous
   * TermIndex not found", its appender restarts from index 0 and notifies again, forever; seen in
   * the fault harness, leader-isolated). Then this node's own store is the snapshot: made durable
   * first (Ratis purges this node's log up to it before reloading), it is reported installed at A
   * and the leader appends from A+1, replacing the diverged entries. Only then: Ratis' log worker
   * assumes an installed snapshot reaches past every entry it keeps, which holds here because every
   * entry after A is replaced.
   *
   * <p>Otherwise the installer stages a store at least at the entry before the leader's first one,
   * and Ratis then pauses this machine and calls {@link #reinitialize}.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
    long applied = engine.applied().index();
    long first = firstTermIndexInLog.getIndex();
    InstallDecision decision =
        InstallDecision.of(applied, first, firstTermIndexInLog.getTerm(), localTermAt(first));
    if (decision != InstallDecision.FETCH) {
      if (decision == InstallDecision.FROM_THE_LOG) {
        LOG.info(
            "no snapshot needed: the leader's log starts at {} and this node applied {}; catching"
                + " up from the log",
            firstTermIndexInLog,
            applied);
        return CompletableFuture.completedFuture(null);
      }
      AppliedState own = engine.syncDurable();
      if (own.index() != applied) {
        // applied more meanwhile: its log matched the leader's after all; the leader asks again
        return CompletableFuture.completedFuture(null);
      }
      LOG.atWarn()
          .addKeyValue("event", "INSTALL_OWN_STORE")
          .addKeyValue("appliedIndex", applied)
          .addKeyValue("leaderLogStart", first)
          .log(
              "the leader's log starts at {}, right after this node's applied index {}, and this"
                  + " node's log diverges there: its own store (now durable) is the snapshot;"
                  + " catching up from the leader's log after it",
              firstTermIndexInLog,
              applied);
      return CompletableFuture.completedFuture(TermIndex.valueOf(own.term(), own.index()));
    }
    String source =
        roleInfo.hasFollowerInfo() && roleInfo.getFollowerInfo().hasLeaderInfo()
            ? roleInfo.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8()
            : "";
    LOG.atWarn()
        .addKeyValue("event", "INSTALL_NEEDED")
        .addKeyValue("source", source)
        .addKeyValue("appliedIndex", applied)
        .addKeyValue("leaderLogStart", first)
        .log(
            "the leader's log starts at {} but this node applied only {}: installing a store from {}",
            first,
            applied,
            source);
    return installer
        .stage(source, first - 1)
        .thenApply(
            a -> {
              staged = a;
              return TermIndex.valueOf(a.term(), a.index());
            });
  }

  /** This node's own Raft log, as {@link #notifyInstallSnapshotFromLeader} needs it. */
  public interface LocalLog {
    /**
     * The term of the entry at {@code index}, or -1 if the log holds none; IOException if the log
     * cannot be read now.
     */
    long termAt(long index) throws IOException;
  }

  private volatile LocalLog localLog =
      index -> {
        throw new IOException("the local log is not wired to the state machine");
      };

  /** Wires the node's Raft log (set once the Raft server exists). */
  public void setLocalLog(LocalLog log) {
    this.localLog = log;
  }

  /**
   * The term of this node's own log entry at {@code index}: -1 if there is none, {@link
   * Long#MIN_VALUE} if the log cannot be read now (see {@link InstallDecision#of}).
   */
  private long localTermAt(long index) {
    try {
      return localLog.termAt(index);
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  // -------------------------------------------------------------------------------------- writes

  /**
   * Marks requests submitted in-process by this node's client id, so the RPC layer can tell
   * "refused before it was proposed" (definitely not written) from "may have been appended"
   * (outcome unknown).
   */
  public void setLocalClientId(ClientId clientId) {
    this.localClientId = clientId;
  }

  /** Whether startTransaction ran for the node-local call (it may then have been appended). */
  public boolean forgetStarted(long callId) {
    return startedCalls.remove(callId);
  }

  /**
   * Passes an entry this node's gateway prepared and encoded to the log unchanged (no decode, no
   * second validation). Only the node's own in-process client proposes; anything else is refused.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    TransactionContext.Builder trx =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    if (!request.getClientId().equals(localClientId)) {
      TransactionContext t = trx.build();
      t.setException(
          new CommandRejectedException(
              AeroError.of(
                  ErrorCode.AERO_REQUEST_INVALID,
                  "entries reach the log only through this node's API")));
      return t;
    }
    startedCalls.add(request.getCallId());
    return trx.setLogData(request.getMessage().getContent()).build();
  }

  /**
   * Leader-side: the command prepared once on the applied state (parsed, validated, canonical), or
   * AeroException with the rejection (nothing is proposed). See {@link Engine#prepare}.
   */
  public Prepared prepare(byte[] requestId, Command raw) {
    return engine.prepare(requestId, raw);
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    updater = Thread.currentThread();
    LogEntryProto logged = trx.getLogEntry();
    long index = logged.getIndex();
    long term = logged.getTerm();
    Entry entry =
        LogEntryCodec.decode(logged.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    List<CommandResult> results;
    if (index <= engine.applied().index()) {
      // Never expected (replay starts after the durable applied index); the state already has it.
      LOG.error(
          "entry {} is at or below the applied index {}; skipped", index, engine.applied().index());
      results = new ArrayList<>();
      for (int i = 0; i < entry.writes().size(); i++) {
        results.add(
            CommandResult.rejected(
                index,
                AeroError.of(ErrorCode.AERO_INTERNAL, "entry " + index + " was already applied")));
      }
    } else {
      AppliedEntry applied;
      try {
        applied = engine.apply(term, index, entry); // throws only on store failure
      } catch (AeroException e) {
        events.storeFailed(e.error());
        throw e;
      }
      appliedEntries.incrementAndGet();
      firstAppliedSinceStart.compareAndSet(0, index);
      for (AuthorityRecord r : applied.authorityRecords()) {
        events.authorityApplied(r);
      }
      results = applied.results();
    }
    updateLastAppliedTermIndex(term, index);
    waiters.advance(index);
    return CompletableFuture.completedFuture(
        Message.valueOf(ShadedBytes.wrap(LogEntryCodec.encodeResults(results))));
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // the updater thread applies configuration and metadata entries too, and completes reads there
    updater = Thread.currentThread();
    super.notifyTermIndexUpdated(term, index); // keeps lastApplied exact for ReadIndex (notes §1.2)
    waiters.advance(index);
  }

  // --------------------------------------------------------------------------------------- reads

  /** Completes once this replica applied at least {@code index} (or times out). */
  public CompletableFuture<Long> whenApplied(long index, long timeoutMs) {
    return waiters.whenApplied(index, timeoutMs);
  }

  /**
   * Runs {@code read} at this replica's applied index, off the updater thread: inline when asked
   * elsewhere, on a reader thread when Ratis resumed the caller on the updater. Fails only with
   * what the read throws (a store failure) or StateMachineException when stopping.
   */
  public <T> CompletableFuture<T> read(ViewRead<T> read) {
    if (Thread.currentThread() != updater) {
      return readNow(read);
    }
    CompletableFuture<T> later = new CompletableFuture<>();
    try {
      readers.execute(
          () ->
              readNow(read)
                  .whenComplete(
                      (v, t) -> {
                        if (t != null) {
                          later.completeExceptionally(t);
                        } else {
                          later.complete(v);
                        }
                      }));
    } catch (RejectedExecutionException stopping) {
      return CompletableFuture.failedFuture(new StateMachineException("read failed: stopping"));
    }
    return later;
  }

  private <T> CompletableFuture<T> readNow(ViewRead<T> read) {
    try {
      return CompletableFuture.completedFuture(read.readAt(engine, engine.applied().index()));
    } catch (AeroException e) {
      if (e.code() == ErrorCode.AERO_STORAGE_IO || e.code() == ErrorCode.AERO_STORAGE_CORRUPTION) {
        events.storeFailed(e.error()); // never answer from a damaged store: this node stops
      }
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The ReadIndex barrier: Ratis calls this once the read index is applied here; the answer is
   * empty (the node then reads through {@link #read}).
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return waiters
        .whenApplied(minIndex, 5_000)
        .thenApply(applied -> Message.EMPTY)
        .exceptionally(
            t -> {
              throw new java.util.concurrent.CompletionException(
                  new StateMachineException("stale read at " + minIndex + " failed: " + t));
            });
  }

  // -------------------------------------------------------------------------------------- events

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    events.leaderChanged(newLeaderId == null ? "" : newLeaderId.toString());
  }

  @Override
  public void notifyLeaderReady() {
    events.leaderReady();
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    events.steppedDown(pendingEntries.size());
  }

  @Override
  public void notifyConfigurationChanged(
      long term, long index, RaftConfigurationProto newRaftConfiguration) {
    events.configurationChanged(
        term,
        index,
        ids(newRaftConfiguration.getPeersList()),
        ids(newRaftConfiguration.getListenersList()));
  }

  private static java.util.List<String> ids(java.util.List<RaftPeerProto> peers) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (RaftPeerProto p : peers) {
      out.add(p.getId().toStringUtf8());
    }
    java.util.Collections.sort(out);
    return out;
  }

  @Override
  public void notifyGroupRemove() {
    events.groupRemoved();
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    events.serverShutdown();
  }

  @Override
  public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
    events.logFailed(cause);
  }

  @Override
  public void close() throws IOException {
    getLifeCycle().checkStateAndClose(() -> {});
    readers.shutdown();
  }

  /** Ratis' "no index" value. */
  private static final class RaftLogIndexes {
    static final long INVALID = -1;
  }
}
