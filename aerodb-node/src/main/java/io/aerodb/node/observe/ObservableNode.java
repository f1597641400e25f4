package io.aerodb.node.observe;

import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.query.QueryRequest;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.Decision;
import io.aerodb.proto.v1.NodeStatusReply;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Optional;

/** What the observability code reads from a node. Every method only reads [P4-1]. */
public interface ObservableNode {
  String nodeId();

  NodeStatusReply status();

  /** The leader's view of the cluster (members, match indexes), or empty on a follower. */
  Optional<ClusterView> leaderView();

  MetricRegistry metrics();

  /** Metrics kept with the Prometheus client (the request latency histograms). */
  PrometheusRegistry histograms();

  long storeSizeBytes();

  Health health();

  /** Recovery: what was loaded and replayed at the last start. */
  RecoveryReport recovery();

  EventLog events();

  /** Authority records after {@code afterIndex}, oldest first [P6-D2]. */
  List<AuthorityRecord> authorityHistory(long afterIndex, int limit);

  /** The decision a transfer to {@code target} would get now, without acting [P6-D1]. */
  Decision explainTransfer(String target);

  /** The plan (or rejection) of a query at this node's applied index; reads no document [P4-8]. */
  QueryExplanation explainQuery(QueryRequest request);

  /** An explain document (canonical JSON) and the view it was planned at. */
  record QueryExplanation(long viewIndex, byte[] explainJson) {}

  /**
   * The state digest after the entry at {@code index}, with the applied index and GC floor it was
   * read under (empty digest: none kept for that index).
   */
  DigestAt stateDigestAt(long index);

  /** A digest of the digest history; see {@link #stateDigestAt}. */
  record DigestAt(long index, Optional<byte[]> digest, long appliedIndex, long gcFloor) {}
}
