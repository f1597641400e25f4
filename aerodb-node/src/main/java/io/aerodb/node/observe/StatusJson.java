package io.aerodb.node.observe;

import io.aerodb.core.json.JsonValue;
import io.aerodb.node.promotion.ClusterView;
import io.aerodb.node.promotion.MemberView;
import io.aerodb.proto.v1.Member;
import io.aerodb.proto.v1.NodeStatusReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The status API's answers as canonical JSON. Every answer carries the node id, term, commit and
 * applied index it describes ("describes": the state the numbers were read from) [P4-2].
 */
public final class StatusJson {
  private StatusJson() {}

  static TreeMap<String, JsonValue> map() {
    return new TreeMap<>(JsonValue.KEY_ORDER);
  }

  static JsonValue str(String s) {
    return new JsonValue.Str(s);
  }

  static JsonValue num(long n) {
    return new JsonValue.Int(n);
  }

  /** The fields every answer states. */
  static TreeMap<String, JsonValue> describes(NodeStatusReply s) {
    TreeMap<String, JsonValue> m = map();
    m.put("nodeId", str(s.getNodeId()));
    m.put("term", num(s.getTerm()));
    m.put("commitIndex", num(s.getCommitIndex()));
    m.put("appliedIndex", num(s.getAppliedIndex()));
    return m;
  }

  public static JsonValue.Obj status(NodeStatusReply s) {
    TreeMap<String, JsonValue> m = describes(s);
    m.put("clusterName", str(s.getClusterName()));
    m.put("phase", str(s.getPhase()));
    m.put("role", str(s.getRole()));
    m.put("membership", str(s.getMembership()));
    m.put("leaderId", str(s.getLeaderId()));
    m.put("leaderAddress", str(s.getLeaderAddress()));
    m.put("snapshotIndex", num(s.getSnapshotIndex()));
    m.put("logStartIndex", num(s.getLogStartIndex()));
    m.put("logLastIndex", num(s.getLogLastIndex()));
    m.put("storeBytes", num(s.getStoreBytes()));
    m.put("logBytes", num(s.getLogBytes()));
    m.put("gcFloor", num(s.getGcFloor()));
    m.put("gcCollected", num(s.getGcCollected()));
    TreeMap<String, JsonValue> install = map();
    install.put("phase", str(s.getInstall().getPhase()));
    install.put("source", str(s.getInstall().getSource()));
    install.put("index", num(s.getInstall().getIndex()));
    install.put("bytesReceived", num(s.getInstall().getBytesReceived()));
    install.put("bytesTotal", num(s.getInstall().getBytesTotal()));
    install.put("filesDone", num(s.getInstall().getFilesDone()));
    install.put("filesTotal", num(s.getInstall().getFilesTotal()));
    install.put("attempts", num(s.getInstall().getAttempts()));
    install.put("failures", num(s.getInstall().getFailures()));
    install.put("installs", num(s.getInstall().getInstalls()));
    install.put("lastError", str(s.getInstall().getLastError()));
    install.put("sendsActive", num(s.getInstall().getSendsActive()));
    m.put("install", new JsonValue.Obj(install));
    m.put("stateDigest", str(s.getStateDigest()));
    m.put("requestsTotal", num(s.getRequestsTotal()));
    TreeMap<String, JsonValue> health = map();
    health.put("live", new JsonValue.Bool(s.getLive()));
    health.put("serving", new JsonValue.Bool(s.getServing()));
    health.put("ready", new JsonValue.Bool(s.getReady()));
    health.put("reason", str(s.getNotReadyReason()));
    m.put("health", new JsonValue.Obj(health));
    List<JsonValue> members = new ArrayList<>();
    for (Member mem : s.getMembersList()) {
      TreeMap<String, JsonValue> x = map();
      x.put("id", str(mem.getId()));
      x.put("role", str(mem.getRole()));
      x.put("apiAddress", str(mem.getApiAddress()));
      x.put("raftAddress", str(mem.getRaftAddress()));
      members.add(new JsonValue.Obj(x));
    }
    m.put("members", new JsonValue.Arr(members));
    return new JsonValue.Obj(m);
  }

  /** The cluster as the leader sees it; a follower says it is not the leader and who is. */
  public static JsonValue.Obj cluster(NodeStatusReply s, Optional<ClusterView> view) {
    TreeMap<String, JsonValue> m = describes(s);
    m.put("leaderId", str(s.getLeaderId()));
    m.put("leaderAddress", str(s.getLeaderAddress()));
    List<JsonValue> followers = new ArrayList<>();
    if (view.isPresent()) {
      ClusterView v = view.get();
      m.put("servedBy", str("leader"));
      for (MemberView mv : v.members().values()) {
        if (mv.id().equals(v.selfId())) {
          continue;
        }
        TreeMap<String, JsonValue> f = map();
        f.put("id", str(mv.id()));
        f.put("role", str(mv.voter() ? "VOTER" : "LEARNER"));
        f.put("matchIndex", num(mv.matchIndex()));
        f.put("lagEntries", num(Math.max(0, v.commitIndex() - mv.matchIndex())));
        f.put(
            "lastResponseMs",
            num(mv.lastResponseMs() == MemberView.NEVER_ANSWERED ? -1 : mv.lastResponseMs()));
        followers.add(new JsonValue.Obj(f));
      }
    } else {
      m.put("servedBy", str("follower"));
      m.put(
          "note",
          str("follower progress is known to the leader only; ask " + s.getLeaderAddress()));
    }
    m.put("followers", new JsonValue.Arr(followers));
    return new JsonValue.Obj(m);
  }

  /** What the last start loaded and replayed, from the state machine's own record [P4-7]. */
  public static JsonValue.Obj recovery(NodeStatusReply s, RecoveryReport r) {
    TreeMap<String, JsonValue> m = describes(s);
    m.put("storeAppliedIndex", num(r.storeAppliedIndex()));
    m.put("storeAppliedTerm", num(r.storeAppliedTerm()));
    m.put("storeDigest", str(r.storeDigest()));
    m.put("logStartIndex", num(r.logStartIndex()));
    m.put("logLastIndex", num(r.logLastIndex()));
    m.put("firstReplayedIndex", num(r.firstReplayedIndex()));
    m.put("lastAppliedIndex", num(r.lastAppliedIndex()));
    m.put("entriesApplied", num(r.entriesApplied()));
    m.put(
        "snapshotUsed",
        str(
            r.storeAppliedIndex() > 0
                ? "the store itself, durable up to index " + r.storeAppliedIndex()
                : "none (empty store)"));
    m.put("explanation", str(explain(r)));
    return new JsonValue.Obj(m);
  }

  static String explain(RecoveryReport r) {
    long replayable = Math.max(0, r.logLastIndex() - r.storeAppliedIndex());
    return "loaded the store at applied index "
        + r.storeAppliedIndex()
        + " (term "
        + r.storeAppliedTerm()
        + "); the Raft log held indexes "
        + r.logStartIndex()
        + ".."
        + r.logLastIndex()
        + " at start, so only the "
        + replayable
        + " entries after "
        + r.storeAppliedIndex()
        + " were candidates for replay; "
        + r.entriesApplied()
        + " state-machine entries applied since start"
        + (r.entriesApplied() > 0
            ? " (indexes " + r.firstReplayedIndex() + ".." + r.lastAppliedIndex() + ")"
            : "");
  }
}
