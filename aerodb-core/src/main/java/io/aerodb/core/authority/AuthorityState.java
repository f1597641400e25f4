package io.aerodb.core.authority;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the authority history implies now: the latest leadership epoch, a transfer that was started
 * and has not ended (no later epoch and no outcome), and the peer directory built from membership
 * records. Immutable; derived from the records in index order, so it is the same on every node.
 */
public record AuthorityState(
    Optional<AuthorityRecord> lastEpoch,
    Optional<AuthorityRecord> pendingTransfer,
    SortedMap<String, PeerAddress> directory) {

  public static final AuthorityState EMPTY =
      new AuthorityState(Optional.empty(), Optional.empty(), new TreeMap<>());

  public AuthorityState {
    directory = Collections.unmodifiableSortedMap(new TreeMap<>(directory));
  }

  /** The state after {@code r} (records are folded in log order). */
  public AuthorityState with(AuthorityRecord r) {
    switch (r.kind()) {
      case AuthorityHistory.EPOCH:
        return new AuthorityState(Optional.of(r), Optional.empty(), directory);
      case AuthorityHistory.TRANSFER_INTENT:
        return new AuthorityState(lastEpoch, Optional.of(r), directory);
      case AuthorityHistory.TRANSFER_OUTCOME:
        boolean closes =
            pendingTransfer.isPresent()
                && pendingTransfer.get().field("requestId").equals(r.field("requestId"));
        return new AuthorityState(
            lastEpoch, closes ? Optional.empty() : pendingTransfer, directory);
      case AuthorityHistory.MEMBERSHIP:
        TreeMap<String, PeerAddress> d = new TreeMap<>(directory);
        String id = r.field("nodeId");
        switch (r.field("action")) {
          case "add-learner":
            d.put(id, new PeerAddress(id, r.field("apiAddress"), r.field("raftAddress"), false));
            break;
          case "promote":
            PeerAddress p = d.get(id);
            d.put(
                id,
                new PeerAddress(
                    id,
                    p == null ? r.field("apiAddress") : p.apiAddress(),
                    p == null ? r.field("raftAddress") : p.raftAddress(),
                    true));
            break;
          case "remove":
            d.remove(id);
            break;
          default:
            break;
        }
        return new AuthorityState(lastEpoch, pendingTransfer, d);
      default:
        return this;
    }
  }
}
