package io.aerodb.node.promotion;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a promotion decision may look at, captured at one moment on this node (SPEC §4).
 * Validation is a pure function of this value [P6-D1]: same view → same decision, byte for byte.
 *
 * @param selfId this node
 * @param selfIsLeader whether this node is the ready leader
 * @param leaderId the leader as this node knows it ("" if none)
 * @param leaderAddress its API address ("" if unknown)
 * @param term the current term
 * @param commitIndex the leader's commit index
 * @param members every member, the leader included, by id
 * @param configurationStable no configuration change is in flight (Ratis' conf is stable)
 * @param transferInProgress the request id of a transfer in flight on this leader, or ""
 * @param unhealthyAfterMs a follower that has not answered for longer than this is unhealthy
 */
public record ClusterView(
    String selfId,
    boolean selfIsLeader,
    String leaderId,
    String leaderAddress,
    long term,
    long commitIndex,
    SortedMap<String, MemberView> members,
    boolean configurationStable,
    String transferInProgress,
    long unhealthyAfterMs) {

  public ClusterView {
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  public long voters() {
    return members.values().stream().filter(MemberView::voter).count();
  }

  /** Voters that answered within {@link #unhealthyAfterMs}, the leader included. */
  public long reachableVoters() {
    return members.values().stream()
        .filter(m -> m.voter() && m.lastResponseMs() <= unhealthyAfterMs)
        .count();
  }

  public static long majority(long voters) {
    return voters / 2 + 1;
  }

  /** How many voters may fail with the cluster still able to commit: (n - 1) / 2. */
  public static long faultTolerance(long voters) {
    return voters == 0 ? 0 : (voters - 1) / 2;
  }
}
