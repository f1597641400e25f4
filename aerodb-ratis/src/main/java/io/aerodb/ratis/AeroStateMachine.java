package io.aerodb.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.command.AppliedState;
import io.aerodb.core.command.CatalogListing;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Engine;
import io.aerodb.core.command.ReadResult;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.proto.internal.v1.LogEntry;
import io.aerodb.proto.internal.v1.ReadQuery;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 *   <li>{@link #startTransaction} runs on the leader before an entry is appended: it validates and
 *       canonicalizes the command; a rejection goes through {@code setException}, never a throw
 *       (§0.2).
 *   <li>{@link #applyTransaction} runs on the single updater thread in log order. It decodes (never
 *       throwing for bad bytes), applies through the engine in one atomic store batch, and returns
 *       the result as the reply. Only a store failure or a broken invariant throws, which stops
 *       this replica on purpose (§0.5).
 *   <li>{@link #getLatestSnapshot} reports the index up to which the store is durable, so a restart
 *       replays only the log after the persisted applied index (§0.7).
 *   <li>The lifecycle is driven explicitly, including PAUSED around snapshot installation (§0.1).
 *   <li>{@link #query} answers reads at the applied index and fails only with StateMachineException
 *       (§0.4).
 *   <li>No read runs on the updater thread: a linearizable read that waited for apply is resumed
 *       there by Ratis (its ReadRequests complete on the applied-index update), and a read "at
 *       least as new as N" by {@link AppliedIndexWaiters}; both move to the reader threads, so a
 *       long query never holds up the next apply.
 * </ul>
 */
public final class AeroStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(AeroStateMachine.class);

  private final Engine engine;
  private final RaftEvents events;
  private final QueryLimits queryLimits;

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

  public AeroStateMachine(Engine engine, RaftEvents events) {
    this(engine, events, QueryLimits.DEFAULTS);
  }

  /**
   * @param queryLimits this node's read-time query bounds (api.queryLimitMax,
   *     api.queryScanEntriesMax): never part of the replicated state
   */
  public AeroStateMachine(Engine engine, RaftEvents events, QueryLimits queryLimits) {
    this(
        engine,
        events,
        queryLimits,
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "aerodb-reader");
              t.setDaemon(true);
              return t;
            }));
  }

  /** With the reader threads given (tests: to see where a read runs). */
  AeroStateMachine(
      Engine engine, RaftEvents events, QueryLimits queryLimits, ExecutorService readers) {
    this.engine = engine;
    this.events = events;
    this.queryLimits = queryLimits;
    this.readers = readers;
    this.waiters = new AppliedIndexWaiters(readers);
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
    AppliedState a = engine.syncDurable(); // what the store recovered is now durable, too
    if (a.index() > 0) {
      TermIndex ti = TermIndex.valueOf(a.term(), a.index());
      setLastAppliedTermIndex(ti);
      latestSnapshot = new AppliedSnapshot(ti);
    }
    waiters.advance(a.index());
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

  @Override
  public void reinitialize() throws IOException {
    loadAppliedState();
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

  /** Makes the store durable up to the applied index; Ratis may then purge the log up to it. */
  @Override
  public long takeSnapshot() {
    AppliedState a = engine.syncDurable();
    if (a.index() <= 0) {
      return RaftLogIndexes.INVALID;
    }
    latestSnapshot = new AppliedSnapshot(TermIndex.valueOf(a.term(), a.index()));
    return a.index();
  }

  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
    // A node that joins gets this once (Ratis notifies every bootstrapping follower). With the
    // leader's
    // log complete from index 0 it catches up by replaying the log: "no snapshot" is the right
    // answer.
    // Only a follower behind a purged log would need one; the log is never purged before the
    // store-transfer path exists, so that case is refused loudly rather than half-handled.
    long applied = engine.applied().index();
    if (firstTermIndexInLog.getIndex() <= applied + 1) {
      LOG.info(
          "no snapshot needed: the leader's log starts at {} and this node applied {}; catching up from"
              + " the log",
          firstTermIndexInLog,
          applied);
    } else {
      LOG.error(
          "the leader's log starts at {} but this node applied only {}: it needs a store transfer,"
              + " which this version cannot do",
          firstTermIndexInLog,
          applied);
    }
    return CompletableFuture.completedFuture(null);
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

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    if (request.getClientId().equals(localClientId)) {
      startedCalls.add(request.getCallId());
    }
    TransactionContext.Builder trx =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    try {
      LogEntry proposed =
          LogEntry.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
      LogEntryCodec.Decoded d = LogEntryCodec.decode(proposed);
      if (d.command() instanceof Command.Undecodable u) {
        return rejected(trx, AeroError.of(ErrorCode.AERO_REQUEST_INVALID, u.reason()));
      }
      if (d.command() instanceof Command.Batch b) {
        // formed by this leader's gateway from writes it prepared one by one (prepare below); the
        // apply re-validates every document [S4]
        for (Command.Batch.Write w : b.writes()) {
          if (!(w.command() instanceof Command.Insert
              || w.command() instanceof Command.Update
              || w.command() instanceof Command.Delete)) {
            return rejected(
                trx,
                AeroError.of(
                    ErrorCode.AERO_REQUEST_INVALID, "a batch carries only document writes"));
          }
        }
        return trx.setLogData(request.getMessage().getContent()).build();
      }
      Command canonical = engine.prepare(d.requestId(), d.command());
      return trx.setLogData(ShadedBytes.wrap(LogEntryCodec.encode(d.requestId(), canonical)))
          .build();
    } catch (InvalidProtocolBufferException e) {
      return rejected(
          trx, AeroError.of(ErrorCode.AERO_REQUEST_INVALID, "not a LogEntry: " + e.getMessage()));
    } catch (AeroException e) {
      return rejected(trx, e.error());
    }
  }

  /**
   * Leader-side validation of one client entry before it is proposed or batched: its canonical
   * form, or AeroException with the rejection (nothing is proposed). Batches are formed by the
   * gateway, never accepted from outside.
   */
  public Prepared prepare(LogEntry proposed) {
    LogEntryCodec.Decoded d = LogEntryCodec.decode(proposed);
    if (d.command() instanceof Command.Undecodable u) {
      throw AeroError.of(ErrorCode.AERO_REQUEST_INVALID, u.reason()).toException();
    }
    if (d.command() instanceof Command.Batch) {
      throw AeroError.of(ErrorCode.AERO_REQUEST_INVALID, "a client entry cannot be a batch")
          .toException();
    }
    Command prepared = engine.prepare(d.requestId(), d.command());
    return new Prepared(
        LogEntryCodec.toProto(d.requestId(), prepared), Command.documentKey(prepared));
  }

  /**
   * A prepared entry (canonical, validated on the leader's applied state) and, for a document
   * write, the key of the document it touches ({@link Command#documentKey}).
   */
  public record Prepared(LogEntry entry, Optional<String> documentKey) {}

  private static TransactionContext rejected(TransactionContext.Builder trx, AeroError error) {
    TransactionContext t = trx.build();
    t.setException(new CommandRejectedException(error));
    return t;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    updater = Thread.currentThread();
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    long term = entry.getTerm();
    CommandResult result;
    if (index <= engine.applied().index()) {
      // Never expected (replay starts after the durable applied index); the state already has it.
      LOG.error(
          "entry {} is at or below the applied index {}; skipped", index, engine.applied().index());
      result =
          CommandResult.rejected(
              index,
              AeroError.of(ErrorCode.AERO_INTERNAL, "entry " + index + " was already applied"));
    } else {
      LogEntryCodec.Decoded d =
          LogEntryCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
      if (d.command() instanceof Command.Batch b) {
        List<CommandResult> results = engine.applyBatch(term, index, b); // throws on store failure
        appliedEntries.incrementAndGet();
        firstAppliedSinceStart.compareAndSet(0, index);
        updateLastAppliedTermIndex(term, index);
        waiters.advance(index);
        return CompletableFuture.completedFuture(
            Message.valueOf(ShadedBytes.wrap(LogEntryCodec.encodeResults(results).toByteArray())));
      }
      result =
          engine.apply(term, index, d.requestId(), d.command()); // throws only on store failure
      appliedEntries.incrementAndGet();
      firstAppliedSinceStart.compareAndSet(0, index);
      if (d.command() instanceof Command.RecordAuthority a
          && result.isOk()
          && !result.deduplicated()) {
        events.authorityApplied(new AuthorityRecord(index, term, a.kind(), a.fields()));
      }
    }
    updateLastAppliedTermIndex(term, index);
    waiters.advance(index);
    return CompletableFuture.completedFuture(
        Message.valueOf(ShadedBytes.wrap(LogEntryCodec.encodeResult(result).toByteArray())));
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index); // keeps lastApplied exact for ReadIndex (notes §1.2)
    waiters.advance(index);
  }

  // --------------------------------------------------------------------------------------- reads

  /** Completes once this replica applied at least {@code index} (or times out). */
  public CompletableFuture<Long> whenApplied(long index, long timeoutMs) {
    return waiters.whenApplied(index, timeoutMs);
  }

  /**
   * Reads at the latest applied state; used by the Raft read path after ReadIndex and by local
   * reads.
   */
  public io.aerodb.proto.internal.v1.ReadResult read(ReadQuery q) {
    long view = engine.applied().index();
    ReadResult r;
    switch (q.getQueryCase()) {
      case GET:
        r = engine.get(q.getGet().getCollection(), q.getGet().getId(), view);
        break;
      case RUN_QUERY: // one view for the whole query, index scan included [T2]
        return LogEntryCodec.encodeQuery(
            engine.query(LogEntryCodec.decodeQuery(q.getRunQuery()), view, queryLimits));
      case EXPLAIN:
        return io.aerodb.proto.internal.v1.ReadResult.newBuilder()
            .setViewIndex(view)
            .setReportJson(
                com.google.protobuf.ByteString.copyFrom(
                    engine.explain(LogEntryCodec.decodeQuery(q.getExplain()), view, queryLimits)))
            .build();
      case LIST_INDEXES:
        CatalogListing listing = engine.listIndexes(q.getListIndexes().getCollection(), view);
        io.aerodb.proto.internal.v1.ReadResult.Builder b =
            io.aerodb.proto.internal.v1.ReadResult.newBuilder().setViewIndex(view);
        if (listing.rejection() != null) {
          b.setRejection(LogEntryCodec.encodeRejection(listing.rejection()));
        } else {
          b.setReportJson(com.google.protobuf.ByteString.copyFrom(listing.json()));
        }
        return b.build();
      default:
        r =
            new ReadResult(
                view,
                Optional.empty(),
                AeroError.of(ErrorCode.AERO_REQUEST_INVALID, "empty query"));
    }
    return LogEntryCodec.encodeRead(r);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    if (Thread.currentThread() != updater) {
      return answer(request);
    }
    // Ratis resumed a read that waited for apply on the updater thread: answer it elsewhere.
    CompletableFuture<Message> later = new CompletableFuture<>();
    try {
      readers.execute(
          () ->
              answer(request)
                  .whenComplete(
                      (m, t) -> {
                        if (t != null) {
                          later.completeExceptionally(t);
                        } else {
                          later.complete(m);
                        }
                      }));
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      return CompletableFuture.failedFuture(new StateMachineException("query failed: stopping"));
    }
    return later;
  }

  private CompletableFuture<Message> answer(Message request) {
    try {
      ReadQuery q = ReadQuery.parseFrom(request.getContent().asReadOnlyByteBuffer());
      return CompletableFuture.completedFuture(
          Message.valueOf(ShadedBytes.wrap(read(q).toByteArray())));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.failedFuture(new StateMachineException("query failed: " + e));
    }
  }

  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return waiters
        .whenApplied(minIndex, 5_000)
        .thenCompose(applied -> query(request))
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
