package io.aerodb.node.promotion;

import io.aerodb.node.raft.PeerDirectory;
import io.aerodb.node.raft.RaftDivision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Captures a {@link ClusterView} from this node's Raft division: members and roles from the
 * configuration, each follower's match and next index and time since its last answer (leader only),
 * the commit index, and the in-flight work. The only place the promotion code reads Raft state; the
 * validators never do.
 */
public final class ClusterViewReader {
  private final RaftDivision raft;
  private final String selfId;
  private final PeerDirectory peers;
  private final long unhealthyAfterMs;

  public ClusterViewReader(
      RaftDivision raft, String selfId, PeerDirectory peers, long unhealthyAfterMs) {
    this.raft = raft;
    this.selfId = selfId;
    this.peers = peers;
    this.unhealthyAfterMs = unhealthyAfterMs;
  }

  /**
   * The view now; {@code transferInProgress} and {@code membershipInProgress} come from the
   * coordinators.
   */
  public ClusterView read(String transferInProgress, boolean membershipInProgress) {
    RaftServer.Division d = raft.require();
    DivisionInfo info = d.getInfo();
    RaftConfiguration conf = d.getRaftConf();
    boolean leader = info.isLeader() && info.isLeaderReady();
    RaftPeerId leaderPeer = info.getLeaderId();
    String leaderId = leaderPeer == null ? "" : leaderPeer.toString();
    long commit = d.getRaftLog().getLastCommittedIndex();
    long lastIndex =
        d.getRaftLog().getLastEntryTermIndex() == null
            ? 0
            : d.getRaftLog().getLastEntryTermIndex().getIndex();
    long logStart = d.getRaftLog().getStartIndex();

    Map<String, long[]> followers = new HashMap<>(); // id -> {match, next, lastResponseMs}
    if (leader) {
      for (int attempt = 0; attempt < 3; attempt++) {
        RoleInfoProto role = info.getRoleInfoProto();
        long[] match = info.getFollowerMatchIndices();
        long[] next = info.getFollowerNextIndices();
        List<ServerRpcProto> rpc =
            role.hasLeaderInfo() ? role.getLeaderInfo().getFollowerInfoList() : List.of();
        if (match == null
            || next == null
            || match.length != rpc.size()
            || next.length != rpc.size()) {
          continue; // appenders changed between the calls; read again
        }
        followers.clear();
        // Ratis starts each follower's "last answer" one election timeout before the leadership
        // began (LeaderStateImpl.addSenders), so an answer older than this leadership is no answer:
        // a dead follower must not look healthy in the first second of a term [P6-S2].
        long leaderForMs = role.getRoleElapsedTimeMs();
        for (int i = 0; i < rpc.size(); i++) {
          long last = rpc.get(i).getLastRpcElapsedTimeMs();
          followers.put(
              rpc.get(i).getId().getId().toStringUtf8(),
              new long[] {
                match[i], next[i], last >= leaderForMs ? MemberView.NEVER_ANSWERED : last
              });
        }
        break;
      }
    }

    TreeMap<String, MemberView> members = new TreeMap<>();
    addMembers(
        members,
        conf.getCurrentPeers(RaftPeerRole.FOLLOWER),
        true,
        leader,
        lastIndex,
        logStart,
        followers);
    addMembers(
        members,
        conf.getCurrentPeers(RaftPeerRole.LISTENER),
        false,
        leader,
        lastIndex,
        logStart,
        followers);
    boolean stable =
        conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
            && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty()
            && !membershipInProgress;
    return new ClusterView(
        selfId,
        leader,
        leaderId,
        leaderId.isEmpty() ? "" : peers.apiAddress(leaderId).orElse(""),
        info.getCurrentTerm(),
        Math.max(0, commit),
        members,
        stable,
        transferInProgress,
        unhealthyAfterMs);
  }

  private void addMembers(
      TreeMap<String, MemberView> out,
      java.util.Collection<RaftPeer> peersOfRole,
      boolean voter,
      boolean leader,
      long lastIndex,
      long logStart,
      Map<String, long[]> followers) {
    for (RaftPeer p : peersOfRole) {
      String id = p.getId().toString();
      if (id.equals(selfId)) {
        out.put(id, new MemberView(id, voter, lastIndex, 0, false));
        continue;
      }
      long[] f = followers.get(id);
      if (f == null) {
        // Not leader (no follower data) or no appender yet: unknown progress, never answered.
        out.put(id, new MemberView(id, voter, 0, leader ? MemberView.NEVER_ANSWERED : 0, false));
      } else {
        out.put(id, new MemberView(id, voter, f[0], f[2], f[1] < logStart));
      }
    }
  }

  /** The division (for coordinators that act on Raft). */
  public RaftServer.Division division() {
    return raft.require();
  }
}
