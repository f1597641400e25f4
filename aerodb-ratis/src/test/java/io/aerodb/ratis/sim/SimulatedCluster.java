package io.aerodb.ratis.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The simulated Raft around the replicas: elections, log replication and the commit rule, as steps
 * the simulation takes one at a time. No network, no timers, no threads: a message is a method call
 * that happens or does not.
 *
 * <p>Fault model (what this Raft lets go wrong, and what it keeps, as Raft does):
 *
 * <ul>
 *   <li>Elections happen at any step. A candidate wins with the votes of a majority of replicas it
 *       can reach whose logs are not more up to date than its own (Raft's election restriction;
 *       with pre-vote, a lost election changes no term). Every voter moves to the new term, and a
 *       leader among them steps down. A leader cut off from the voters keeps leading its old term
 *       until it hears of the new one.
 *   <li>Replication sends a random number of entries to one follower at a time; a follower drops a
 *       conflicting suffix and takes the leader's entries (log matching). So uncommitted entries of
 *       a deposed leader may be truncated and replaced by the new leader's.
 *   <li>An entry commits once a majority holds it and it is of the leader's term (Raft's commit
 *       rule; earlier entries commit with it). Committed entries never change: {@link #commit} and
 *       {@link #truncate} check it (CommittedEntriesNeverChange, a check of this simulator).
 *   <li>A follower learns the commit index only from the leader, bounded by the last entry it got
 *       from it; a restarted replica knows only what it applied.
 * </ul>
 */
final class SimulatedCluster {
  final List<SimulatedReplica> replicas = new ArrayList<>();
  final int majority;
  final RaftGroupId groupId;

  /** The committed log: entry i at position i - 1; only grows. */
  private final List<RaftEntry> committed = new ArrayList<>();

  /** The current step (isolation ends at a step). */
  long step;

  long elections;
  long truncatedEntries;

  SimulatedCluster(int size, long seed, StepEvents events) {
    this.majority = size / 2 + 1;
    this.groupId = RaftGroupId.valueOf(new UUID(0x5eedL, seed));
    for (int i = 1; i <= size; i++) {
      replicas.add(new SimulatedReplica(i, seed, groupId, events));
    }
  }

  long commitIndex() {
    return committed.size();
  }

  RaftEntry committedEntry(long index) {
    return committed.get(Math.toIntExact(index - 1));
  }

  boolean isolated(SimulatedReplica r) {
    return r.isolatedUntilStep > step;
  }

  /** Whether a message from {@code a} reaches {@code b} (and back). */
  boolean reachable(SimulatedReplica a, SimulatedReplica b) {
    if (a == b) {
      return a.up;
    }
    return a.up && b.up && !isolated(a) && !isolated(b);
  }

  /** The leader of the highest term among the replicas that are up; null if none leads. */
  SimulatedReplica currentLeader() {
    SimulatedReplica best = null;
    for (SimulatedReplica r : replicas) {
      if (r.up && r.isLeader() && (best == null || r.leadership.term > best.leadership.term)) {
        best = r;
      }
    }
    return best;
  }

  /** Every up replica that believes it leads (the current leader and deposed ones cut off). */
  List<SimulatedReplica> leaders() {
    List<SimulatedReplica> out = new ArrayList<>();
    for (SimulatedReplica r : replicas) {
      if (r.up && r.isLeader()) {
        out.add(r);
      }
    }
    return out;
  }

  /** Ends {@code r}'s leadership (its clients learn what LeaderState.abandon says). */
  void stepDown(SimulatedReplica r) {
    if (r.leadership != null) {
      r.leadership.abandon();
      r.leadership = null;
    }
  }

  /**
   * {@code candidate} runs for the next term; true if it won. A winner appends its Raft-internal
   * first entry (Ratis' configuration entry), and is ready once it applied it.
   */
  boolean elect(SimulatedReplica candidate, boolean byTransfer) {
    if (!candidate.up || isolated(candidate)) {
      return false;
    }
    List<SimulatedReplica> voters = new ArrayList<>();
    long highestTerm = 0;
    for (SimulatedReplica r : replicas) {
      if (reachable(candidate, r)) {
        highestTerm = Math.max(highestTerm, r.currentTerm);
        if (atLeastAsUpToDate(candidate, r)) {
          voters.add(r);
        }
      }
    }
    if (voters.size() < majority) {
      return false;
    }
    long term = highestTerm + 1;
    for (SimulatedReplica r : voters) {
      r.currentTerm = term;
      stepDown(r);
    }
    RaftEntry first = new RaftEntry(term, candidate.log.size() + 1, null);
    candidate.log.add(first);
    candidate.leadership = new LeaderState(term, first.index(), byTransfer);
    elections++;
    return true;
  }

  /** Raft's vote rule: the candidate's last entry has a higher term, or the same and the index. */
  private static boolean atLeastAsUpToDate(SimulatedReplica candidate, SimulatedReplica voter) {
    long ct = candidate.lastLogTerm();
    long vt = voter.lastLogTerm();
    return ct > vt || (ct == vt && candidate.log.size() >= voter.log.size());
  }

  /**
   * One AppendEntries from {@code leader} to {@code follower} with at most {@code entriesMax}
   * entries, and its answer. A follower of a higher term deposes the leader instead.
   */
  void replicate(SimulatedReplica leader, SimulatedReplica follower, int entriesMax) {
    if (leader == follower || !leader.isLeader() || !reachable(leader, follower)) {
      return;
    }
    if (follower.currentTerm > leader.currentTerm) {
      leader.currentTerm = follower.currentTerm;
      stepDown(leader);
      return;
    }
    if (follower.currentTerm < leader.currentTerm) {
      follower.currentTerm = leader.currentTerm;
    }
    stepDown(follower); // same term, another leader: impossible (SingleLeaderPerTerm), else stale
    int match = Math.min(follower.log.size(), leader.log.size());
    while (match > 0 && follower.log.get(match - 1).term() != leader.log.get(match - 1).term()) {
      match--;
    }
    if (match > 0 && follower.log.get(match - 1) != leader.log.get(match - 1)) {
      throw new InvariantViolation(
          "LogMatching",
          "entries at index "
              + match
              + " have one term but differ: "
              + follower.log.get(match - 1)
              + " on "
              + follower
              + ", "
              + leader.log.get(match - 1)
              + " on "
              + leader);
    }
    int end = (int) Math.min(leader.log.size(), (long) match + entriesMax);
    for (int i = match; i < end; i++) {
      RaftEntry e = leader.log.get(i);
      if (i < follower.log.size()) {
        if (follower.log.get(i).term() == e.term()) {
          continue;
        }
        truncate(follower, i);
      }
      follower.log.add(e);
    }
    follower.commitIndex = Math.max(follower.commitIndex, Math.min(leader.commitIndex, end));
  }

  /** Drops {@code r}'s log from position {@code from} on (indexes from + 1 and up). */
  private void truncate(SimulatedReplica r, int from) {
    // A conflicting entry at a committed index is a stale one and goes; the committed one never.
    for (int i = from; i < r.log.size() && i < commitIndex(); i++) {
      if (r.log.get(i) == committed.get(i) || i < r.commitIndex) {
        throw new InvariantViolation(
            "CommittedEntriesNeverChange",
            r
                + " would drop its entry "
                + r.log.get(i)
                + ", committed (cluster commit index "
                + commitIndex()
                + ", its own "
                + r.commitIndex
                + ")");
      }
    }
    truncatedEntries += r.log.size() - from;
    r.log.subList(from, r.log.size()).clear();
  }

  /** The leader commits the newest entry of its term that a majority holds (and all before it). */
  void advanceCommit(SimulatedReplica leader) {
    if (!leader.isLeader()) {
      return;
    }
    for (int n = leader.log.size(); n > leader.commitIndex; n--) {
      RaftEntry e = leader.log.get(n - 1);
      if (e.term() != leader.currentTerm) {
        return; // Raft counts replicas only for entries of the leader's own term
      }
      int holders = 0;
      for (SimulatedReplica r : replicas) {
        if (r.log.size() >= n && r.log.get(n - 1) == e) {
          holders++;
        }
      }
      if (holders >= majority) {
        commit(leader, n);
        return;
      }
    }
  }

  private void commit(SimulatedReplica leader, int upTo) {
    for (long i = leader.commitIndex + 1; i <= upTo; i++) {
      RaftEntry e = leader.log.get(Math.toIntExact(i - 1));
      if (i <= committed.size()) {
        if (committedEntry(i) != e) {
          throw new InvariantViolation(
              "CommittedEntriesNeverChange",
              leader
                  + " commits "
                  + e
                  + " at index "
                  + i
                  + " where "
                  + committedEntry(i)
                  + " was committed");
        }
      } else {
        committed.add(e);
      }
    }
    leader.commitIndex = upTo;
  }
}
