package io.aerodb.ratis;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis key AeroDB relies on, set explicitly in one place (DESIGN.md, Ratis settings that are
 * not optional) and returned as a sorted map so the node logs it at start. Nothing else in the code
 * base sets a Ratis property.
 */
public final class RatisConfig {
  /** Largest log entry Ratis can replicate (raft.server.log.appender.buffer.byte-limit). */
  public static final int ENTRY_BYTES_MAX = 4 * 1024 * 1024;

  private final RaftProperties properties = new RaftProperties();
  private final TreeMap<String, String> described = new TreeMap<>();

  private RatisConfig() {}

  /** The server properties for one node. */
  public static RatisConfig server(RaftSettings s) {
    RatisConfig c = new RatisConfig();
    c.set(RaftServerConfigKeys.STORAGE_DIR_KEY, s.storageDir().toAbsolutePath().toString());
    // Bind exactly where peers reach us; the default is 0.0.0.0 on an ephemeral port (notes §6.1).
    c.set(GrpcConfigKeys.Server.HOST_KEY, s.host());
    c.set(GrpcConfigKeys.Server.PORT_KEY, Integer.toString(s.port()));
    c.set(GrpcConfigKeys.Admin.PORT_KEY, "-1"); // admin and client RPCs share the server port
    c.set(GrpcConfigKeys.Client.PORT_KEY, "-1");
    c.set(GrpcConfigKeys.MESSAGE_SIZE_MAX_KEY, "64MB");

    // Reads: ReadIndex, no lease (a lease trusts bounded clock drift; we do not need it yet).
    c.set(RaftServerConfigKeys.Read.OPTION_KEY, "LINEARIZABLE");
    c.set(RaftServerConfigKeys.Read.LEADER_LEASE_ENABLED_KEY, "false");
    c.set(RaftServerConfigKeys.Read.TIMEOUT_KEY, "5s");

    // Elections: pre-vote on; timeouts from the node config; equal priorities (never set here).
    c.set(RaftServerConfigKeys.LeaderElection.PRE_VOTE_KEY, "true");
    c.set(RaftServerConfigKeys.Rpc.TIMEOUT_MIN_KEY, s.electionTimeoutMinMs() + "ms");
    c.set(RaftServerConfigKeys.Rpc.TIMEOUT_MAX_KEY, s.electionTimeoutMaxMs() + "ms");
    c.set(RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MIN_KEY, s.electionTimeoutMinMs() + "ms");
    c.set(RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MAX_KEY, s.electionTimeoutMaxMs() + "ms");
    c.set(RaftServerConfigKeys.Rpc.REQUEST_TIMEOUT_KEY, s.requestTimeoutMs() + "ms");
    c.set(RaftServerConfigKeys.Rpc.SLOWNESS_TIMEOUT_KEY, "60s");
    // A leader that stepped down because it lost its followers' heartbeats does not campaign for
    // this long (Ratis FollowerState.lostMajorityHeartbeatsRecently). At Ratis' 10 s a 3-node
    // cluster whose two followers died stood still for 10 s after one came back (fault harness,
    // random-kills seed 1001; Scenario.FOLLOWERS_LOST). Pre-vote already keeps a returning node
    // from disrupting a leader, so one election timeout is enough. Ratis uses the same value as the
    // JVM pause past which a leader steps down: one paused longer than an election timeout has
    // likely been replaced already. Liveness only: no safety rule depends on it.
    c.set(
        RaftServerConfigKeys.LeaderElection.LEADER_STEP_DOWN_WAIT_TIME_KEY,
        s.electionTimeoutMaxMs() + "ms");
    // A JVM pause longer than this closes the server; the node then stops (FATAL) and is restarted.
    c.set(RaftServerConfigKeys.SLEEP_DEVIATION_THRESHOLD_KEY, "300ms");
    c.set(RaftServerConfigKeys.CLOSE_THRESHOLD_KEY, "600s");
    c.set(RaftServerConfigKeys.Notification.NO_LEADER_TIMEOUT_KEY, "60s");

    // The log is the WAL: fsync before an entry counts, never the unsafe or async flush (SPEC §4).
    c.set(RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY, "false");
    c.set(RaftServerConfigKeys.Log.ASYNC_FLUSH_ENABLED_KEY, "false");
    c.set(RaftServerConfigKeys.Log.FORCE_SYNC_NUM_KEY, "128");
    // No commit-index metadata entries: with them every commit appended (and replicated and
    // fsynced) a second entry, which halved single-client throughput (1-client insert p50 2.8 ms
    // -> 1.3 ms without, docs/PERFORMANCE.md). Safety does not need them: Raft never persists the
    // commit index, a restarted node re-learns it from the leader, and the store's own applied
    // index is durable.
    c.set(RaftServerConfigKeys.Log.LOG_METADATA_ENABLED_KEY, "false");
    c.set(RaftServerConfigKeys.Log.CORRUPTION_POLICY_KEY, "EXCEPTION");
    c.set(RaftServerConfigKeys.Log.SEGMENT_SIZE_MAX_KEY, s.logSegmentBytes() + "");
    c.set(RaftServerConfigKeys.Log.PREALLOCATED_SIZE_KEY, "4MB");
    c.set(RaftServerConfigKeys.Log.WRITE_BUFFER_SIZE_KEY, "8MB"); // >= appender byte limit + 8
    c.set(RaftServerConfigKeys.Log.QUEUE_ELEMENT_LIMIT_KEY, "4096");
    c.set(RaftServerConfigKeys.Log.QUEUE_BYTE_LIMIT_KEY, "64MB");
    // Ratis keeps log entries in the Java heap: the open segment's, always, and those of closed
    // segments until more than segment.cache.num.max closed segments are cached or the cache (open
    // segment included) holds more than segment.cache.size.max (Ratis' defaults 6 and 200 MB:
    // under sustained writes most of a node's live heap, measured with a class histogram). With
    // these values and the default 64 MiB segments a closed segment's entries leave the heap soon
    // after the segment is closed, unless a follower or this node's apply still reads them; an
    // evicted entry is read back from its segment file (Ratis loads the whole segment). The heap
    // then holds about one segment of entries (logSegmentBytes, when that is larger than 64 MB).
    // With a 256 MiB heap Ratis' defaults cost 1.6x the CPU per update at 64 clients
    // (docs/PERFORMANCE.md "Memory").
    c.set(RaftServerConfigKeys.Log.SEGMENT_CACHE_NUM_MAX_KEY, "2");
    c.set(RaftServerConfigKeys.Log.SEGMENT_CACHE_SIZE_MAX_KEY, "64MB");
    c.set(
        RaftServerConfigKeys.Log.Appender.BUFFER_BYTE_LIMIT_KEY,
        ENTRY_BYTES_MAX / 1024 / 1024 + "MB");
    // Snapshots (docs/adr/0002, 0007): a snapshot is "the store is durable up to index N" (a WAL
    // fsync), taken every snapshotEveryEntries applied entries, on stop, and on demand. The log is
    // then purged up to N but keeps the last logRetainEntries entries, whatever the followers'
    // progress (a stopped follower must not pin the disk): one lagging further is notified and
    // installs a store checkpoint over AeroDB's peer channel, never Ratis' file chunks, which would
    // replace the sm/ directory (notes §2.3).
    c.set(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_ENABLED_KEY, "true");
    c.set(
        RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_THRESHOLD_KEY,
        Long.toString(s.snapshotEveryEntries()));
    c.set(RaftServerConfigKeys.Snapshot.TRIGGER_WHEN_STOP_ENABLED_KEY, "true");
    c.set(RaftServerConfigKeys.Snapshot.CREATION_GAP_KEY, "1");
    c.set(RaftServerConfigKeys.Snapshot.RETENTION_FILE_NUM_KEY, "2");
    c.set(RaftServerConfigKeys.Log.PURGE_UPTO_SNAPSHOT_INDEX_KEY, "true");
    c.set(
        RaftServerConfigKeys.Log.PURGE_PRESERVATION_LOG_NUM_KEY,
        Long.toString(s.logRetainEntries()));
    c.set(
        RaftServerConfigKeys.Log.PURGE_GAP_KEY,
        Long.toString(Math.max(1, Math.min(1024, s.snapshotEveryEntries()))));
    c.set(RaftServerConfigKeys.Log.Appender.INSTALL_SNAPSHOT_ENABLED_KEY, "false");

    // Pending writes on the leader; beyond these a write is refused (AERO_CLUSTER_OVERLOADED).
    c.set(RaftServerConfigKeys.Write.ELEMENT_LIMIT_KEY, "4096");
    c.set(RaftServerConfigKeys.Write.BYTE_LIMIT_KEY, "64MB");
    c.set(RaftServerConfigKeys.RetryCache.EXPIRY_TIME_KEY, "60s");
    c.applyExperimentOverrides(System.getProperties());
    return c;
  }

  /** JVM system-property prefix of the performance-experiment overrides. */
  public static final String OVERRIDE_PREFIX = "aerodb.ratis.";

  /**
   * The keys no property, config or experiment may change, each with the rule it protects. {@link
   * #server} sets every one of them; {@link #applyExperimentOverrides} refuses them, and so does
   * any later code path that would set a key (there is none: only {@link #set} and the red gate
   * write properties). RatisConfigOverrideTest tries every key.
   */
  static final SortedMap<String, String> SAFETY_KEYS =
      Collections.unmodifiableSortedMap(
          new TreeMap<>(
              java.util.Map.ofEntries(
                  java.util.Map.entry(
                      RaftServerConfigKeys.STORAGE_DIR_KEY,
                      "the data directory's layout, lock and identity"),
                  java.util.Map.entry(
                      GrpcConfigKeys.Server.HOST_KEY, "peers reach the node where it binds"),
                  java.util.Map.entry(
                      GrpcConfigKeys.Server.PORT_KEY, "peers reach the node where it binds"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Read.OPTION_KEY,
                      "[R-LIN] ReadIndex: the default option serves stale reads"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Read.LEADER_LEASE_ENABLED_KEY,
                      "[R-LIN] a lease trusts bounded clock drift"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.LeaderElection.PRE_VOTE_KEY,
                      "[P6-A1] a returning node must not depose a healthy leader"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY,
                      "SPEC 4: an entry counts only once fsynced"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Log.ASYNC_FLUSH_ENABLED_KEY,
                      "SPEC 4: an entry counts only once fsynced"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Log.CORRUPTION_POLICY_KEY,
                      "SPEC 5: corruption is never repaired silently"),
                  java.util.Map.entry(
                      RaftServerConfigKeys.Log.Appender.INSTALL_SNAPSHOT_ENABLED_KEY,
                      "Ratis' file chunks would replace the store directory (notes 2.3)"))));

  /**
   * Performance experiments only (scripts/bench-profile.sh, docs/PERFORMANCE.md): a JVM system
   * property {@code -Daerodb.ratis.<ratis key>=<value>} replaces that Ratis key, so a setting can
   * be measured without a rebuild. The safety keys cannot be overridden; every override shows in
   * {@link #describe()} (logged at start) with an "override:" prefix on its value.
   */
  void applyExperimentOverrides(java.util.Properties system) {
    for (String name : new java.util.TreeSet<>(system.stringPropertyNames())) {
      if (!name.startsWith(OVERRIDE_PREFIX)) {
        continue;
      }
      String key = name.substring(OVERRIDE_PREFIX.length());
      if (SAFETY_KEYS.containsKey(key)) {
        throw new IllegalArgumentException(
            "Ratis key " + key + " cannot be overridden: " + SAFETY_KEYS.get(key));
      }
      String value = system.getProperty(name);
      properties.set(key, value);
      described.put(key, "override:" + value);
    }
  }

  /** Properties for a Raft client (admin operations). */
  public static RatisConfig client(long requestTimeoutMs) {
    RatisConfig c = new RatisConfig();
    c.set(RaftClientConfigKeys.Rpc.REQUEST_TIMEOUT_KEY, requestTimeoutMs + "ms");
    c.set(GrpcConfigKeys.MESSAGE_SIZE_MAX_KEY, "64MB");
    return c;
  }

  /**
   * A Raft client with a bounded retry policy (the Ratis default retries forever without sleeping,
   * notes §0.4). Every RaftClient in AeroDB is built here.
   */
  public static RaftClient newClient(RaftGroup group, long requestTimeoutMs, int attempts) {
    RetryPolicy bounded =
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            attempts, TimeDuration.valueOf(100, java.util.concurrent.TimeUnit.MILLISECONDS));
    return RaftClient.newBuilder()
        .setProperties(client(requestTimeoutMs).properties())
        .setRaftGroup(group)
        .setRetryPolicy(bounded)
        .build();
  }

  /**
   * The fault harness's red gate "acknowledge before the log is durable" (only the node's {@code
   * RedGate.UNSAFE_FLUSH} calls this; docs/TESTING.md): Ratis' unsafe flush, so that an entry
   * counts as written before it was fsynced. A power cut must then lose acknowledged writes. Shows
   * in {@link #describe()} as "RED GATE: true".
   */
  public RatisConfig redGateUnsafeFlush() {
    properties.set(RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY, "true");
    described.put(RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY, "RED GATE: true");
    return this;
  }

  public RaftProperties properties() {
    return properties;
  }

  /** Every key set, sorted: logged at start so an operator sees exactly what Ratis runs with. */
  public SortedMap<String, String> describe() {
    return Collections.unmodifiableSortedMap(described);
  }

  private void set(String key, String value) {
    properties.set(key, value);
    described.put(key, value);
  }
}
