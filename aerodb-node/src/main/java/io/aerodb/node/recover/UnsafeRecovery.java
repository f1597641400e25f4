package io.aerodb.node.recover;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import io.aerodb.node.config.ConfigException;
import io.aerodb.node.config.NodeConfig;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.node.storage.DataDirectory;
import io.aerodb.ratis.RaftLogInspector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The only escape hatch for a cluster that lost its majority for good (SPEC §4). There is no
 * "force" anywhere else [P6-A1]. Offline and audited:
 *
 * <ol>
 *   <li>every named survivor must be stopped (its data directory lock is free);
 *   <li>it reads each survivor's Raft log and picks the one with the highest (last entry term, last
 *       index) — the most up-to-date log, which holds every entry committed by any majority it was
 *       part of;
 *   <li>it refuses unless the operator confirms, by naming them, the invariants it overrides:
 *       {@value #OVERRIDES} (authority no longer comes from a majority; entries acknowledged by the
 *       lost nodes alone may be gone);
 *   <li>it makes the chosen survivor the only voter (a new Raft configuration above its log),
 *       writes an audit record that the node replicates as an {@code unsafe-recovery} authority
 *       record once it leads (so {@code cluster events} shows it after restart), and marks the
 *       other survivors superseded (they refuse to start until wiped and re-added as learners).
 * </ol>
 */
public final class UnsafeRecovery {
  public static final String OVERRIDES = "P6-A1,P6-S1";
  public static final String AUDIT_FILE = "unsafe-recovery-audit.json";

  /** One survivor as read from its stopped data directory. */
  public record Survivor(NodeConfig config, RaftLogInspector.LogState log) {}

  /** The plan (and, when applied, the result). */
  public record Plan(
      List<Survivor> survivors, Survivor chosen, boolean applied, long configurationIndex) {
    public JsonValue.Obj toJson() {
      List<JsonValue> s = new ArrayList<>();
      for (Survivor v : survivors) {
        TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
        m.put("nodeId", new JsonValue.Str(v.config().nodeId()));
        m.put("currentTerm", new JsonValue.Int(v.log().currentTerm()));
        m.put("lastEntryTerm", new JsonValue.Int(v.log().lastEntryTerm()));
        m.put("lastIndex", new JsonValue.Int(v.log().lastIndex()));
        s.add(new JsonValue.Obj(m));
      }
      TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
      m.put("survivors", new JsonValue.Arr(s));
      m.put("chosen", new JsonValue.Str(chosen.config().nodeId()));
      m.put("overrides", new JsonValue.Str(OVERRIDES));
      m.put("applied", new JsonValue.Bool(applied));
      m.put("configurationIndex", new JsonValue.Int(configurationIndex));
      return new JsonValue.Obj(m);
    }
  }

  private UnsafeRecovery() {}

  /** Reads the survivors and picks one; changes nothing. */
  public static Plan plan(List<NodeConfig> survivors) throws ConfigException {
    if (survivors.isEmpty()) {
      throw refused("name at least one surviving node's config (--config)");
    }
    String cluster = survivors.get(0).clusterName();
    List<Survivor> read = new ArrayList<>();
    for (NodeConfig c : survivors) {
      if (!c.clusterName().equals(cluster)) {
        throw refused(
            "survivors belong to different clusters: " + cluster + " and " + c.clusterName());
      }
      if (DataDirectory.isLocked(c.dataDir())) {
        throw refused(
            "node "
                + c.nodeId()
                + " is running (its data directory "
                + c.dataDir()
                + " is locked); stop every survivor first");
      }
      Path current = currentDir(c);
      if (!Files.isDirectory(current)) {
        throw refused("node " + c.nodeId() + " has no Raft log at " + current);
      }
      try {
        read.add(new Survivor(c, RaftLogInspector.inspect(current)));
      } catch (IOException | RuntimeException e) {
        throw refused("the Raft log of " + c.nodeId() + " cannot be read: " + e.getMessage());
      }
    }
    Survivor chosen =
        read.stream()
            .max(
                Comparator.comparingLong((Survivor s) -> s.log().lastEntryTerm())
                    .thenComparingLong(s -> s.log().lastIndex())
                    .thenComparing(s -> s.config().nodeId(), Comparator.reverseOrder()))
            .orElseThrow();
    return new Plan(read, chosen, false, -1);
  }

  /** Applies the plan if {@code confirmation} names exactly the overridden invariants. */
  public static Plan apply(Plan plan, String confirmation, String operator) throws ConfigException {
    if (!OVERRIDES.equals(confirmation)) {
      throw refused(
          "unsafe-recover overrides invariants "
              + OVERRIDES
              + " (majority authority; acknowledged writes held only by the lost nodes may be gone)."
              + " Confirm with --confirm-overrides "
              + OVERRIDES);
    }
    NodeConfig c = plan.chosen().config();
    try {
      long index =
          RaftLogInspector.writeSingleVoterConfiguration(
              currentDir(c), c.nodeId(), c.self().raftAddress());
      TreeMap<String, JsonValue> audit = new TreeMap<>(JsonValue.KEY_ORDER);
      audit.put("at", new JsonValue.Str(Instant.now().toString()));
      audit.put("chosen", new JsonValue.Str(c.nodeId()));
      audit.put("operator", new JsonValue.Str(operator));
      audit.put("overrides", new JsonValue.Str(OVERRIDES));
      audit.put("configurationIndex", new JsonValue.Str(Long.toString(index)));
      StringBuilder survivors = new StringBuilder();
      for (Survivor s : plan.survivors()) {
        survivors
            .append(survivors.length() == 0 ? "" : ",")
            .append(s.config().nodeId())
            .append("(term ")
            .append(s.log().lastEntryTerm())
            .append(", index ")
            .append(s.log().lastIndex())
            .append(')');
      }
      audit.put("survivors", new JsonValue.Str(survivors.toString()));
      Files.writeString(
          c.dataDir().resolve(AUDIT_FILE),
          CanonicalJson.toText(new JsonValue.Obj(audit)),
          StandardCharsets.UTF_8);
      for (Survivor s : plan.survivors()) {
        if (s != plan.chosen()) {
          Files.writeString(
              s.config().dataDir().resolve(DataDirectory.SUPERSEDED),
              "unsafe-recover chose " + c.nodeId() + " at " + Instant.now() + ".",
              StandardCharsets.UTF_8);
        }
      }
      return new Plan(plan.survivors(), plan.chosen(), true, index);
    } catch (IOException e) {
      throw refused("writing the recovery failed: " + e.getMessage());
    }
  }

  private static Path currentDir(NodeConfig c) {
    return RaftLogInspector.currentDir(
        c.dataDir().resolve("raft"), RaftDivision.groupIdOf(c.clusterName()).getUuid().toString());
  }

  private static ConfigException refused(String why) {
    return new ConfigException(AeroError.of(ErrorCode.AERO_RECOVERY_REFUSED, why));
  }
}
