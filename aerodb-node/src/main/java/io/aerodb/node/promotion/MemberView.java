package io.aerodb.node.promotion;

/**
 * One member as the leader sees it.
 *
 * @param id node id
 * @param voter true for a voter, false for a learner (a Ratis listener)
 * @param matchIndex the highest log index known to be stored on it (the leader's own last index for
 *     itself)
 * @param lastResponseMs milliseconds since it last answered the leader (0 for the leader itself)
 * @param installingSnapshot whether it needs a snapshot (its next index is below the leader's log
 *     start)
 */
public record MemberView(
    String id, boolean voter, long matchIndex, long lastResponseMs, boolean installingSnapshot) {

  /** lastResponseMs of a member the leader has no answer from (no replication stream yet). */
  public static final long NEVER_ANSWERED = Long.MAX_VALUE;

  static String describeLastAnswer(long ms) {
    return ms == NEVER_ANSWERED ? "no answer yet" : "last answer " + ms + " ms ago";
  }
}
