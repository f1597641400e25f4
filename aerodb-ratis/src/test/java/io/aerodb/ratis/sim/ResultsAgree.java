package io.aerodb.ratis.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every replica's answer to the same committed entry is the same bytes (LogEntryCodec's results:
 * codes, messages, commit indexes, existed, deduplicated, schema versions), including answers
 * computed again when a replica replays the entry after a crash: apply is deterministic.
 */
final class ResultsAgree implements Invariant {
  private final Map<Long, byte[]> answers = new HashMap<>();
  private final Map<Long, StepEvents.Applied> firstBy = new HashMap<>();

  @Override
  public void check(List<StepEvents.Event> events, SimulatedCluster cluster) {
    for (StepEvents.Event e : events) {
      if (e instanceof StepEvents.Applied a && a.resultBytes() != null) {
        long index = a.entry().index();
        byte[] first = answers.putIfAbsent(index, a.resultBytes());
        if (first == null) {
          firstBy.put(index, a);
        } else if (!Arrays.equals(first, a.resultBytes())) {
          StepEvents.Applied f = firstBy.get(index);
          throw violation(
              "entry "
                  + index
                  + ": "
                  + a.replica()
                  + (a.replay() ? " (replaying)" : "")
                  + " answered "
                  + a.results()
                  + " but "
                  + f.replica()
                  + " answered "
                  + f.results());
        }
      }
    }
  }
}
