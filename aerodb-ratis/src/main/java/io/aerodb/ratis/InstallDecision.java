package io.aerodb.ratis;

/**
 * What a follower does when Ratis tells it that the leader's log starts at {@code first} ({@link
 * AeroStateMachine#notifyInstallSnapshotFromLeader}): a pure function of the numbers, so every case
 * is checked by InstallDecisionTest.
 */
enum InstallDecision {
  /** Catch up from the leader's log (the answer to Ratis is "no snapshot"). */
  FROM_THE_LOG,
  /**
   * Report the node's own store, made durable, as installed at its applied index A: the leader's
   * log starts at A+1 and this node's log has no entry there or one of another term, so the leader
   * cannot append from A+1 without the term of entry A, which neither log holds (a former leader's
   * diverged log after a purge; Ratis: "Previous TermIndex not found").
   */
  OWN_STORE,
  /** Fetch a store at least at {@code first - 1} from the leader. */
  FETCH;

  /**
   * @param applied the index this node's store applied (0: none)
   * @param first the index of the leader's first log entry
   * @param leaderTermAtFirst the term of that entry
   * @param localTermAtFirst the term of this node's own entry at {@code first}: -1 if it has none,
   *     {@link Long#MIN_VALUE} if its log could not be read (then the node does not risk its own
   *     store)
   */
  static InstallDecision of(
      long applied, long first, long leaderTermAtFirst, long localTermAtFirst) {
    if (first > applied + 1) {
      return FETCH;
    }
    if (applied <= 0 || first != applied + 1 || localTermAtFirst == Long.MIN_VALUE) {
      return FROM_THE_LOG;
    }
    return localTermAtFirst < 0 || localTermAtFirst != leaderTermAtFirst ? OWN_STORE : FROM_THE_LOG;
  }
}
