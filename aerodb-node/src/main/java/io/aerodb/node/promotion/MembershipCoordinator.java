package io.aerodb.node.promotion;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.events.EventType;
import io.aerodb.proto.v1.NodeStatusReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Membership changes on the leader (SPEC §4): add a learner (a Ratis listener: it receives the log
 * but does not vote), promote a learner to voter, remove a member. Each is validated by {@link
 * MembershipValidator} (pure), applied with ONE compare-and-set configuration change (it fails if
 * the configuration moved meanwhile), and recorded as a {@code membership} authority record
 * carrying the member's addresses, so every node (and every client, through AERO_NOT_LEADER and
 * cluster status) learns them without a restart. One change at a time, never during a transfer
 * [P6-A2]; nothing is retried.
 */
public final class MembershipCoordinator {
  /** How a request ended: APPLIED, DENIED, FAILED, or APPROVED for a dry run. */
  public record Outcome(
      String requestId,
      Decision decision,
      String state,
      List<String> voters,
      List<String> learners,
      long commitIndex,
      String failure) {}

  private final ClusterViewReader views;
  private final ChangeGate gate;
  private final EventLog events;
  private final AuthorityWriter authority;
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final String selfId;
  private final String clusterName;
  private final long timeoutMs;
  private final ExecutorService executor;
  private final ClientId clientId = ClientId.randomId();
  private long callId;

  public MembershipCoordinator(
      ClusterViewReader views,
      ChangeGate gate,
      EventLog events,
      AuthorityWriter authority,
      RaftServer server,
      RaftGroupId groupId,
      String selfId,
      String clusterName,
      long timeoutMs,
      ExecutorService executor) {
    this.views = views;
    this.gate = gate;
    this.events = events;
    this.authority = authority;
    this.server = server;
    this.groupId = groupId;
    this.selfId = selfId;
    this.clusterName = clusterName;
    this.timeoutMs = timeoutMs;
    this.executor = executor;
  }

  public CompletableFuture<Outcome> addLearner(
      String nodeId, String apiAddress, boolean dryRun, String requestId) {
    return CompletableFuture.supplyAsync(
        () -> {
          JoinCandidate candidate = ask(apiAddress);
          return change(
              "add-learner",
              nodeId,
              dryRun,
              requestId,
              v -> MembershipValidator.addLearner(v, nodeId, candidate, clusterName),
              (voters, learners) ->
                  learners.add(
                      RaftPeer.newBuilder()
                          .setId(nodeId)
                          .setAddress(candidate.raftAddress())
                          .build()),
              new String[] {"apiAddress", apiAddress, "raftAddress", candidate.raftAddress()});
        },
        executor);
  }

  public CompletableFuture<Outcome> promote(String nodeId, boolean dryRun, String requestId) {
    return CompletableFuture.supplyAsync(
        () ->
            change(
                "promote",
                nodeId,
                dryRun,
                requestId,
                v -> MembershipValidator.promote(v, nodeId),
                (voters, learners) -> {
                  RaftPeer p = take(learners, nodeId);
                  voters.add(
                      RaftPeer.newBuilder().setId(p.getId()).setAddress(p.getAddress()).build());
                },
                new String[0]),
        executor);
  }

  public CompletableFuture<Outcome> remove(String nodeId, boolean dryRun, String requestId) {
    return CompletableFuture.supplyAsync(
        () ->
            change(
                "remove",
                nodeId,
                dryRun,
                requestId,
                v -> MembershipValidator.remove(v, nodeId),
                (voters, learners) -> {
                  if (voters.stream().anyMatch(p -> p.getId().toString().equals(nodeId))) {
                    take(voters, nodeId);
                  } else {
                    take(learners, nodeId);
                  }
                },
                new String[0]),
        executor);
  }

  private interface Validation {
    Decision decide(ClusterView v);
  }

  private interface Edit {
    void apply(List<RaftPeer> voters, List<RaftPeer> learners);
  }

  private Outcome change(
      String action,
      String nodeId,
      boolean dryRun,
      String requestId,
      Validation validation,
      Edit edit,
      String[] recordFields) {
    if (dryRun) {
      Decision d =
          validation.decide(views.read(gate.transferInFlight(), gate.membershipInFlight()));
      return outcome(requestId, d, d.approved() ? "APPROVED" : "DENIED", "");
    }
    var busy = gate.tryEnter("membership", requestId);
    if (busy.isPresent()) {
      boolean transfer = busy.get().kind().equals("transfer");
      Decision d = validation.decide(views.read(transfer ? busy.get().requestId() : "", !transfer));
      note(action, nodeId, requestId, "DENIED", d.summary());
      return outcome(requestId, d, "DENIED", "");
    }
    try {
      note(action, nodeId, requestId, "REQUESTED", "");
      Decision d = validation.decide(views.read("", false));
      if (!d.approved()) {
        note(action, nodeId, requestId, "DENIED", d.summary());
        return outcome(requestId, d, "DENIED", "");
      }
      note(action, nodeId, requestId, "APPROVED", d.summary());
      RaftConfiguration conf = views.division().getRaftConf();
      List<RaftPeer> currentVoters = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
      List<RaftPeer> currentLearners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
      List<RaftPeer> voters = new ArrayList<>(currentVoters);
      List<RaftPeer> learners = new ArrayList<>(currentLearners);
      edit.apply(voters, learners);
      SetConfigurationRequest.Arguments args =
          SetConfigurationRequest.Arguments.newBuilder()
              .setServersInNewConf(voters)
              .setListenersInNewConf(learners)
              .setServersInCurrentConf(currentVoters)
              .setListenersInCurrentConf(currentLearners)
              .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
              .build();
      String failure = "";
      try {
        RaftClientReply reply =
            server
                .setConfigurationAsync(
                    new SetConfigurationRequest(
                        clientId, RaftPeerId.valueOf(selfId), groupId, nextCallId(), args))
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        if (!reply.isSuccess()) {
          failure = "Ratis refused the configuration change: " + reply.getException();
        } else {
          List<String> fields =
              new ArrayList<>(List.of("requestId", requestId, "action", action, "nodeId", nodeId));
          fields.addAll(List.of(recordFields));
          authority
              .append(AuthorityHistory.MEMBERSHIP, fields.toArray(new String[0]))
              .get(timeoutMs, TimeUnit.MILLISECONDS);
        }
      } catch (Exception e) {
        Throwable c =
            e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                ? e.getCause()
                : e;
        failure = c.getClass().getSimpleName() + ": " + c.getMessage();
      }
      if (!failure.isEmpty()) {
        note(action, nodeId, requestId, "FAILED", failure);
        return outcome(requestId, d, "FAILED", failure);
      }
      note(action, nodeId, requestId, "APPLIED", "");
      return outcome(requestId, d, "APPLIED", "");
    } finally {
      gate.exit(requestId);
    }
  }

  private Outcome outcome(String requestId, Decision d, String state, String failure) {
    RaftConfiguration conf = views.division().getRaftConf();
    return new Outcome(
        requestId,
        d,
        state,
        ids(conf.getCurrentPeers(RaftPeerRole.FOLLOWER)),
        ids(conf.getCurrentPeers(RaftPeerRole.LISTENER)),
        Math.max(0, views.division().getRaftLog().getLastCommittedIndex()),
        failure);
  }

  private static List<String> ids(java.util.Collection<RaftPeer> peers) {
    List<String> out = new ArrayList<>();
    peers.forEach(p -> out.add(p.getId().toString()));
    java.util.Collections.sort(out);
    return out;
  }

  private static RaftPeer take(List<RaftPeer> peers, String id) {
    for (int i = 0; i < peers.size(); i++) {
      if (peers.get(i).getId().toString().equals(id)) {
        return peers.remove(i);
      }
    }
    throw new IllegalStateException("validated member " + id + " is not in the configuration");
  }

  /** Asks the joining node who it is (its NodeStatus); never throws. */
  private JoinCandidate ask(String apiAddress) {
    try (AeroClient c = AeroClient.connect(List.of(apiAddress))) {
      NodeStatusReply s = c.admin().nodeStatus(apiAddress, Duration.ofSeconds(3));
      return new JoinCandidate(
          true, s.getNodeId(), s.getClusterName(), s.getRaftAddress(), s.getAppliedIndex(), "");
    } catch (AeroClientException | IllegalArgumentException e) {
      return new JoinCandidate(false, "", "", "", 0, e.getMessage());
    }
  }

  private synchronized long nextCallId() {
    return ++callId;
  }

  private void note(String action, String nodeId, String requestId, String state, String detail) {
    events.emit(
        EventType.MEMBERSHIP_STATE,
        "requestId",
        requestId,
        "action",
        action,
        "nodeId",
        nodeId,
        "state",
        state,
        "leader",
        selfId,
        "detail",
        detail);
  }
}
