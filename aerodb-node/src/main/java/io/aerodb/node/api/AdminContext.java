package io.aerodb.node.api;

import io.aerodb.core.authority.AuthorityRecord;
import io.aerodb.node.events.EventLog;
import io.aerodb.node.promotion.MembershipCoordinator;
import io.aerodb.node.promotion.TransferCoordinator;
import java.util.List;

/** What the admin service needs from the running node. */
public interface AdminContext extends NodeContext {
  TransferCoordinator transfers();

  MembershipCoordinator membership();

  EventLog events();

  List<AuthorityRecord> authorityHistory(long afterIndex, int limit);
}
