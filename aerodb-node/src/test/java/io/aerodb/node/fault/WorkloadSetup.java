package io.aerodb.node.fault;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Set-up helpers of the workloads. */
final class WorkloadSetup {
  private WorkloadSetup() {}

  /**
   * Waits (at most 30 s) until a linearizable read finds {@code collection}: under the
   * ACK_BEFORE_COMMIT red gate a create is acknowledged before it is committed, and a write that
   * follows at once would be refused AERO_COLLECTION_NOT_FOUND.
   */
  static void awaitVisible(AeroClient client, String collection) {
    Awaitility.await("collection " + collection + " is visible")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreException(AeroClientException.class)
        .until(() -> client.listIndexes(collection).getIndexesCount() > 0);
  }
}
