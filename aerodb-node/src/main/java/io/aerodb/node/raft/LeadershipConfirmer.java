package io.aerodb.node.raft;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.peer.v1.ConfirmLeaderReply;
import io.aerodb.proto.peer.v1.ConfirmLeaderRequest;
import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Confirms that a leader still leads before a linearizable read is answered [R-LIN] (SPEC §3:
 * "served by the leader after confirming leadership"; SPEC test 6: a leader cut off from the
 * majority never answers a linearizable read).
 *
 * <p>Why Ratis' ReadIndex is not enough: Ratis 3.2.1 skips its heartbeat round when the commit
 * index has not moved since the last round a majority acknowledged ({@code
 * ReadIndexHeartbeats.addAppendEntriesListener} returns null when {@code commitIndex <=
 * ackedCommitIndex}). A leader cut off from the majority keeps leading until its own election
 * timeout runs out ({@code LeaderStateImpl.checkLeadership}, up to electionTimeoutMaxMs), while the
 * majority may already have elected a new leader that committed writes; in that window Ratis alone
 * answers reads from old state.
 *
 * <p>Contract: {@link #confirm} completes normally only after a majority of the voters — of the
 * current configuration, and of the previous one too while the configuration changes — answered, in
 * calls started after {@code confirm} was called, that their current term is the claim's term and
 * their leader the claim's leader. A leader of a later term needs the vote of one of them, cast
 * after that answer; so every write acknowledged before {@code confirm} was called is committed in
 * a term at most the claim's, and at or below the claimed leader's commit index at any later time.
 * A read served at a read index the claimed leader took after the call is therefore linearizable.
 *
 * <p>Rounds are shared: a caller joins the round that has not started yet, never one already in
 * flight, so under load one round (one call per voter) serves every read that arrived while the
 * previous round was out. Answers from the network are the only input besides this node's own Raft
 * state; no clock is read (the per-call deadline is gRPC's).
 */
final class LeadershipConfirmer {
  /** The leader and term a read is to be confirmed for. */
  record Claim(String leaderId, long term) {}

  /** This node's own Raft view: what it answers to a {@code ConfirmLeader} call. */
  record LocalView(String nodeId, long term, String leaderId, boolean leads) {
    boolean confirms(Claim c) {
      return term == c.term()
          && leaderId.equals(c.leaderId())
          && (leads == nodeId.equals(c.leaderId()));
    }
  }

  private final RaftDivision raft;
  private final String selfId;
  private final PeerChannels channels;
  private final long callTimeoutMs;
  private final Counter rounds;
  private final Counter refusals;
  private final Histogram readsPerRound;

  private Round running; // guarded by this
  private Round waiting; // guarded by this; not started yet

  LeadershipConfirmer(
      RaftDivision raft,
      String selfId,
      PeerChannels channels,
      long callTimeoutMs,
      MetricRegistry metrics) {
    this.raft = raft;
    this.selfId = selfId;
    this.channels = channels;
    this.callTimeoutMs = callTimeoutMs;
    this.rounds = metrics.counter("reads.leader_confirmation_rounds");
    this.refusals = metrics.counter("reads.leader_confirmation_refusals");
    this.readsPerRound = metrics.histogram("reads.leader_confirmation_round_reads");
  }

  /** This node's term and leader as Raft sees them now; empty if it knows no leader. */
  Optional<Claim> currentClaim() {
    LocalView v = localView();
    return v.leaderId().isEmpty()
        ? Optional.empty()
        : Optional.of(new Claim(v.leaderId(), v.term()));
  }

  /** What this node answers to {@code ConfirmLeader}: its own term and leader, now. */
  ConfirmLeaderReply answer(ConfirmLeaderRequest request) {
    LocalView v = localView();
    return ConfirmLeaderReply.newBuilder()
        .setNodeId(selfId)
        .setTerm(v.term())
        .setLeaderId(v.leaderId())
        .setConfirms(v.confirms(new Claim(request.getLeaderId(), request.getTerm())))
        .build();
  }

  /**
   * Completes once a majority confirmed {@code claim} in a round started after this call; completes
   * exceptionally with {@code AERO_READ_LEADERSHIP_UNCONFIRMED} (the answers in its details) when a
   * majority can no longer confirm it.
   */
  CompletableFuture<Void> confirm(Claim claim) {
    Round r;
    boolean start = false;
    synchronized (this) {
      if (running == null) {
        running = new Round(claim);
        r = running;
        start = true;
      } else if (waiting != null && waiting.claim.equals(claim)) {
        r = waiting;
      } else if (waiting == null) {
        waiting = new Round(claim);
        r = waiting;
      } else {
        r = new Round(claim); // a different claim around a leader change: a round of its own
        start = true;
      }
      r.reads++;
    }
    if (start) {
      r.start();
    }
    return r.result;
  }

  private void finished(Round r) {
    Round next;
    synchronized (this) {
      if (running != r) {
        return;
      }
      running = waiting;
      waiting = null;
      next = running;
    }
    if (next != null) {
      next.start();
    }
  }

  /** Term, leader and role read from one division info, so that they belong together. */
  private LocalView localView() {
    return raft.info()
        .map(
            info -> {
              RaftPeerId leader = info.getLeaderId();
              return new LocalView(
                  selfId,
                  info.getCurrentTerm(),
                  leader == null ? "" : leader.toString(),
                  info.isLeader());
            })
        .orElse(new LocalView(selfId, 0, "", false));
  }

  /** The voters of the configuration in force; empty without a division. */
  private Optional<Voters> voters() {
    return raft.configuration()
        .map(conf -> new Voters(ids(conf.getCurrentPeers()), ids(conf.getPreviousPeers())));
  }

  private static SortedSet<String> ids(java.util.Collection<RaftPeer> peers) {
    SortedSet<String> out = new TreeSet<>();
    for (RaftPeer p : peers) {
      out.add(p.getId().toString());
    }
    return out;
  }

  /** The voters whose majorities must confirm: current, and previous while the conf changes. */
  record Voters(SortedSet<String> current, SortedSet<String> previous) {
    SortedSet<String> all() {
      SortedSet<String> all = new TreeSet<>(current);
      all.addAll(previous);
      return all;
    }

    /**
     * CONFIRMED when every non-empty voter set has a majority of yes; REFUSED when some set can no
     * longer reach one (its no's and failures are half or more); PENDING otherwise.
     */
    Outcome tally(Map<String, Boolean> answers) {
      Outcome a = tallyOne(current, answers);
      Outcome b = previous.isEmpty() ? Outcome.CONFIRMED : tallyOne(previous, answers);
      if (a == Outcome.REFUSED || b == Outcome.REFUSED) {
        return Outcome.REFUSED;
      }
      return a == Outcome.CONFIRMED && b == Outcome.CONFIRMED ? Outcome.CONFIRMED : Outcome.PENDING;
    }

    private static Outcome tallyOne(SortedSet<String> set, Map<String, Boolean> answers) {
      if (set.isEmpty()) {
        return Outcome.REFUSED;
      }
      int yes = 0;
      int no = 0;
      for (String id : set) {
        Boolean a = answers.get(id);
        if (a == null) {
          continue;
        }
        if (a) {
          yes++;
        } else {
          no++;
        }
      }
      int majority = set.size() / 2 + 1;
      if (yes >= majority) {
        return Outcome.CONFIRMED;
      }
      return set.size() - no < majority ? Outcome.REFUSED : Outcome.PENDING;
    }
  }

  enum Outcome {
    CONFIRMED,
    REFUSED,
    PENDING
  }

  /** One round: a call to every voter (this node answers itself), decided by {@link Voters}. */
  private final class Round {
    final Claim claim;
    final CompletableFuture<Void> result = new CompletableFuture<>();
    int reads; // guarded by LeadershipConfirmer.this
    private final Map<String, Boolean> answers = new TreeMap<>(); // guarded by this round
    private final Map<String, String> why = new TreeMap<>(); // guarded by this round
    private Voters voters; // guarded by this round; set once, before the first answer
    private boolean decided; // guarded by this round

    Round(Claim claim) {
      this.claim = claim;
    }

    void start() {
      rounds.inc();
      synchronized (LeadershipConfirmer.this) {
        readsPerRound.update(reads);
      }
      Optional<Voters> known = voters();
      if (known.isEmpty()) {
        synchronized (this) {
          decided = true;
        }
        decide(Outcome.REFUSED, "no Raft configuration: the Raft server is not running");
        return;
      }
      Voters asked = known.get();
      synchronized (this) {
        voters = asked;
      }
      List<String> others = new ArrayList<>();
      for (String id : asked.all()) {
        if (id.equals(selfId)) {
          LocalView v = localView();
          record(id, v.confirms(claim), describe(v.term(), v.leaderId()));
        } else {
          others.add(id);
        }
      }
      // The calls belong to the round, not to the read that happened to start it: outside that
      // read's gRPC context, so its end (answer, cancel, deadline) does not cancel them.
      Context.ROOT.run(() -> ask(others));
    }

    private void ask(List<String> others) {
      for (String id : others) {
        Optional<ManagedChannel> channel = channels.to(id);
        if (channel.isEmpty()) {
          record(id, false, "no API address known");
          continue;
        }
        PeerServiceGrpc.newStub(channel.get())
            .withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS)
            .confirmLeader(
                ConfirmLeaderRequest.newBuilder()
                    .setLeaderId(claim.leaderId())
                    .setTerm(claim.term())
                    .build(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConfirmLeaderReply r) {
                    record(id, r.getConfirms(), describe(r.getTerm(), r.getLeaderId()));
                  }

                  @Override
                  public void onError(Throwable t) {
                    record(id, false, "no answer: " + io.grpc.Status.fromThrowable(t).getCode());
                  }

                  @Override
                  public void onCompleted() {}
                });
      }
    }

    private void record(String id, boolean confirms, String detail) {
      Outcome o;
      synchronized (this) {
        if (decided) {
          return;
        }
        answers.put(id, confirms);
        why.put(id, detail);
        o = voters.tally(answers);
        decided = o != Outcome.PENDING;
      }
      if (o != Outcome.PENDING) {
        decide(o, "");
      }
    }

    private void decide(Outcome o, String problem) {
      if (o == Outcome.CONFIRMED) {
        result.complete(null);
      } else {
        refusals.inc();
        String answersText;
        synchronized (this) {
          answersText = why.toString();
        }
        result.completeExceptionally(
            AeroError.of(
                    ErrorCode.AERO_READ_LEADERSHIP_UNCONFIRMED,
                    "leadership of "
                        + claim.leaderId()
                        + " in term "
                        + claim.term()
                        + " was not confirmed by a majority of voters, so a linearizable read"
                        + " cannot be answered"
                        + (problem.isEmpty() ? "" : ": " + problem),
                    "leaderId",
                    claim.leaderId(),
                    "term",
                    Long.toString(claim.term()),
                    "answers",
                    answersText)
                .toException());
      }
      finished(this);
    }
  }

  private static String describe(long term, String leaderId) {
    return "term " + term + ", leader " + (leaderId.isEmpty() ? "none" : leaderId);
  }
}
