package io.aerodb.node.config;

import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_INVALID_VALUE;
import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_MALFORMED;
import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_MISSING_KEY;
import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_UNKNOWN_KEY;
import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_UNREADABLE;
import static io.aerodb.core.error.ErrorCode.AERO_CONFIG_UNSAFE_VALUE;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.query.QueryLimits;
import io.aerodb.ratis.RaftSettings;
import io.aerodb.ratis.RatisConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a node config file (JSON). Pure: it reads the file and nothing else, so a
 * refusal happens before any data file is touched. Every refusal is an AERO_CONFIG_* error naming
 * the key path.
 *
 * <pre>
 * {
 *   "nodeId": "n1",                        required  [a-z][a-z0-9-]{0,31}
 *   "clusterName": "local",                required  [a-z0-9][a-z0-9-]{0,62}
 *   "dataDir": "n1-data",                  required  relative paths resolve against the config file's folder
 *   "peers": [ {"id": "n1", "host": "127.0.0.1", "raftPort": 7100, "apiPort": 7101}, ... ],   1, 3 or 5
 *   "raft": {"electionTimeoutMinMs": 500, "electionTimeoutMaxMs": 1000, "requestTimeoutMs": 3000,
 *            "logSync": true, "snapshotEveryEntries": 100000, "logRetainEntries": 50000,
 *            "logSegmentBytes": 67108864},  optional
 *   "api":  {"requestBytesMax": 2097152, "writeTimeoutMs": 10000, "readTimeoutMs": 5000,
 *            "queryLimitMax": 1000, "queryScanEntriesMax": 100000, "readinessLagMax": 1000}   optional
 *   "metrics": {"port": 7102}              optional; /metrics and /v1/... on 127.0.0.1 (0 = off)
 *   "gc": {"retainEntries": 100000, "intervalMs": 10000}   optional; MVCC history kept (docs/adr/0008)
 *   "join": false                          optional; true = join an existing cluster (cluster add-learner)
 * }
 * </pre>
 */
public final class NodeConfigLoader {
  private static final Pattern NODE_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Set<String> TOP =
      Set.of("nodeId", "clusterName", "dataDir", "peers", "raft", "api", "join", "metrics", "gc");
  private static final Set<String> GC = Set.of("retainEntries", "intervalMs");
  private static final Set<String> METRICS = Set.of("port");
  private static final Set<String> PEER = Set.of("id", "host", "raftPort", "apiPort");
  private static final Set<String> RAFT =
      Set.of(
          "electionTimeoutMinMs",
          "electionTimeoutMaxMs",
          "requestTimeoutMs",
          "logSync",
          "snapshotEveryEntries",
          "logRetainEntries",
          "logSegmentBytes");
  private static final Set<String> API =
      Set.of(
          "requestBytesMax",
          "writeTimeoutMs",
          "readTimeoutMs",
          "queryLimitMax",
          "queryScanEntriesMax",
          "readinessLagMax");

  /** Largest accepted api.queryLimitMax: a reply holds at most this many documents. */
  public static final long QUERY_LIMIT_CEILING = 100_000;

  /** Largest accepted api.queryScanEntriesMax. */
  public static final long QUERY_SCAN_ENTRIES_CEILING = 100_000_000;

  /**
   * Requests must stay well below the Ratis entry limit: an oversized entry makes the leader step
   * down.
   */
  public static final int REQUEST_BYTES_CEILING = RatisConfig.ENTRY_BYTES_MAX - 1024 * 1024;

  private NodeConfigLoader() {}

  public static NodeConfig load(Path file) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw fail(AERO_CONFIG_UNREADABLE, "$", "cannot read " + file + ": " + e.getMessage());
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(bytes, base);
  }

  public static NodeConfig parse(byte[] bytes, Path baseDir) throws ConfigException {
    JsonValue json;
    try {
      json = JsonReader.parse(bytes, new JsonLimits(1024 * 1024, 16, 64));
    } catch (AeroException e) {
      throw fail(AERO_CONFIG_MALFORMED, "$", e.error().message());
    }
    if (!(json instanceof JsonValue.Obj top)) {
      throw fail(AERO_CONFIG_MALFORMED, "$", "the config is a JSON object");
    }
    checkKeys(top, "", TOP);
    String nodeId = string(top, "nodeId", "nodeId", NODE_ID);
    String clusterName = string(top, "clusterName", "clusterName", CLUSTER_NAME);
    String dataDirText = string(top, "dataDir", "dataDir", null);
    if (dataDirText.isEmpty()) {
      throw fail(AERO_CONFIG_INVALID_VALUE, "dataDir", "dataDir is not empty");
    }
    Path dataDir = baseDir.resolve(dataDirText).normalize().toAbsolutePath();

    boolean join = bool(top, "join", "join", false);
    List<Peer> peers = peers(required(top, "peers", "peers"), join);
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE, "nodeId", "nodeId '" + nodeId + "' is not one of the peers");
    }

    JsonValue.Obj raft = optionalObject(top, "raft");
    checkKeys(raft, "raft.", RAFT);
    long electionMin =
        number(raft, "electionTimeoutMinMs", "raft.electionTimeoutMinMs", 500, 1, 60_000);
    long electionMax =
        number(raft, "electionTimeoutMaxMs", "raft.electionTimeoutMaxMs", 1000, 1, 120_000);
    long raftRequest = number(raft, "requestTimeoutMs", "raft.requestTimeoutMs", 3000, 100, 60_000);
    boolean logSync = bool(raft, "logSync", "raft.logSync", true);
    if (!logSync) {
      throw fail(
          AERO_CONFIG_UNSAFE_VALUE,
          "raft.logSync",
          "logSync false would acknowledge writes that a power loss can erase (the log is the WAL)");
    }
    if (electionMin < 150) {
      throw fail(
          AERO_CONFIG_UNSAFE_VALUE,
          "raft.electionTimeoutMinMs",
          "below 150 ms a busy machine or one slow fsync triggers spurious elections");
    }
    if (electionMax < electionMin + 100) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE,
          "raft.electionTimeoutMaxMs",
          "electionTimeoutMaxMs must exceed electionTimeoutMinMs by at least 100 (randomization avoids"
              + " split votes)");
    }

    long snapshotEvery =
        number(
            raft,
            "snapshotEveryEntries",
            "raft.snapshotEveryEntries",
            RaftSettings.SNAPSHOT_EVERY_ENTRIES,
            1,
            1_000_000_000);
    long logRetain =
        number(
            raft,
            "logRetainEntries",
            "raft.logRetainEntries",
            RaftSettings.LOG_RETAIN_ENTRIES,
            0,
            1_000_000_000);
    long segmentBytes =
        number(
            raft,
            "logSegmentBytes",
            "raft.logSegmentBytes",
            RaftSettings.LOG_SEGMENT_BYTES,
            1024 * 1024,
            1024L * 1024 * 1024);

    JsonValue.Obj api = optionalObject(top, "api");
    checkKeys(api, "api.", API);
    long requestBytesMax =
        number(
            api,
            "requestBytesMax",
            "api.requestBytesMax",
            2 * 1024 * 1024,
            1024,
            Integer.MAX_VALUE);
    if (requestBytesMax > REQUEST_BYTES_CEILING) {
      throw fail(
          AERO_CONFIG_UNSAFE_VALUE,
          "api.requestBytesMax",
          "above "
              + REQUEST_BYTES_CEILING
              + " bytes a request can exceed Ratis' 4 MB entry limit, which makes the leader step down");
    }
    long writeTimeout = number(api, "writeTimeoutMs", "api.writeTimeoutMs", 10_000, 100, 600_000);
    long readTimeout = number(api, "readTimeoutMs", "api.readTimeoutMs", 5_000, 100, 600_000);
    long queryLimitMax =
        number(
            api,
            "queryLimitMax",
            "api.queryLimitMax",
            QueryLimits.DEFAULTS.limitMax(),
            1,
            QUERY_LIMIT_CEILING);
    long queryScanEntriesMax =
        number(
            api,
            "queryScanEntriesMax",
            "api.queryScanEntriesMax",
            QueryLimits.DEFAULTS.scanEntriesMax(),
            1,
            QUERY_SCAN_ENTRIES_CEILING);
    if (queryScanEntriesMax < queryLimitMax) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE,
          "api.queryScanEntriesMax",
          "queryScanEntriesMax ("
              + queryScanEntriesMax
              + ") must be at least queryLimitMax ("
              + queryLimitMax
              + "): a query examines at least as many entries as it returns");
    }

    long readinessLagMax =
        number(api, "readinessLagMax", "api.readinessLagMax", 1_000, 0, 100_000_000);

    JsonValue.Obj gc = optionalObject(top, "gc");
    checkKeys(gc, "gc.", GC);
    long gcRetain = number(gc, "retainEntries", "gc.retainEntries", 100_000, 1, 1_000_000_000_000L);
    long gcInterval = number(gc, "intervalMs", "gc.intervalMs", 10_000, 100, 3_600_000);

    JsonValue.Obj metrics = optionalObject(top, "metrics");
    checkKeys(metrics, "metrics.", METRICS);
    int metricsPort = (int) number(metrics, "port", "metrics.port", 0, 0, 65535);
    Peer self = peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow();
    if (metricsPort != 0 && (metricsPort == self.raftPort() || metricsPort == self.apiPort())) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE,
          "metrics.port",
          "metrics.port " + metricsPort + " is already this node's Raft or API port");
    }

    return new NodeConfig(
        nodeId,
        clusterName,
        dataDir,
        peers,
        electionMin,
        electionMax,
        raftRequest,
        logSync,
        (int) requestBytesMax,
        writeTimeout,
        readTimeout,
        queryLimitMax,
        queryScanEntriesMax,
        join,
        readinessLagMax,
        metricsPort,
        snapshotEvery,
        logRetain,
        segmentBytes,
        gcRetain,
        gcInterval);
  }

  private static List<Peer> peers(JsonValue json, boolean join) throws ConfigException {
    if (!(json instanceof JsonValue.Arr arr)) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE, "peers", "peers is an array of {id, host, raftPort, apiPort}");
    }
    List<Peer> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> endpoints = new HashSet<>();
    for (int i = 0; i < arr.elements().size(); i++) {
      String path = "peers[" + i + "]";
      if (!(arr.elements().get(i) instanceof JsonValue.Obj p)) {
        throw fail(
            AERO_CONFIG_INVALID_VALUE, path, "a peer is an object {id, host, raftPort, apiPort}");
      }
      checkKeys(p, path + ".", PEER);
      String id = string(p, "id", path + ".id", NODE_ID);
      String host = string(p, "host", path + ".host", null);
      if (host.isEmpty()) {
        throw fail(AERO_CONFIG_INVALID_VALUE, path + ".host", "host is not empty");
      }
      int raftPort = (int) number(p, "raftPort", path + ".raftPort", -1, 1, 65535);
      int apiPort = (int) number(p, "apiPort", path + ".apiPort", -1, 1, 65535);
      if (!ids.add(id)) {
        throw fail(AERO_CONFIG_INVALID_VALUE, path + ".id", "peer id '" + id + "' appears twice");
      }
      for (String endpoint : List.of(host + ":" + raftPort, host + ":" + apiPort)) {
        if (!endpoints.add(endpoint)) {
          throw fail(AERO_CONFIG_INVALID_VALUE, path, "endpoint " + endpoint + " is used twice");
        }
      }
      out.add(new Peer(id, host, raftPort, apiPort));
    }
    int n = out.size();
    if (n == 0) {
      throw fail(AERO_CONFIG_INVALID_VALUE, "peers", "at least one peer (this node)");
    }
    if (n % 2 == 0 && !join) {
      throw fail(
          AERO_CONFIG_UNSAFE_VALUE,
          "peers",
          n + " voters tolerate no more failures than " + (n - 1) + " and need a larger majority");
    }
    if (n > 5) {
      throw fail(AERO_CONFIG_INVALID_VALUE, "peers", "a cluster has 1, 3 or 5 voters, not " + n);
    }
    return out;
  }

  private static void checkKeys(JsonValue.Obj obj, String prefix, Set<String> allowed)
      throws ConfigException {
    for (String key : obj.fields().keySet()) {
      if (!allowed.contains(key)) {
        throw fail(
            AERO_CONFIG_UNKNOWN_KEY,
            prefix + key,
            "unknown key '"
                + prefix
                + key
                + "' (known here: "
                + new java.util.TreeSet<>(allowed)
                + ")");
      }
    }
  }

  private static JsonValue required(JsonValue.Obj obj, String key, String path)
      throws ConfigException {
    JsonValue v = obj.get(key);
    if (v == null) {
      throw fail(AERO_CONFIG_MISSING_KEY, path, "'" + path + "' is required");
    }
    return v;
  }

  private static JsonValue.Obj optionalObject(JsonValue.Obj obj, String key)
      throws ConfigException {
    JsonValue v = obj.get(key);
    if (v == null) {
      return new JsonValue.Obj(new java.util.TreeMap<>());
    }
    if (!(v instanceof JsonValue.Obj o)) {
      throw fail(AERO_CONFIG_INVALID_VALUE, key, "'" + key + "' is an object");
    }
    return o;
  }

  private static String string(JsonValue.Obj obj, String key, String path, Pattern pattern)
      throws ConfigException {
    JsonValue v = required(obj, key, path);
    if (!(v instanceof JsonValue.Str s)) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE, path, "'" + path + "' is a string, not " + v.typeName());
    }
    if (pattern != null && !pattern.matcher(s.value()).matches()) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE,
          path,
          "'" + s.value() + "' does not match " + pattern.pattern());
    }
    return s.value();
  }

  private static long number(
      JsonValue.Obj obj, String key, String path, long defaultValue, long min, long max)
      throws ConfigException {
    JsonValue v = obj.get(key);
    if (v == null) {
      if (defaultValue < 0) {
        throw fail(AERO_CONFIG_MISSING_KEY, path, "'" + path + "' is required");
      }
      return defaultValue;
    }
    if (!(v instanceof JsonValue.Int i)) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE, path, "'" + path + "' is an integer, not " + v.typeName());
    }
    if (i.value() < min || i.value() > max) {
      throw fail(
          AERO_CONFIG_INVALID_VALUE,
          path,
          "'" + path + "' = " + i.value() + " is outside [" + min + ", " + max + "]");
    }
    return i.value();
  }

  private static boolean bool(JsonValue.Obj obj, String key, String path, boolean defaultValue)
      throws ConfigException {
    JsonValue v = obj.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof JsonValue.Bool b)) {
      throw fail(AERO_CONFIG_INVALID_VALUE, path, "'" + path + "' is true or false");
    }
    return b.value();
  }

  private static ConfigException fail(ErrorCode code, String key, String message) {
    return new ConfigException(AeroError.of(code, message, "key", key));
  }
}
