package io.aerodb.client;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The client's one retry loop. A {@link Call} names its {@link Kind}, which says where the first
 * attempt goes and what bounds the call; {@link #decide} says after each failed attempt whether and
 * where to try again; {@link Failures} says what the caller is told when attempts or time run out.
 */
final class Retrier {

  /** How a call is aimed, bounded and retried. */
  enum Kind {
    /**
     * A replicated write, carrying one request_id on every attempt. Goes to the remembered leader
     * (else the endpoints in turn) and follows AERO_NOT_LEADER to the address named; bounded by
     * {@link AeroClient.Options#deadline} and {@link AeroClient.Options#maxAttempts}. Once an
     * attempt's outcome is unknown, running out ends in AERO_OUTCOME_UNKNOWN.
     */
    LEADER_WRITE,
    /**
     * A read any node may serve: the remembered leader first, then the endpoints in turn;
     * rejections and AERO_INTERNAL are final. Same bounds as a write.
     */
    ANY_NODE_READ,
    /**
     * An admin call on the leader, found through the endpoints. AERO_NOT_LEADER naming the leader
     * is followed, and a refused connection (nothing was sent) re-asks who leads: at most {@link
     * Retrier#ADMIN_ATTEMPTS} attempts, no pause. Nothing else is retried: a transport failure
     * after the request may have reached the leader is reported as it is. Each attempt has the
     * call's timeout.
     */
    LEADER_ADMIN,
    /** One attempt at one given endpoint with the call's timeout. */
    ONE_ENDPOINT
  }

  /** Attempts of a {@link Kind#LEADER_ADMIN} call: the first and at most two more. */
  static final int ADMIN_ATTEMPTS = 3;

  /** Where the attempt after a failed one goes. */
  enum Next {
    /** Nowhere: the call fails with the attempt's error. */
    FAIL,
    /** The same endpoint again. */
    SAME,
    /** The leader the error names, or the next endpoint if it names none. */
    FOLLOW_LEADER,
    /** The next endpoint in turn. */
    NEXT_ENDPOINT,
    /** The next endpoint in turn, refreshing the members after each full round of failures. */
    NEXT_AFTER_FAILURE,
    /** Whichever endpoint the nodes report as leader now. */
    ASK_LEADER
  }

  /**
   * The decision after a failed attempt: where the next one goes, whether the remembered leader is
   * forgotten first, whether to back off before it, and whether the failed attempt's outcome is
   * unknown (it may have been applied).
   */
  record Step(Next next, boolean forgetLeader, boolean backoff, boolean outcomeUnknown) {
    static final Step FAIL = new Step(Next.FAIL, false, false, false);
  }

  /**
   * One call: its kind; the endpoint of a {@link Kind#ONE_ENDPOINT} call; the timeout of each
   * attempt of a {@link Kind#LEADER_ADMIN} or {@link Kind#ONE_ENDPOINT} call; the request_id of a
   * {@link Kind#LEADER_WRITE}.
   */
  record Call(Kind kind, String endpoint, Duration timeout, ByteString requestId) {
    static Call write(ByteString requestId) {
      return new Call(Kind.LEADER_WRITE, "", Duration.ZERO, requestId);
    }

    static Call read() {
      return new Call(Kind.ANY_NODE_READ, "", Duration.ZERO, ByteString.EMPTY);
    }

    static Call leaderAdmin(Duration attemptTimeout) {
      return new Call(Kind.LEADER_ADMIN, "", attemptTimeout, ByteString.EMPTY);
    }

    static Call at(String endpoint, Duration timeout) {
      return new Call(Kind.ONE_ENDPOINT, endpoint, timeout, ByteString.EMPTY);
    }
  }

  /** One attempt of a call. */
  @FunctionalInterface
  interface Attempt<T> {
    /**
     * Sends the call to {@code target}, giving up after {@code timeoutNanos}.
     *
     * @throws StatusRuntimeException if it failed
     */
    T run(String target, long timeoutNanos);
  }

  private final Endpoints endpoints;
  private final AeroClient.Options options;
  private final Backoff backoff;

  Retrier(Endpoints endpoints, AeroClient.Options options, Backoff backoff) {
    this.endpoints = endpoints;
    this.options = options;
    this.backoff = backoff;
  }

  /**
   * Runs {@code call}'s attempts until one succeeds, {@link #decide} says fail, or the call's
   * bounds run out ({@link Failures#exhausted}).
   *
   * @throws AeroClientException the error that ends the call
   */
  <T> T run(Call call, Attempt<T> attempt) {
    Kind kind = call.kind();
    boolean bounded = kind == Kind.LEADER_WRITE || kind == Kind.ANY_NODE_READ;
    long deadline = bounded ? System.nanoTime() + options.deadline().toNanos() : Long.MAX_VALUE;
    int maxAttempts =
        switch (kind) {
          case LEADER_WRITE, ANY_NODE_READ -> options.maxAttempts();
          case LEADER_ADMIN -> ADMIN_ATTEMPTS;
          case ONE_ENDPOINT -> 1;
        };
    String target =
        switch (kind) {
          case LEADER_WRITE, ANY_NODE_READ -> endpoints.leaderOrNext();
          case LEADER_ADMIN -> endpoints.leaderEndpoint();
          case ONE_ENDPOINT -> call.endpoint();
        };
    Failures failures = new Failures();
    // endpoints this call could not reach lately: a follower's hint naming one of them is stale
    // (the
    // old leader died, the election is under way) and is not followed straight back into the
    // failure; after UNREACHABLE_NANOS it may be followed again (the node may be back as leader)
    java.util.Map<String, Long> unreachableSince = new java.util.HashMap<>();
    java.util.Set<String> unreachable = new java.util.HashSet<>();
    for (int n = 0; n < maxAttempts && (!bounded || System.nanoTime() < deadline); n++) {
      long timeoutNanos =
          bounded
              ? Math.min(
                  Math.max(1, deadline - System.nanoTime()), options.attemptTimeout().toNanos())
              : call.timeout().toNanos();
      try {
        T reply = attempt.run(target, timeoutNanos);
        if (kind == Kind.LEADER_WRITE) {
          endpoints.rememberLeader(target);
        }
        return reply;
      } catch (StatusRuntimeException e) {
        AeroClientException error = AeroClientException.fromStatus(e, target);
        Step step = decide(kind, error, n);
        long now = System.nanoTime();
        unreachableSince.values().removeIf(t -> now - t > UNREACHABLE_NANOS);
        if (error.code().equals(AeroClientException.TRANSPORT)
            || error.code().equals(ClientErrors.CLUSTER_UNAVAILABLE)) {
          unreachableSince.put(target, now);
        }
        unreachable.clear();
        unreachable.addAll(unreachableSince.keySet());
        if (step.next() == Next.FOLLOW_LEADER
            && (unreachable.contains(error.leaderAddress())
                || error.leaderAddress().equals(target))) { // a node naming itself: stepping down
          step = new Step(Next.NEXT_AFTER_FAILURE, true, true, step.outcomeUnknown());
        }
        failures.record(error, step);
        if (step.forgetLeader()) {
          endpoints.forgetLeader();
        }
        target =
            switch (step.next()) {
              case FAIL -> throw error;
              case SAME -> target;
              case FOLLOW_LEADER -> endpoints.follow(error.leaderAddress());
              case NEXT_ENDPOINT -> endpoints.next();
              case NEXT_AFTER_FAILURE -> reachable(endpoints.nextAfterFailure(n), unreachable);
              case ASK_LEADER -> endpoints.leaderEndpoint();
            };
        if (step.backoff()) {
          backoff.pause(n, deadline);
        }
      }
    }
    throw failures.exhausted(call.requestId(), options.deadline(), endpoints.list());
  }

  /** How long an endpoint a call could not reach is not followed again: about one election. */
  static final long UNREACHABLE_NANOS = 1_000_000_000L;

  /**
   * {@code candidate}, or the next endpoint in turn that this call has not found unreachable (the
   * candidate itself when every endpoint failed: one may be back).
   */
  private String reachable(String candidate, java.util.Set<String> unreachable) {
    String target = candidate;
    for (int i = endpoints.list().size(); i > 0 && unreachable.contains(target); i--) {
      target = endpoints.next();
    }
    return unreachable.contains(target) ? candidate : target;
  }

  /** What to do after attempt {@code attempt} (0 for the first) of a {@code kind} call failed. */
  static Step decide(Kind kind, AeroClientException error, int attempt) {
    return switch (kind) {
      case LEADER_WRITE -> decideWrite(error);
      case ANY_NODE_READ ->
          error.isReject() || ClientErrors.INTERNAL.equals(error.code())
              ? Step.FAIL
              : new Step(Next.NEXT_ENDPOINT, false, true, false);
      case LEADER_ADMIN -> decideAdmin(error, attempt);
      case ONE_ENDPOINT -> Step.FAIL;
    };
  }

  private static Step decideWrite(AeroClientException error) {
    switch (error.code()) {
      case "AERO_NOT_LEADER":
        // Straight on to a named leader; back off only when the node named none.
        return new Step(Next.FOLLOW_LEADER, false, error.leaderAddress().isEmpty(), false);
      case ClientErrors.OUTCOME_UNKNOWN:
        return new Step(Next.FOLLOW_LEADER, false, true, true);
      case "AERO_CLUSTER_NO_LEADER":
      case "AERO_CLUSTER_LEADER_NOT_READY":
      case "AERO_CLUSTER_LEADER_STEPPING_DOWN":
      case "AERO_CLUSTER_OVERLOADED":
        return new Step(Next.SAME, false, true, false);
      case "AERO_NODE_NOT_READY":
      case ClientErrors.CLUSTER_UNAVAILABLE:
        return new Step(Next.NEXT_AFTER_FAILURE, true, true, false);
      case AeroClientException.TRANSPORT:
        return new Step(Next.NEXT_AFTER_FAILURE, true, true, true);
      default:
        return Step.FAIL; // a rejection, or an error a retry cannot fix
    }
  }

  private static Step decideAdmin(AeroClientException error, int attempt) {
    if (attempt + 1 >= ADMIN_ATTEMPTS) {
      return Step.FAIL;
    }
    if (error.code().equals("AERO_NOT_LEADER") && !error.leaderAddress().isEmpty()) {
      return new Step(Next.FOLLOW_LEADER, false, false, false);
    }
    if (error.code().equals(ClientErrors.CLUSTER_UNAVAILABLE)) {
      return new Step(Next.ASK_LEADER, true, false, false);
    }
    return Step.FAIL;
  }

  /** The failed attempts of one call, as far as the error that ends it depends on them. */
  static final class Failures {
    private AeroClientException last;
    private AeroClientException lastAnswer;
    private boolean outcomeUnknown;

    void record(AeroClientException error, Step step) {
      last = error;
      if (!error.nodeId().isEmpty()) {
        lastAnswer = error; // a node's own answer, not a transport failure
      }
      outcomeUnknown |= step.outcomeUnknown();
    }

    /**
     * The error for a call that ran out of attempts or time. AERO_OUTCOME_UNKNOWN (naming {@code
     * requestId}) if any attempt's outcome was unknown. Otherwise the last attempt's own error if a
     * node gave it, or if it was a named failure (e.g. a refused connection) and no node ever
     * answered; else AERO_CLUSTER_UNAVAILABLE naming the last answer any node gave (e.g. a leader
     * refusing reads it cannot confirm), so a user sees why the nodes did not serve.
     */
    AeroClientException exhausted(ByteString requestId, Duration deadline, List<String> endpoints) {
      if (outcomeUnknown) {
        return ClientErrors.of(
            ClientErrors.OUTCOME_UNKNOWN,
            "the write may or may not have committed; retrying with the same request_id would tell",
            "requestId",
            HexFormat.of().formatHex(requestId.toByteArray()),
            "lastError",
            last == null ? "" : last.getMessage());
      }
      boolean lastAnswered = last != null && !last.nodeId().isEmpty();
      boolean lastNamed = last != null && !AeroClientException.TRANSPORT.equals(last.code());
      if (lastAnswered || (lastNamed && lastAnswer == null)) {
        return last; // the last attempt's own answer, or no node answered at all
      }
      String because =
          lastAnswer == null
              ? ""
              : "; the last answer was "
                  + lastAnswer.code()
                  + " from "
                  + lastAnswer.nodeId()
                  + ": "
                  + lastAnswer.detailMessage();
      return ClientErrors.of(
          ClientErrors.CLUSTER_UNAVAILABLE,
          "no node answered within " + deadline.toMillis() + " ms" + because,
          "endpoints",
          String.join(",", endpoints),
          "lastError",
          last == null ? "" : last.detailMessage(),
          "lastAnswer",
          lastAnswer == null ? "" : lastAnswer.code());
    }
  }
}
