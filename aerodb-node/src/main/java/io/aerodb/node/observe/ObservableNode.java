package io.aerodb.node.observe;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.proto.v1.NodeStatusReply;
import java.util.Optional;

/** What the observability code reads from a node. Every method only reads [P4-1]. */
public interface ObservableNode {
  String nodeId();

  NodeStatusReply status();

  /** The leader's view of the cluster (members, match indexes), or empty on a follower. */
  Optional<ClusterView> leaderView();

  MetricRegistry metrics();

  long storeSizeBytes();

  Health health();

  /** Recovery: what was loaded and replayed at the last start. */
  RecoveryReport recovery();
}
