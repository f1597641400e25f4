package io.aerodb.core.command;

import java.util.List;

/**
 * What one Raft log entry carries (docs/FORMATS.md): one command, or the leader's group commit of
 * independent document writes. Every write of an entry gets its own result; all share the entry's
 * index as their commit index and one store batch, so they become visible together [MVCC-2].
 */
public sealed interface Entry {
  List<Write> writes();

  /**
   * A group may carry only document writes, no two of one document and no request_id twice; apply
   * refuses an offending write with AERO_LOG_ENTRY_INVALID, identically on every node.
   */
  boolean isGroup();

  /** An entry of one command. */
  record Single(Write write) implements Entry {
    @Override
    public List<Write> writes() {
      return List.of(write);
    }

    @Override
    public boolean isGroup() {
      return false;
    }
  }

  /** Document writes of several clients, proposed together by the leader (group commit). */
  record Group(List<Write> writes) implements Entry {
    public Group {
      writes = List.copyOf(writes);
    }

    @Override
    public boolean isGroup() {
      return true;
    }
  }
}
