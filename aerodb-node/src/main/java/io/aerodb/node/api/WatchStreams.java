package io.aerodb.node.api;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.v1.WatchEvent;
import io.aerodb.proto.v1.WatchRequest;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The watch streams one node serves [W1]: at most {@link #WATCHES_MAX} at once (AERO_WATCH_LIMIT
 * beyond), each ended with AERO_NODE_NOT_READY when the node stops, so that its client resumes on
 * another node at once (a graceful shutdown would otherwise wait for streams that never end).
 * Thread-safe.
 */
public final class WatchStreams {
  /** watchesMax: streams one node serves at once. */
  static final int WATCHES_MAX = 1_024;

  private final List<WatchStream> open = new ArrayList<>();
  private boolean closed;

  /** Starts serving {@code request} on {@code observer}, or answers why it cannot. */
  void start(NodeContext node, WatchRequest request, StreamObserver<WatchEvent> observer) {
    WatchStream.start(node, this, request, observer);
  }

  /** Registers a stream: null, or why not (the node stops, or serves watchesMax already). */
  synchronized AeroError add(WatchStream s) {
    if (closed) {
      return stopping();
    }
    if (open.size() >= WATCHES_MAX) {
      return AeroError.of(
          ErrorCode.AERO_WATCH_LIMIT,
          "this node already serves watchesMax=" + WATCHES_MAX + " watch streams",
          "limit",
          "watchesMax",
          "limitValue",
          Integer.toString(WATCHES_MAX));
    }
    open.add(s);
    return null;
  }

  synchronized void remove(WatchStream s) {
    open.remove(s);
  }

  /** Ends every stream (the node stops); later ones are refused. */
  public void closeAll() {
    List<WatchStream> ending;
    synchronized (this) {
      closed = true;
      ending = new ArrayList<>(open);
      open.clear();
    }
    for (WatchStream s : ending) {
      s.end(stopping());
    }
  }

  private static AeroError stopping() {
    return AeroError.of(
        ErrorCode.AERO_NODE_NOT_READY, "this node is stopping; resume the watch on another node");
  }
}
