package io.aerodb.ratis.sim;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.engine.ReadResult;
import io.aerodb.core.mvcc.DocumentVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every acknowledged write's effect is visible on every replica that applied past its index, and
 * reads agree with the reference model. Read through the state machine's read path at a view:
 *
 * <ul>
 *   <li>when a replica applies an entry: each document the entry's writes address, at the entry's
 *       index (a rejected write must have changed nothing);
 *   <li>when the leader acknowledges a write: on every replica that applied that far, at its index;
 *   <li>when a replica restarts: every document the model knows, at the recovered index, and the
 *       acknowledged writes at or below it, each at its own index (a power loss may drop unsynced
 *       store batches, never an index the store then claims to have applied): all those above the
 *       index the replica had reported durable, and a rotating eighth of the older ones (each
 *       restart another eighth: the cost of a restart stays flat as the history grows);
 *   <li>once the cluster converged: everything, on every replica.
 * </ul>
 */
final class NoLostAcknowledgedWrite implements Invariant {
  private record AcknowledgedWrite(long index, DocumentKey document, ClientRequest request) {}

  private final ReferenceModel model;
  private final List<AcknowledgedWrite> acknowledged = new ArrayList<>();

  /** Restarts see a different share of the older acknowledged writes each (see the class). */
  private static final int OLDER_SHARE = 8;

  private long restarts;

  NoLostAcknowledgedWrite(ReferenceModel model) {
    this.model = model;
  }

  int acknowledgedWrites() {
    return acknowledged.size();
  }

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a && a.decoded() != null) {
        for (DocumentKey k : model.documentsOf(a.entry().index())) {
          if (k != null) {
            compare(a.replica(), k, a.entry().index(), "after applying entry " + a.entry().index());
          }
        }
      } else if (e instanceof StepEvents.Acknowledged ack) {
        DocumentKey[] keys = model.documentsOf(ack.index());
        for (StepEvents.Answer answer : ack.answers()) {
          CommandResult r = answer.result();
          DocumentKey k = keys.length > answer.slot() ? keys[answer.slot()] : null;
          if (r.isOk()
              && !r.deduplicated()
              && k != null
              && answer.request().command.isDocumentWrite()) {
            AcknowledgedWrite w = new AcknowledgedWrite(ack.index(), k, answer.request());
            acknowledged.add(w);
            for (SimulatedReplica replica : cluster.replicas) {
              if (replica.up && replica.engineApplied().index() >= w.index()) {
                compare(replica, k, w.index(), "acknowledged " + w.request() + " at " + w.index());
              }
            }
          }
        }
      } else if (e instanceof StepEvents.Restarted r) {
        check(
            r.replica(),
            "after its restart (power loss: " + r.powerLoss() + ")",
            r.durableBefore(),
            restarts++ % OLDER_SHARE);
      }
    }
  }

  /** Every known document and acknowledged write on {@code replica}, each at its view. */
  void checkEverything(SimulatedReplica replica, String when) {
    check(replica, when, Long.MAX_VALUE, -1);
  }

  /**
   * Every known document at the replica's applied index; of the acknowledged writes at or below it,
   * those above {@code durable}, and of the older ones those whose position modulo {@link
   * #OLDER_SHARE} is {@code olderShare}.
   */
  private void check(SimulatedReplica replica, String when, long durable, long olderShare) {
    long applied = replica.engineApplied().index();
    for (DocumentKey k : model.addressedDocuments()) {
      compare(replica, k, applied, when);
    }
    for (int i = 0; i < acknowledged.size(); i++) {
      AcknowledgedWrite w = acknowledged.get(i);
      boolean chosen =
          durable == Long.MAX_VALUE || w.index() > durable || i % OLDER_SHARE == olderShare;
      if (w.index() <= applied && chosen) {
        compare(replica, w.document(), w.index(), when + ", acknowledged " + w.request());
      }
    }
  }

  private void compare(SimulatedReplica replica, DocumentKey k, long asked, String when) {
    // Below the replica's GC floor the history is collected (a read there is refused, which
    // HistoryReadsMatchModel checks): the write's effect is checked at the floor instead, where it
    // must still show as the model says (a newer version, or itself).
    long view = Math.max(asked, replica.engine().gcFloor());
    String problem = mismatch(replica.read(k.collection(), k.id(), view), k, view);
    if (problem != null) {
      throw violation(
          replica
              + " (applied "
              + replica.engineApplied().index()
              + ") "
              + when
              + ": "
              + k.collection()
              + "/"
              + k.id()
              + " at view "
              + view
              + ": "
              + problem);
    }
  }

  private String mismatch(ReadResult read, DocumentKey k, long view) {
    if (!model.collectionExistsAt(k.collection(), view)) {
      return read.rejection() != null
          ? null
          : "the collection does not exist at that view, but the read answered " + read.version();
    }
    if (read.rejection() != null) {
      return "the read was refused: " + read.rejection();
    }
    Optional<ReferenceModel.Version> want = model.versionAt(k, view).filter(v -> v.json() != null);
    Optional<DocumentVersion> got = read.version();
    if (want.isEmpty()) {
      return got.isEmpty()
          ? null
          : "expected no document ("
              + model.versionAt(k, view).map(Object::toString).orElse("never written")
              + "), read "
              + got.get().jsonText()
              + " (index "
              + got.get().index()
              + ")";
    }
    ReferenceModel.Version w = want.get();
    if (got.isEmpty()) {
      return "expected " + w + ", read nothing";
    }
    DocumentVersion g = got.get();
    if (g.index() != w.index()
        || g.schemaVersion() != w.schemaVersion()
        || !Arrays.equals(g.json(), w.json())) {
      return "expected "
          + w
          + ", read "
          + g.jsonText()
          + " (index "
          + g.index()
          + ", v"
          + g.schemaVersion()
          + ")";
    }
    return null;
  }
}
