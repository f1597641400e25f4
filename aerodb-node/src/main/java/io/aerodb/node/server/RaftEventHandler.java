package io.aerodb.node.server;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.events.EventType;
import io.aerodb.node.promotion.EpochRecorder;
import io.aerodb.node.promotion.TransferCoordinator;
import io.aerodb.node.promotion.TransferState;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.ratis.RaftEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * What the node does when Raft tells it something: structured events [P6-O1], the new leader's
 * epoch record [P6-A2], health updates, and the decision to stop — on removal from the cluster, or
 * on a Raft server or log that failed. Called on Ratis threads; never blocks.
 */
final class RaftEventHandler implements RaftEvents {
  /** What the handler may do to the node it belongs to. */
  interface Node {
    Phase phase();

    /** Health inputs changed (a new leader): re-evaluate now. */
    void healthChanged();

    /** Stop serving for good: FAILED, a FATAL event, the fatal handler. */
    void fail(AeroError error);

    /** This node was removed from the cluster: stop it (not a failure). */
    void removed();
  }

  private final String nodeId;
  private final EventLog events;
  private final RaftDivision raft;
  private final Engine engine;
  private final TransferCoordinator transfers;
  private final EpochRecorder epochs;
  private final Node node;
  private final AtomicLong lastSeenTerm = new AtomicLong();
  private volatile String lastSeenLeader = "";
  private volatile boolean removed;

  RaftEventHandler(
      String nodeId,
      EventLog events,
      RaftDivision raft,
      Engine engine,
      TransferCoordinator transfers,
      EpochRecorder epochs,
      Node node) {
    this.nodeId = nodeId;
    this.events = events;
    this.raft = raft;
    this.engine = engine;
    this.transfers = transfers;
    this.epochs = epochs;
    this.node = node;
  }

  /**
   * After a restart the event ring starts with the latest 100 records of the replicated authority
   * history, marked {@code fromHistory} [P6-O1].
   */
  void seedFromHistory() {
    List<AuthorityRecord> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<AuthorityRecord> page = engine.authorityHistory(after, 512);
      all.addAll(page);
      if (page.size() < 512) {
        break;
      }
      after = page.get(page.size() - 1).index();
    }
    for (AuthorityRecord r : all.subList(Math.max(0, all.size() - 100), all.size())) {
      events.emit(EventType.AUTHORITY_RECORD, authorityFields(r, true));
    }
  }

  @Override
  public void leaderChanged(String leaderId) {
    long termAfter = raft.currentTerm();
    long termBefore = lastSeenTerm.getAndSet(termAfter);
    String leaderBefore = lastSeenLeader;
    lastSeenLeader = leaderId;
    var pending = engine.authority().pendingTransfer();
    String cause =
        pending.isPresent() && pending.get().field("to").equals(leaderId)
            ? "transfer " + pending.get().field("requestId")
            : "election (the new leader's epoch record names the cause)";
    events.emit(
        EventType.LEADER_CHANGED,
        "leaderBefore",
        leaderBefore,
        "leaderAfter",
        leaderId,
        "termBefore",
        Long.toString(termBefore),
        "termAfter",
        Long.toString(termAfter),
        "commitIndex",
        Long.toString(raft.commitIndex()),
        "cause",
        leaderId.isEmpty() ? "no leader known" : cause);
    if (node.phase() == Phase.SERVING || node.phase() == Phase.STARTING) {
      node.healthChanged();
    }
  }

  @Override
  public void snapshotTaken(long term, long index) {
    events.emit(
        EventType.SNAPSHOT_TAKEN,
        "term",
        Long.toString(term),
        "index",
        Long.toString(index),
        "logStartIndex",
        Long.toString(raft.logStartIndex()));
  }

  @Override
  public void snapshotFailed(String why) {
    events.emit(EventType.SNAPSHOT_FAILED, "why", why);
  }

  @Override
  public void storeInstalled(long term, long index) {
    events.emit(
        EventType.STORE_INSTALLED, "term", Long.toString(term), "index", Long.toString(index));
  }

  @Override
  public void leaderReady() {
    events.emit(
        EventType.LEADER_READY,
        "term",
        Long.toString(raft.currentTerm()),
        "commitIndex",
        Long.toString(raft.commitIndex()));
    epochs.leaderReady();
  }

  @Override
  public void steppedDown(int pendingEntries) {
    var w = transfers.workflow();
    events.emit(
        EventType.STEPPED_DOWN,
        "term",
        Long.toString(raft.currentTerm()),
        "pendingEntries",
        Integer.toString(pendingEntries),
        "commitIndex",
        Long.toString(raft.commitIndex()),
        "why",
        w.state() == TransferState.TRANSFERRING
            ? "transfer " + w.requestId() + " to " + w.target()
            : "a higher term or lost quorum");
  }

  @Override
  public void configurationChanged(
      long term, long index, List<String> voters, List<String> learners) {
    events.emit(
        EventType.CONFIGURATION_CHANGED,
        "term",
        Long.toString(term),
        "index",
        Long.toString(index),
        "voters",
        String.join(",", voters),
        "learners",
        String.join(",", learners));
  }

  @Override
  public void authorityApplied(AuthorityRecord record) {
    events.emit(EventType.AUTHORITY_RECORD, authorityFields(record, false));
  }

  @Override
  public void groupRemoved() {
    removed = true;
    events.emit(EventType.REMOVED, "term", Long.toString(raft.currentTerm()));
    node.removed();
  }

  @Override
  public void serverShutdown() {
    if (node.phase() == Phase.STOPPING || removed) {
      return;
    }
    if (removedFromConfiguration()) {
      groupRemoved(); // Ratis stops a removed voter itself (through its election thread)
      return;
    }
    node.fail(
        AeroError.of(
            ErrorCode.AERO_STORAGE_IO,
            "the Raft server of node " + nodeId + " stopped unexpectedly"));
  }

  @Override
  public void storeFailed(AeroError error) {
    node.fail(error);
  }

  @Override
  public void logFailed(Throwable cause) {
    node.fail(
        AeroError.of(
            ErrorCode.AERO_STORAGE_IO, "the Raft log of node " + nodeId + " failed: " + cause));
  }

  /** Whether the latest configuration this node knows no longer contains it (it was removed). */
  private boolean removedFromConfiguration() {
    try {
      return raft.configuration()
          .map(
              conf ->
                  // A joiner that was never added has an empty configuration: not a removal.
                  !conf.getCurrentPeers(RaftPeerRole.FOLLOWER).isEmpty()
                      && conf.getPeer(
                              RaftPeerId.valueOf(nodeId),
                              RaftPeerRole.FOLLOWER,
                              RaftPeerRole.LISTENER)
                          == null)
          .orElse(false);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The fields of an AUTHORITY_RECORD event; {@code replayed} marks one seeded from history. */
  private static SortedMap<String, String> authorityFields(AuthorityRecord r, boolean replayed) {
    TreeMap<String, String> f = new TreeMap<>(r.fields());
    f.put("kind", r.kind());
    f.put("index", Long.toString(r.index()));
    f.put("term", Long.toString(r.term()));
    if (replayed) {
      f.put("fromHistory", "true");
    }
    return f;
  }
}
