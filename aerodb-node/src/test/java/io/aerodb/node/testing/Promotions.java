package io.aerodb.node.testing;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.proto.v1.MembershipReply;

/** Membership steps the cluster tests share. */
public final class Promotions {
  private Promotions() {}

  /**
   * Promotes the learner {@code nodeId}, asking again (a new request each time) while it is refused
   * as lagging because it is still catching up; at most 30 s.
   */
  public static MembershipReply awaitPromotion(AeroClient client, String nodeId)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try {
        return client.admin().promote(nodeId, false, "m-promote-" + System.nanoTime());
      } catch (AeroClientException e) {
        if (!"TARGET_LAGGING".equals(e.details().get("reason")) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // between retries (each a new request), bounded by the deadline
      }
    }
  }
}
