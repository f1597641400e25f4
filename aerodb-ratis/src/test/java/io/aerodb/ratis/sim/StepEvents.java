package io.aerodb.ratis.sim;

import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Entry;
import io.aerodb.core.error.AeroError;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened during one simulation step, in order: the invariants read it after the step
 * (Kafka's RaftEventSimulationTest checks its invariants after every event the same way). Cleared
 * before the next step.
 */
final class StepEvents {
  sealed interface Event permits Applied, Acknowledged, Refused, Restarted, SnapshotTaken {}

  /**
   * A replica applied one log entry (or, for a Raft-internal entry, told the state machine of it).
   *
   * @param decoded the entry as LogEntryCodec decodes its bytes; null for a Raft-internal entry
   * @param resultBytes the state machine's reply (LogEntryCodec.encodeResults); null likewise
   * @param digest the state digest after the entry; null likewise
   * @param engineIndexAfter the engine's applied index after the entry
   * @param replay whether this replica applied this index before (a replay after a crash)
   */
  record Applied(
      SimulatedReplica replica,
      RaftEntry entry,
      Entry decoded,
      List<CommandResult> results,
      byte[] resultBytes,
      byte[] digest,
      long engineIndexAfter,
      boolean replay)
      implements Event {}

  /**
   * The leader of {@code term} answered the clients of the entry it proposed at {@code index}
   * (after applying it).
   */
  record Acknowledged(SimulatedReplica leader, long term, long index, List<Answer> answers)
      implements Event {}

  /**
   * The leader's prepare refused a client's attempt: the client is told, with a REJECT code, that
   * nothing was written.
   */
  record Refused(SimulatedReplica leader, ClientRequest request, AeroError rejection)
      implements Event {}

  /** One client's answer: its request, its write's position in the entry, and the result. */
  record Answer(ClientRequest request, int slot, CommandResult result) {}

  /**
   * A replica restarted after a crash and recovered its store.
   *
   * @param appliedBefore the engine's applied index when it crashed
   * @param durableBefore the highest index the state machine had reported as durable (snapshot)
   * @param recovered the applied index the recovered store reports (what Ratis replays after)
   * @param batchesLost the unsynced store batches the power loss dropped (0 for a process crash)
   */
  record Restarted(
      SimulatedReplica replica,
      boolean powerLoss,
      long appliedBefore,
      long durableBefore,
      long recovered,
      int batchesLost)
      implements Event {}

  /** takeSnapshot returned {@code reported} while the engine had applied {@code engineApplied}. */
  record SnapshotTaken(SimulatedReplica replica, long reported, long engineApplied)
      implements Event {}

  private final List<Event> events = new ArrayList<>();

  void add(Event e) {
    events.add(e);
  }

  List<Event> all() {
    return events;
  }

  void clear() {
    events.clear();
  }
}
