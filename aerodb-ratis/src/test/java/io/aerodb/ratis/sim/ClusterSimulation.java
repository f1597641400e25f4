package io.aerodb.ratis.sim;

import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.ReadResult;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.util.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;

/**
 * One seeded run of the cluster simulation: 3 or 5 replicas (the seed chooses), a simulated Raft
 * ({@link SimulatedCluster}), clients ({@link Workload}) writing through the leader's gateway
 * ({@link SimulatedGateway}), and faults, one action per step; every invariant is checked after
 * every step. Then the faults stop, and the cluster must converge: one applied index, one digest,
 * every document as the model says, on every replica.
 *
 * <p>Deterministic: the seed's {@link Random} makes every choice, the step counter is the only
 * clock, and nothing runs on another thread; a seed replays exactly.
 */
final class ClusterSimulation {
  /** What a run did, for the test's summary. */
  record Result(
      long seed,
      int replicas,
      long steps,
      long committedEntries,
      long writesSucceeded,
      long writesRejected,
      long deduplicated,
      long acknowledgedWrites,
      long elections,
      long truncatedEntries,
      long crashes,
      long powerLosses,
      long snapshots,
      long installs,
      long historyReads,
      long gcFloor,
      long brokenGroups,
      long malformedEntries,
      long epochs,
      long batchesApplied,
      SortedMap<ErrorCode, Long> rejections) {}

  /** The actions a step may take, with their weights. */
  private enum Action {
    CLIENT_WRITE(300),
    RETRY(60),
    REUSE_REQUEST_ID(4),
    FLUSH(100),
    REPLICATE(220),
    COMMIT(120),
    APPLY(220),
    SNAPSHOT(15),
    ELECTION(12),
    TRANSFER(8),
    CRASH(12),
    CRASH_ALL(1),
    ISOLATE(8),
    MALFORMED(6),
    FOREIGN_PROPOSAL(2),
    GC_FLOOR(5),
    COLLECT(25),
    HISTORY_READ(25),
    INSTALL(4);

    final int weight;

    Action(int weight) {
      this.weight = weight;
    }
  }

  private static final int TRACE_LINES_MAX = 40;
  private static final int CONVERGE_ROUNDS_MAX = 200;

  private final long seed;
  private final long steps;
  private final Random random;
  private final StepEvents events = new StepEvents();
  private final SimulatedCluster cluster;
  private final SimulatedGateway gateway;
  private final Workload workload;
  private final ReferenceModel model = new ReferenceModel();
  private final NoLostAcknowledgedWrite noLostWrite = new NoLostAcknowledgedWrite(model);
  private final RetryOfAnAppliedWriteIsNotRefused retryRefusals =
      new RetryOfAnAppliedWriteIsNotRefused(model);
  private final List<Invariant> invariants;
  private final ArrayDeque<String> trace = new ArrayDeque<>();

  private long step;
  private long crashes;
  private long powerLosses;
  private long snapshots;
  private long installs;
  private long historyReads;
  private String transferRequestId;
  private SimulatedReplica transferTarget;

  ClusterSimulation(long seed, long steps) {
    this.seed = seed;
    this.steps = steps;
    this.random = new Random(seed);
    this.cluster = new SimulatedCluster(random.nextBoolean() ? 3 : 5, seed, events);
    this.gateway = new SimulatedGateway(random, events);
    this.workload = new Workload(random);
    this.invariants =
        List.of(
            new SingleLeaderPerTerm(),
            new AppliesOnlyCommittedEntries(),
            new EqualDigestsAtEqualIndex(),
            new ResultsAgree(),
            new ResultsMatchModel(model), // folds the model: before the invariants that read it
            noLostWrite,
            new CommitIndexOnlyGrows(),
            new RetryReturnsOriginalIndex(model),
            retryRefusals,
            new DurableIndexSurvivesCrash(),
            new AuthorityAgrees(model));
  }

  /** Runs the seed; a broken invariant (or any exception) is a {@link SimulationFailure}. */
  Result run() {
    try {
      for (step = 1; step <= steps; step++) {
        step();
      }
      converge();
    } catch (InvariantViolation v) {
      throw failure(v.getMessage(), v);
    } catch (RuntimeException | AssertionError e) {
      throw failure("unexpected " + e, e);
    }
    return new Result(
        seed,
        cluster.replicas.size(),
        steps,
        cluster.commitIndex(),
        model.succeeded,
        model.rejected,
        model.deduplicated,
        noLostWrite.acknowledgedWrites(),
        cluster.elections,
        cluster.truncatedEntries,
        crashes,
        powerLosses,
        snapshots,
        installs,
        historyReads,
        model.gcFloor(),
        gateway.brokenGroups,
        gateway.malformedEntries,
        model.epochs(),
        model.batchesApplied,
        model.rejections);
  }

  private SimulationFailure failure(String headline, Throwable cause) {
    return new SimulationFailure(
        seed, step, headline, SimulationSeeds.replayCommand(seed, steps), traceText(), cause);
  }

  private void step() {
    cluster.step = step;
    boolean restarted = false;
    for (SimulatedReplica r : cluster.replicas) {
      if (!r.up && r.downUntilStep <= step) {
        r.restart();
        note(
            r + " restarted: store at " + r.engineApplied().index() + ", replays the log after it");
        restarted = true;
      }
    }
    if (restarted) {
      checkInvariants();
    }
    act(pick());
    checkInvariants();
  }

  private void checkInvariants() {
    for (Invariant i : invariants) {
      i.check(events.all(), cluster);
    }
    events.clear();
  }

  private Action pick() {
    boolean leaderless = cluster.currentLeader() == null;
    int total = 0;
    for (Action a : Action.values()) {
      total += weight(a, leaderless);
    }
    int x = random.nextInt(total);
    for (Action a : Action.values()) {
      x -= weight(a, leaderless);
      if (x < 0) {
        return a;
      }
    }
    throw new IllegalStateException("no action");
  }

  /** The live version of a document on {@code replica} (what a client read would show), 0: none. */
  private static long liveVersion(SimulatedReplica replica, io.aerodb.core.command.DocumentKey k) {
    if (replica == null) {
      return 0;
    }
    return io.aerodb.core.mvcc.VersionReader.live(
            replica.engine().store(), k.collection(), k.id(), replica.engine().applied().index())
        .map(v -> v.index())
        .orElse(0L);
  }

  private static int weight(Action a, boolean leaderless) {
    return a == Action.ELECTION && leaderless ? 400 : a.weight;
  }

  private void act(Action action) {
    SimulatedReplica leader = cluster.currentLeader();
    switch (action) {
      case CLIENT_WRITE -> {
        SimulatedReplica to = clientsLeader(leader);
        ClientRequest request =
            workload.next(
                to == null ? Catalog.EMPTY : to.engine().catalog(), k -> liveVersion(to, k));
        note(request + " -> " + gateway.submit(to, request));
      }
      case RETRY -> {
        ClientRequest request = workload.retry();
        if (request != null) {
          note("retry " + request + " -> " + gateway.submit(clientsLeader(leader), request));
        }
      }
      case REUSE_REQUEST_ID -> {
        SimulatedReplica to = clientsLeader(leader);
        ClientRequest request =
            workload.reuse(
                to == null ? Catalog.EMPTY : to.engine().catalog(), k -> liveVersion(to, k));
        if (request != null) {
          note(request + " -> " + gateway.submit(to, request));
        }
      }
      case FLUSH -> {
        List<SimulatedReplica> leaders = cluster.leaders();
        if (!leaders.isEmpty()) {
          SimulatedReplica l = leaders.get(random.nextInt(leaders.size()));
          List<Long> indexes =
              gateway.flush(l, 1 + random.nextInt(2 * SimulatedGateway.GROUP_WRITES_MAX));
          if (!indexes.isEmpty()) {
            note(l + " proposed groups at " + indexes);
          }
        }
      }
      case REPLICATE -> {
        List<SimulatedReplica> leaders = cluster.leaders();
        if (!leaders.isEmpty()) {
          SimulatedReplica l = leaders.get(random.nextInt(leaders.size()));
          SimulatedReplica f = other(l);
          int before = f.log.size();
          cluster.replicate(l, f, 1 + random.nextInt(16));
          if (f.log.size() != before || !l.isLeader()) {
            note(
                l
                    + " -> "
                    + f
                    + ": log "
                    + before
                    + " -> "
                    + f.log.size()
                    + (l.isLeader() ? "" : ", " + l + " deposed"));
          }
        }
      }
      case COMMIT -> {
        if (leader != null) {
          long before = cluster.commitIndex();
          cluster.advanceCommit(leader);
          if (cluster.commitIndex() != before) {
            note(leader + " commits " + before + " -> " + cluster.commitIndex());
          }
        }
      }
      case APPLY -> {
        SimulatedReplica r =
            leader != null && random.nextInt(5) < 2
                ? leader
                : cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        if (r.up) {
          long from = r.appliedPosition();
          int n = r.applyCommitted(1 + random.nextInt(8));
          if (n > 0) {
            note(
                r
                    + " applied "
                    + (from + 1)
                    + ".."
                    + r.appliedPosition()
                    + " digest "
                    + shortDigest(r.engineApplied()));
          }
          if (r.isReady() && !r.leadership.epochProposed) {
            note(r + " is ready: epoch record at " + gateway.proposeEpoch(r));
          }
        }
      }
      case SNAPSHOT -> {
        SimulatedReplica r = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        if (r.up) {
          snapshots++;
          note(r + " snapshot: durable up to " + r.takeSnapshot());
        }
      }
      case ELECTION -> {
        SimulatedReplica c = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        if (c != leader) {
          boolean won = cluster.elect(c, false);
          note(c + " runs for term: " + (won ? "leads term " + c.currentTerm : "lost"));
        }
      }
      case TRANSFER -> transfer(leader);
      case CRASH -> {
        SimulatedReplica r = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        int down = 0;
        for (SimulatedReplica x : cluster.replicas) {
          down += x.up ? 0 : 1;
        }
        // Mostly keep a majority up; now and then lose it for a while.
        if (r.up && (down < cluster.replicas.size() - cluster.majority || random.nextInt(8) == 0)) {
          crash(r, random.nextBoolean(), random.nextInt(30));
        }
      }
      case CRASH_ALL -> {
        for (SimulatedReplica r : cluster.replicas) {
          if (r.up) {
            crash(r, true, random.nextInt(10));
          }
        }
      }
      case ISOLATE -> {
        SimulatedReplica r =
            leader != null && random.nextInt(5) < 2
                ? leader
                : cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        if (r.up) {
          r.isolatedUntilStep = step + 5 + random.nextInt(80);
          note(r + " isolated until step " + r.isolatedUntilStep);
        }
      }
      case MALFORMED -> {
        if (leader != null && leader.isReady()) {
          note(leader + " proposes malformed bytes at " + gateway.proposeMalformed(leader));
        }
      }
      case FOREIGN_PROPOSAL -> {
        if (leader != null) {
          gateway.proposeForeign(leader);
        }
      }
      case GC_FLOOR -> {
        if (leader != null && leader.isReady()) {
          // the policy's floor a few entries back, now and then one it must refuse
          long applied = leader.engineApplied().index();
          long floor =
              random.nextInt(6) == 0
                  ? leader.engine().gcFloor() - 1 - random.nextInt(3)
                  : Math.max(0, applied - random.nextInt(40));
          long at = gateway.proposeGcFloor(leader, floor);
          note(leader + " proposes GC floor " + floor + (at < 0 ? ": refused" : " at " + at));
        }
      }
      case COLLECT -> {
        SimulatedReplica r = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        if (r.up) {
          Engine.GcProgress p = r.engine().collectGarbage(1 + random.nextInt(12));
          if (p.passFloor() != 0 || p.collected() > 0) {
            note(r + " collects: floor " + p.floor() + " collected " + p.collected());
          }
        }
      }
      case HISTORY_READ -> historyRead();
      case INSTALL -> install();
      default -> throw new IllegalStateException("unknown action " + action);
    }
  }

  /**
   * A follower that fell behind installs the store of the replica that applied the most (as if the
   * leader had purged its log): through the state machine's install path, swapped under reads.
   */
  private void install() {
    SimulatedReplica r = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
    SimulatedReplica source = null;
    for (SimulatedReplica s : cluster.replicas) {
      if (s.up
          && s != r
          && (source == null || s.engineApplied().index() > source.engineApplied().index())) {
        source = s;
      }
    }
    if (r.up
        && !r.isLeader()
        && source != null
        && source.engineApplied().index() > r.appliedPosition() + 1
        && source.engineApplied().index() <= cluster.commitIndex()) {
      long from = r.appliedPosition();
      long x = r.installFrom(source);
      if (x > 0) {
        installs++;
        note(r + " installs " + source + "'s store: applied " + from + " -> " + x);
      }
    }
  }

  /**
   * A read at exactly a past index on a random replica (a history read) must answer what the model
   * says the document was at that index, or AERO_MVCC_SNAPSHOT_TOO_OLD below that replica's floor.
   */
  private void historyRead() {
    SimulatedReplica r = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
    List<DocumentKey> keys = new ArrayList<>(model.addressedDocuments());
    if (!r.up || keys.isEmpty()) {
      return;
    }
    long applied = r.engineApplied().index();
    long floor = r.engine().gcFloor();
    long view = Math.max(0, floor - 2 + random.nextInt((int) Math.max(1, applied - floor + 3)));
    view = Math.min(view, applied);
    DocumentKey k = keys.get(random.nextInt(keys.size()));
    ReadResult got = r.read(k.collection(), k.id(), view);
    historyReads++;
    String what = r + " reads " + k + " at " + view + " (floor " + floor + ")";
    if (view < floor) {
      if (got.rejection() == null
          || got.rejection().code() != ErrorCode.AERO_MVCC_SNAPSHOT_TOO_OLD) {
        throw new InvariantViolation(
            "HistoryReadsMatchModel", what + ": expected AERO_MVCC_SNAPSHOT_TOO_OLD, got " + got);
      }
      return;
    }
    if (!model.collectionExistsAt(k.collection(), view)) {
      if (got.rejection() == null
          || got.rejection().code() != ErrorCode.AERO_COLLECTION_NOT_FOUND) {
        throw new InvariantViolation(
            "HistoryReadsMatchModel", what + ": expected AERO_COLLECTION_NOT_FOUND, got " + got);
      }
      return;
    }
    Optional<ReferenceModel.Version> expected =
        model.versionAt(k, view).filter(v -> v.json() != null);
    boolean same =
        got.rejection() == null
            && got.version().isPresent() == expected.isPresent()
            && (expected.isEmpty()
                || (got.version().get().index() == expected.get().index()
                    && Arrays.equals(got.version().get().json(), expected.get().json())));
    if (!same) {
      throw new InvariantViolation(
          "HistoryReadsMatchModel",
          what
              + ": the model has "
              + expected.map(Object::toString).orElse("nothing")
              + ", got "
              + got);
    }
  }

  /** Clients mostly find the current leader; sometimes a deposed one that still thinks it leads. */
  private SimulatedReplica clientsLeader(SimulatedReplica leader) {
    List<SimulatedReplica> leaders = cluster.leaders();
    if (leaders.size() > 1 && random.nextInt(10) == 0) {
      return leaders.get(random.nextInt(leaders.size()));
    }
    return leader;
  }

  /** A replica other than {@code r}, at random. */
  private SimulatedReplica other(SimulatedReplica r) {
    int i = random.nextInt(cluster.replicas.size() - 1);
    return cluster.replicas.get(i >= r.number - 1 ? i + 1 : i);
  }

  private void crash(SimulatedReplica r, boolean powerLoss, int downSteps) {
    int unsynced = r.unsyncedBatches();
    cluster.stepDown(r);
    r.crash(powerLoss, random);
    r.downUntilStep = step + downSteps;
    crashes++;
    if (powerLoss) {
      powerLosses++;
    }
    note(
        r
            + (powerLoss ? " power loss" : " crash")
            + " ("
            + unsynced
            + " unsynced store batches), down until step "
            + r.downUntilStep);
  }

  /**
   * A leadership transfer in two steps, as the node's promotion does it: the leader records the
   * intent; once it applied it, it hands over and the target is elected (its epoch then names the
   * transfer). A transfer cut short by a leader change is abandoned by the next epoch.
   */
  private void transfer(SimulatedReplica leader) {
    if (leader == null || !leader.isReady()) {
      return;
    }
    if (transferTarget == null || leader.engine().authority().pendingTransfer().isEmpty()) {
      SimulatedReplica target = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
      if (target != leader) {
        transferTarget = target;
        transferRequestId = gateway.proposeTransferIntent(leader, target);
        note(leader + " records transfer intent " + transferRequestId + " to " + target);
      }
      return;
    }
    boolean intentApplied =
        leader
            .engine()
            .authority()
            .pendingTransfer()
            .map(p -> p.field("requestId").equals(transferRequestId))
            .orElse(false);
    if (!intentApplied) {
      return;
    }
    cluster.replicate(leader, transferTarget, Integer.MAX_VALUE); // catch the target up first
    cluster.stepDown(leader);
    boolean won = cluster.elect(transferTarget, true);
    note(
        leader
            + " hands over "
            + transferRequestId
            + " to "
            + transferTarget
            + ": "
            + (won ? "leads term " + transferTarget.currentTerm : "election lost"));
    transferTarget = null;
  }

  /**
   * The faults stop: every replica up and connected, a leader that proposes what it holds, then
   * replication, commit and apply until every replica applied the whole log (bounded: a cluster
   * that does not converge is a failure too). Then every replica must read every document as the
   * model says.
   */
  private void converge() {
    note("faults stop: every replica up and connected");
    for (int round = 0; round < CONVERGE_ROUNDS_MAX; round++, step++) {
      cluster.step = step;
      for (SimulatedReplica r : cluster.replicas) {
        if (!r.up) {
          r.restart();
        }
        r.isolatedUntilStep = 0;
      }
      checkInvariants();
      SimulatedReplica leader = cluster.currentLeader();
      if (leader == null) {
        SimulatedReplica c = cluster.replicas.get(random.nextInt(cluster.replicas.size()));
        note(c + " runs for term: " + (cluster.elect(c, false) ? "leads" : "lost"));
        checkInvariants();
        continue;
      }
      gateway.flush(leader, Integer.MAX_VALUE);
      for (SimulatedReplica r : cluster.replicas) {
        cluster.replicate(leader, r, Integer.MAX_VALUE);
      }
      cluster.advanceCommit(leader);
      for (SimulatedReplica r : cluster.replicas) {
        cluster.replicate(leader, r, Integer.MAX_VALUE);
        r.applyCommitted(Integer.MAX_VALUE);
      }
      if (leader.isReady() && !leader.leadership.epochProposed) {
        gateway.proposeEpoch(leader);
      }
      checkInvariants();
      if (converged(leader)) {
        finalChecks();
        return;
      }
    }
    throw new InvariantViolation(
        "Converges",
        "after "
            + CONVERGE_ROUNDS_MAX
            + " rounds without faults the replicas did not apply one whole log: "
            + positions());
  }

  private boolean converged(SimulatedReplica leader) {
    if (!leader.isLeader()
        || !leader.isReady()
        || !leader.leadership.epochProposed
        || !leader.leadership.openBatch.isEmpty()
        || cluster.commitIndex() != leader.log.size()) {
      return false;
    }
    for (SimulatedReplica r : cluster.replicas) {
      if (r.appliedPosition() != leader.log.size()) {
        return false;
      }
    }
    return true;
  }

  /**
   * One applied state on every replica, and every document and acknowledged write where it must be.
   */
  private void finalChecks() {
    AppliedState first = cluster.replicas.get(0).engineApplied();
    for (SimulatedReplica r : cluster.replicas) {
      AppliedState s = r.engineApplied();
      if (s.index() != first.index() || !Arrays.equals(s.digest(), first.digest())) {
        throw new InvariantViolation(
            "Converges", "replicas differ after converging: " + positions());
      }
      noLostWrite.checkEverything(r, "after converging");
    }
    // Garbage collection ends with the same store on every replica, whatever each one's history
    // (step sizes, crashes, installs): the document versions and index entries left are identical.
    String expectedKeys = null;
    SimulatedReplica reference = null;
    for (SimulatedReplica r : cluster.replicas) {
      for (int i = 0; i < 1_000_000 && r.engine().collectGarbage(50).more(); i++) {
        // bounded by the store's size
      }
      String keys = documentAndIndexKeys(r);
      if (expectedKeys == null) {
        expectedKeys = keys;
        reference = r;
      } else if (!keys.equals(expectedKeys)) {
        throw new InvariantViolation(
            "CollectsIdentically",
            r
                + " and "
                + reference
                + " hold different versions or index entries after collecting up to floor "
                + r.engine().gcFloor());
      }
      noLostWrite.checkEverything(r, "after collecting");
    }
    note("converged at index " + first.index() + " digest " + shortDigest(first));
  }

  /** A digest of the document versions and index entries in a replica's store. */
  private static String documentAndIndexKeys(SimulatedReplica r) {
    return r.engine()
        .withStore(
            s -> {
              MessageDigest md;
              try {
                md = MessageDigest.getInstance("SHA-256");
              } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
              }
              try (KvCursor c = s.seek(new byte[] {Keys.DOCUMENT})) {
                for (; c.valid() && c.key()[0] <= Keys.INDEX_ENTRY; c.next()) {
                  md.update(c.key());
                  md.update(c.value());
                }
              }
              return Bytes.hex(md.digest());
            });
  }

  private String positions() {
    List<String> p = new ArrayList<>();
    for (SimulatedReplica r : cluster.replicas) {
      p.add(
          r
              + (r.isLeader() ? "*" : "")
              + " log="
              + r.log.size()
              + " commit="
              + r.commitIndex
              + " applied="
              + r.appliedPosition()
              + " engine="
              + r.engineApplied().index());
    }
    return String.join(", ", p) + "; cluster commit " + cluster.commitIndex();
  }

  private static String shortDigest(AppliedState s) {
    return s.digestHex().substring(0, 12);
  }

  private void note(String line) {
    if (trace.size() == TRACE_LINES_MAX) {
      trace.removeFirst();
    }
    String t = "    step " + step + ": " + line;
    trace.addLast(t);
    if (SimulationSeeds.printTrace()) {
      System.out.println(t);
    }
  }

  private String traceText() {
    return String.join("\n", trace);
  }
}
