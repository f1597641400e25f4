package io.aerodb.ratis.sim;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Prepared;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.util.Bytes;
import io.aerodb.ratis.CommandRejectedException;
import io.aerodb.ratis.LogEntryCodec;
import io.aerodb.ratis.ShadedBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.statemachine.TransactionContext;

/**
 * The leader's side of a write, as the node's RaftGateway and WriteBatcher do it: prepare once on
 * the leader's own applied state (which lags its log: prepare is advisory, apply decides), encode
 * once with LogEntryCodec, document writes through the group commit (an Entry.Group of up to {@link
 * #GROUP_WRITES_MAX} writes, never two of one document or one request_id), every other command
 * alone; then {@code startTransaction} and Ratis' {@code initLogEntry}, appended to the leader's
 * log.
 *
 * <p>Fault model: what a correct gateway would never send is sent on purpose, to check that apply
 * refuses it identically everywhere: groups that break the group rules, a catalog command inside a
 * group, bytes that do not decode, a proposal from a client that is not the node's own.
 */
final class SimulatedGateway {
  static final int GROUP_WRITES_MAX = 8;

  private final Random random;
  private final StepEvents events;
  private long callIds;
  private long transferIds;

  long brokenGroups;
  long malformedEntries;

  SimulatedGateway(Random random, StepEvents events) {
    this.random = random;
    this.events = events;
  }

  /**
   * A client's attempt on {@code leader}: refused (not ready, or prepare's rejection: nothing is
   * proposed), queued for the group commit, or proposed alone. Returns what happened, for the
   * trace.
   */
  String submit(SimulatedReplica leader, ClientRequest request) {
    request.attempts++;
    if (leader == null) {
      request.outcome = ClientRequest.Outcome.REFUSED;
      return "no leader";
    }
    if (!leader.isReady()) {
      request.outcome = ClientRequest.Outcome.REFUSED;
      return leader + " not ready";
    }
    if (request.requestId.length > 0 && inFlight(leader, request)) {
      // as RaftGateway: a retry of a write this leader proposed (or queued) and has not answered
      // waits for the original's answer instead of being prepared on an applied state that does
      // not show it yet (seed 897 of the sweep found the refusal)
      request.outcome = ClientRequest.Outcome.PENDING;
      return leader + " joins its in-flight original";
    }
    Prepared prepared;
    try {
      prepared = leader.stateMachine().prepare(request.requestId, request.command);
    } catch (AeroException e) {
      request.outcome = ClientRequest.Outcome.REFUSED;
      events.add(new StepEvents.Refused(leader, request, e.error()));
      return leader + " refused " + e.code();
    }
    request.outcome = ClientRequest.Outcome.PENDING;
    if (request.preparedFingerprint == null) {
      request.preparedFingerprint = prepared.command().fingerprint();
    }
    if (prepared.documentKey().isPresent()) {
      leader.leadership.openBatch.add(new LeaderState.PendingWrite(request, prepared));
      return leader + " queued";
    }
    long index =
        propose(
            leader,
            LogEntryCodec.encode(
                new Entry.Single(new Write(request.requestId, prepared.command()))),
            List.of(request));
    return leader + " proposed at " + index;
  }

  /** Whether the leader holds an unanswered write with this request's id and command. */
  private static boolean inFlight(SimulatedReplica leader, ClientRequest request) {
    byte[] fingerprint = request.command.fingerprint();
    for (LeaderState.PendingWrite w : leader.leadership.openBatch) {
      if (sameWrite(w.request(), request, fingerprint)) {
        return true;
      }
    }
    for (LeaderState.Proposal p : leader.leadership.proposals.values()) {
      for (ClientRequest c : p.clients()) {
        if (c != null && sameWrite(c, request, fingerprint)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean sameWrite(ClientRequest a, ClientRequest b, byte[] fingerprint) {
    return java.util.Arrays.equals(a.requestId, b.requestId)
        && java.util.Arrays.equals(a.command.fingerprint(), fingerprint);
  }

  /**
   * Proposes the oldest open writes as group-commit entries, like WriteBatcher: a write that would
   * put a second write of a document or a request_id into a group opens the next group, except when
   * the simulation breaks the rule on purpose. Returns the indexes proposed.
   */
  List<Long> flush(SimulatedReplica leader, int writesMax) {
    List<Long> indexes = new ArrayList<>();
    if (!leader.isLeader() || leader.leadership.openBatch.isEmpty()) {
      return indexes;
    }
    List<LeaderState.PendingWrite> open = leader.leadership.openBatch;
    List<LeaderState.PendingWrite> taken =
        new ArrayList<>(open.subList(0, Math.min(open.size(), writesMax)));
    open.subList(0, taken.size()).clear();
    List<List<LeaderState.PendingWrite>> groups = new ArrayList<>();
    List<LeaderState.PendingWrite> group = new ArrayList<>();
    TreeSet<DocumentKey> documents = new TreeSet<>();
    TreeSet<String> requestIds = new TreeSet<>();
    for (LeaderState.PendingWrite w : taken) {
      DocumentKey key = w.prepared().documentKey().orElseThrow();
      String id = Bytes.hex(w.request().requestId);
      boolean clash = documents.contains(key) || (!id.isEmpty() && requestIds.contains(id));
      boolean full = group.size() >= GROUP_WRITES_MAX;
      if (!group.isEmpty() && (full || clash)) {
        if (clash && !full && random.nextInt(100) < 5) {
          brokenGroups++; // on purpose: apply must refuse the second write, on every replica
        } else {
          groups.add(group);
          group = new ArrayList<>();
          documents.clear();
          requestIds.clear();
        }
      }
      group.add(w);
      documents.add(key);
      if (!id.isEmpty()) {
        requestIds.add(id);
      }
    }
    groups.add(group);
    for (List<LeaderState.PendingWrite> g : groups) {
      indexes.add(proposeGroup(leader, g));
    }
    return indexes;
  }

  private long proposeGroup(SimulatedReplica leader, List<LeaderState.PendingWrite> group) {
    List<ClientRequest> clients = new ArrayList<>();
    List<Write> writes = new ArrayList<>();
    for (LeaderState.PendingWrite w : group) {
      clients.add(w.request());
      writes.add(new Write(w.request().requestId, w.prepared().command()));
    }
    if (writes.size() == 1 && random.nextInt(10) == 0) {
      // The older format: one document write as an entry of its own (still valid to apply).
      return propose(leader, LogEntryCodec.encode(new Entry.Single(writes.get(0))), clients);
    }
    if (random.nextInt(50) == 0) {
      // On purpose: a command that is not a document write inside a group.
      int at = random.nextInt(writes.size() + 1);
      Command intruder =
          random.nextBoolean()
              ? new CreateIndex(Workload.USERS, "name")
              : new RecordAuthority(
                  AuthorityHistory.EPOCH,
                  new TreeMap<>(Map.of("leaderId", leader.name, "cause", "election")));
      writes.add(at, new Write(Write.NO_REQUEST_ID, intruder));
      clients.add(at, null);
      brokenGroups++;
    }
    List<LogEntryCodec.EncodedWrite> encoded = new ArrayList<>();
    for (Write w : writes) {
      encoded.add(LogEntryCodec.encodeWrite(w));
    }
    return propose(leader, LogEntryCodec.encodeGroup(encoded), clients);
  }

  /**
   * A new leader that is ready records its epoch [P6-D2], as EpochRecorder does: its id, term, the
   * previous leader, and the cause (a transfer its predecessor handed over, else an election that
   * may abandon a pending transfer).
   */
  /**
   * The leader proposes the GC floor {@code floor} (its retention policy or an operator); -1 when
   * prepare refuses it (below the floor, not below the applied index): nothing is proposed.
   */
  long proposeGcFloor(SimulatedReplica leader, long floor) {
    Prepared p;
    try {
      p =
          leader
              .stateMachine()
              .prepare(Write.NO_REQUEST_ID, new io.aerodb.core.command.SetGcFloor(floor));
    } catch (io.aerodb.core.error.AeroException refused) {
      return -1;
    }
    return propose(
        leader,
        LogEntryCodec.encode(new Entry.Single(new Write(Write.NO_REQUEST_ID, p.command()))),
        List.of());
  }

  long proposeEpoch(SimulatedReplica leader) {
    leader.leadership.epochProposed = true;
    AuthorityState state = leader.engine().authority();
    TreeMap<String, String> fields = new TreeMap<>();
    fields.put("leaderId", leader.name);
    fields.put("electedTerm", Long.toString(leader.currentTerm));
    state.lastEpoch().ifPresent(e -> fields.put("previousLeader", e.field("leaderId")));
    Optional<AuthorityRecord> pending = state.pendingTransfer();
    if (leader.leadership.byTransfer
        && pending.isPresent()
        && pending.get().field("to").equals(leader.name)) {
      fields.put("cause", "transfer");
      fields.put("requestId", pending.get().field("requestId"));
      fields.put("from", pending.get().field("from"));
    } else {
      fields.put("cause", "election");
      pending.ifPresent(p -> fields.put("abandonedRequestId", p.field("requestId")));
    }
    Command epoch = new RecordAuthority(AuthorityHistory.EPOCH, fields);
    Prepared p = leader.stateMachine().prepare(Write.NO_REQUEST_ID, epoch);
    return propose(
        leader,
        LogEntryCodec.encode(new Entry.Single(new Write(Write.NO_REQUEST_ID, p.command()))),
        List.of());
  }

  /** The leader records a transfer intent to {@code target}; returns the transfer's request id. */
  String proposeTransferIntent(SimulatedReplica leader, SimulatedReplica target) {
    String requestId = "transfer-" + (++transferIds);
    TreeMap<String, String> fields = new TreeMap<>();
    fields.put("requestId", requestId);
    fields.put("from", leader.name);
    fields.put("to", target.name);
    Command intent = new RecordAuthority(AuthorityHistory.TRANSFER_INTENT, fields);
    propose(
        leader,
        LogEntryCodec.encode(new Entry.Single(new Write(Write.NO_REQUEST_ID, intent))),
        List.of());
    return requestId;
  }

  /**
   * Bytes no correct gateway proposes: random bytes, nothing, an unknown format, a valid entry cut
   * short or with a flipped byte. Apply must reject (or, if the bytes happen to decode, judge the
   * command like any other) and never throw.
   */
  long proposeMalformed(SimulatedReplica leader) {
    byte[] document = Workload.utf8("{\"_id\":\"u1\",\"name\":\"x\"}");
    byte[] valid =
        LogEntryCodec.encode(
            new Entry.Single(
                new Write(
                    Workload.utf8("malformed-" + random.nextInt(4)),
                    new Insert(Workload.USERS, document, claimedVersion(leader, document)))));
    byte[] bytes;
    switch (random.nextInt(5)) {
      case 0 -> {
        bytes = new byte[1 + random.nextInt(40)];
        random.nextBytes(bytes);
      }
      case 1 -> bytes = new byte[0];
      case 2 -> {
        bytes = new byte[valid.length + 2];
        bytes[0] = 0x08; // field 1 (format), varint 2: a format this version does not know
        bytes[1] = 0x02;
        System.arraycopy(valid, 0, bytes, 2, valid.length);
      }
      case 3 -> bytes = Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
      default -> {
        bytes = valid.clone();
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      }
    }
    malformedEntries++;
    return propose(leader, bytes, List.of());
  }

  /**
   * The schema version a correct leader names for {@code document} (ADR 0012): the latest version
   * of the users collection when the document is valid under it, else 0 (as a retry prepared
   * without validation). A flipped bit must not turn the entry into a claim it never made.
   */
  private static int claimedVersion(SimulatedReplica leader, byte[] document) {
    var users = leader.engine().catalog().collection(Workload.USERS);
    if (users.isEmpty()) {
      return 0;
    }
    var latest = users.get().latest();
    try {
      io.aerodb.core.document.Document.admit(
          document, latest.schema(), Workload.USERS, latest.version());
      return latest.version();
    } catch (io.aerodb.core.error.AeroException notValid) {
      return 0;
    }
  }

  /**
   * A write request from a client that is not the node's own in-process client: startTransaction
   * must refuse it through setException (never a throw), and nothing reaches the log.
   */
  void proposeForeign(SimulatedReplica leader) {
    RaftClientRequest request =
        request(leader, ClientId.valueOf(new UUID(-1L, callIds)), new byte[] {1, 2, 3});
    TransactionContext trx = leader.stateMachine().startTransaction(request);
    if (!(trx.getException() instanceof CommandRejectedException)) {
      throw new InvariantViolation(
          "OnlyTheNodesOwnClientProposes",
          leader + " accepted a proposal from a foreign client: " + trx.getException());
    }
  }

  /**
   * Appends {@code bytes} as Ratis' leader does: startTransaction with the node's own client
   * request, then {@code initLogEntry(term, index)}. The leader answers {@code clients} (one per
   * write, null where no client waits) once it applied the entry. Returns the entry's index.
   */
  private long propose(SimulatedReplica leader, byte[] bytes, List<ClientRequest> clients) {
    RaftClientRequest request = request(leader, leader.localClientId, bytes);
    TransactionContext trx = leader.stateMachine().startTransaction(request);
    if (trx.getException() != null) {
      throw new InvariantViolation(
          "OnlyTheNodesOwnClientProposes",
          leader + " refused its own client's proposal: " + trx.getException());
    }
    long index = leader.log.size() + 1;
    LogEntryProto entry = trx.initLogEntry(leader.currentTerm, index);
    leader.log.add(new RaftEntry(leader.currentTerm, index, entry));
    leader.leadership.proposals.put(
        index, new LeaderState.Proposal(new ArrayList<>(clients), trx, request.getCallId()));
    return index;
  }

  private RaftClientRequest request(SimulatedReplica leader, ClientId client, byte[] bytes) {
    return RaftClientRequest.newBuilder()
        .setClientId(client)
        .setServerId(leader.peerId)
        .setGroupId(leader.groupId())
        .setCallId(++callIds)
        .setMessage(Message.valueOf(ShadedBytes.wrap(bytes)))
        .setType(RaftClientRequest.writeRequestType())
        .build();
  }
}
