package io.aerodb.ratis;

import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;

/**
 * The "snapshot" Ratis sees: the index up to which the store is durable. The store itself is the
 * snapshot (Ozone's model, notes §10): Ratis replays the log after this index at restart and may
 * purge the log up to it. There are no files; followers that need state they cannot get from the
 * log are notified (install mode off).
 */
record AppliedSnapshot(TermIndex termIndex) implements SnapshotInfo {
  @Override
  public TermIndex getTermIndex() {
    return termIndex;
  }

  @Override
  public List<FileInfo> getFiles() {
    return List.of();
  }
}
