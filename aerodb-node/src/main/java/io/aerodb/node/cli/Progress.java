package io.aerodb.node.cli;

/**
 * Progress of a long command on stderr (never stdout, which carries the result): on a terminal one
 * line redrawn in place, otherwise a plain line every {@link #PLAIN_EVERY_NANOS}; nothing with
 * {@code --json}. Bytes done of a total, the rate and the time left.
 */
final class Progress {
  private static final long REDRAW_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  private final AeroCli root;
  private final String what;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long total;
  private long last = start;
  private long done;

  Progress(AeroCli root, String what) {
    this.root = root;
    this.what = what;
    this.terminal = System.console() != null;
  }

  void total(long bytes) {
    this.total = bytes;
  }

  void at(long bytes) {
    done = bytes;
    long now = System.nanoTime();
    if (root.json || now - last < (terminal ? REDRAW_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
      return;
    }
    last = now;
    String line = line(now);
    if (terminal) {
      root.err.print("\r" + line + "   ");
    } else {
      root.err.println(line);
    }
    root.err.flush();
  }

  void done() {
    if (!root.json && terminal && last != start) {
      root.err.println("\r" + line(System.nanoTime()) + "   ");
    }
  }

  private String line(long now) {
    double s = Math.max(1e-3, (now - start) / 1e9);
    double rate = done / s;
    StringBuilder b = new StringBuilder(what).append(": ").append(mib(done));
    if (total > 0) {
      b.append(" of ").append(mib(total)).append(String.format(" (%d%%)", 100 * done / total));
    }
    b.append(String.format(", %.1f MiB/s", rate / (1 << 20)));
    if (total > 0 && rate > 0 && done < total) {
      b.append(String.format(", %.0f s left", (total - done) / rate));
    }
    return b.toString();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (double) (1 << 20));
  }
}
