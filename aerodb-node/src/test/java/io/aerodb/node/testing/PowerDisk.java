package io.aerodb.node.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disk that forgets, on a power cut, everything that was not fsynced (issue 18, docs/adr/0006):
 * the FUSE file system {@code lazyfs.py} (test resources; Debian's python3-fusepy) mounted over a
 * node's data directory, its bytes kept in a backing directory beside it. Bytes written to a file
 * survive a cut only once that file was fsynced; in {@link Mode#STRICT} a created, renamed or
 * deleted name also needs its parent directory fsynced; {@link Mode#LYING} ignores most fsyncs (a
 * red gate: such a disk must lose acknowledged writes); {@link Mode#SLOW} delays each fsync, {@link
 * Mode#SLOW_LOG} each of the Raft log.
 *
 * <p>A cut: {@link #powerOff} is the instant the power goes (from then on nothing becomes durable,
 * not even an fsync already in flight); the node's process is then killed (SIGKILL), and {@link
 * #cut} rolls back what was not durable, reports what it dropped, unmounts (the kernel's cache of
 * the mount goes with it) and mounts again. {@link #close} unmounts and stops the daemon by its
 * PID, also after a failed test.
 */
public final class PowerDisk implements AutoCloseable {
  /** What the disk keeps across a cut. */
  public enum Mode {
    /** File data needs an fsync of the file; names survive as they are. */
    LAZY,
    /** As LAZY, and a name operation needs an fsync of its parent directory. */
    STRICT,
    /**
     * A disk whose cache lies about fsync: an fsync of a file within 3 s of that file's last
     * honoured one returns at once and makes nothing durable, so a cut drops up to 3 s of "synced"
     * data (a red gate).
     */
    LYING,
    /** As LAZY, on a slow disk: every fsync waits 100 ms before it starts. */
    SLOW,
    /**
     * As LAZY, with a slow Raft log: every fsync of a log segment ({@code /log_}) waits 200 ms
     * before it starts, other files' at once (so a node still starts in seconds). A node that
     * acknowledges before its fsync completed (the UNSAFE_FLUSH red gate) then almost always has an
     * acknowledged entry in flight when a cut comes within milliseconds of an acknowledgement.
     */
    SLOW_LOG
  }

  /** What one cut dropped: files whose data went back, bytes dropped, name operations undone. */
  public record Cut(long files, long bytes, long names) {}

  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Pattern REPORT =
      Pattern.compile("\"files\": (\\d+), \"bytes\": (\\d+), \"names\": (\\d+)");

  private final Path mountpoint;
  private final Path backing;
  private final Path report;
  private final Path log;
  private final Mode mode;
  private Process daemon;
  private long reportLines;

  /** Whether this machine can mount it: root, /dev/fuse, python3 with fusepy. */
  public static boolean available() {
    if (!"root".equals(System.getProperty("user.name"))
        || !Files.exists(Path.of("/dev/fuse"))
        || !Files.isExecutable(PYTHON)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import fusepy").start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Mounts a power-failure disk over {@code mountpoint}; its bytes live in {@code backing}. */
  public PowerDisk(Path mountpoint, Path backing, Mode mode) throws IOException {
    this.mountpoint = mountpoint.toAbsolutePath();
    this.backing = backing.toAbsolutePath();
    this.report = this.backing.resolveSibling(this.backing.getFileName() + ".cuts");
    this.log = this.backing.resolveSibling(this.backing.getFileName() + ".lazyfs.log");
    this.mode = mode;
    Files.createDirectories(this.mountpoint);
    Files.createDirectories(this.backing);
    mount();
  }

  private void mount() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-u", script().toString()));
    cmd.addAll(List.of(backing.toString(), mountpoint.toString(), "--report", report.toString()));
    switch (mode) {
      case STRICT -> cmd.add("--strict");
      case LYING -> cmd.addAll(List.of("--lie", "--lie-window-ms", "3000"));
      case SLOW -> cmd.addAll(List.of("--fsync-delay-ms", "100"));
      case SLOW_LOG ->
          cmd.addAll(List.of("--fsync-delay-ms", "200", "--fsync-delay-only", "/log_"));
      case LAZY -> {}
    }
    daemon =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!mounted()) {
      if (!daemon.isAlive() || System.nanoTime() > deadline) {
        daemon.destroyForcibly();
        try {
          run("umount", "-l", mountpoint.toString()); // in case it came up just now
        } catch (IOException notMounted) {
          // the usual case
        }
        throw new IOException("lazyfs did not mount on " + mountpoint + "; its log: " + log);
      }
      sleep(20);
    }
  }

  private boolean mounted() throws IOException {
    String needle = " " + mountpoint + " fuse";
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      if (line.contains(needle)) {
        return true;
      }
    }
    return false;
  }

  private static Path script() throws IOException {
    URL url = PowerDisk.class.getResource("/lazyfs.py");
    if (url == null) {
      throw new IOException("lazyfs.py is not on the test classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  /**
   * The instant the power goes, on every disk of {@code disks} at once (one kill(1) signals all
   * their daemons): from then on every change is refused and no fsync still in flight completes.
   * Returns once every disk confirmed it; the nodes on them are to be killed next, then {@link
   * #cut}. Without it an fsync in flight when the node is killed would still complete, which a
   * power cut never allows (a node that acknowledges before its fsync finished would look durable).
   */
  public static void powerOff(List<PowerDisk> disks) throws IOException {
    if (disks.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-USR2"));
    for (PowerDisk d : disks) {
      if (!d.daemon.isAlive()) {
        throw new IOException("lazyfs on " + d.mountpoint + " is not running; its log: " + d.log);
      }
      cmd.add(Long.toString(d.daemon.pid()));
    }
    run(cmd.toArray(new String[0]));
    for (PowerDisk d : disks) {
      d.awaitReport("\"off\"", "power off");
    }
  }

  /** Waits for the daemon's next report line, which must contain {@code needle}; returns it. */
  private String awaitReport(String needle, String what) throws IOException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<String> lines = List.of();
    while (System.nanoTime() < deadline) {
      lines = Files.exists(report) ? Files.readAllLines(report) : List.of();
      if (lines.size() > reportLines) {
        break;
      }
      sleep(5);
    }
    if (lines.size() <= reportLines) {
      throw new IOException("lazyfs did not report the " + what + " within 30 s; its log: " + log);
    }
    reportLines = lines.size();
    String line = lines.get(lines.size() - 1);
    if (!line.contains(needle)) {
      throw new IOException("lazyfs answered the " + what + " with: " + line);
    }
    return line;
  }

  /**
   * The power cut: drops what was not durable (the node using the disk must be dead), then unmounts
   * and mounts again. Returns what was dropped.
   */
  public Cut cut() throws IOException {
    if (!daemon.isAlive()) {
      throw new IOException("lazyfs on " + mountpoint + " is not running; its log: " + log);
    }
    signal(daemon.pid(), "USR1");
    Matcher m = REPORT.matcher(awaitReport("\"cut\"", "cut"));
    if (!m.find()) {
      throw new IOException("unreadable cut report in " + report);
    }
    Cut cut =
        new Cut(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
    unmount();
    mount();
    return cut;
  }

  private void unmount() throws IOException {
    run("umount", mountpoint.toString());
    stopDaemon();
  }

  @Override
  public void close() throws IOException {
    try {
      if (mounted()) {
        try {
          run("umount", mountpoint.toString());
        } catch (IOException e) {
          run("umount", "-l", mountpoint.toString());
        }
      }
    } finally {
      stopDaemon();
    }
  }

  /** The daemon exits by itself once unmounted; one that does not is killed by its PID. */
  private void stopDaemon() throws IOException {
    if (daemon == null) {
      return;
    }
    try {
      if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
        daemon.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      daemon.destroyForcibly();
    }
  }

  private static void signal(long pid, String signal) throws IOException {
    run("kill", "-" + signal, Long.toString(pid));
  }

  private static void run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** The poll interval of the loops above, which wait on a condition with a deadline. */
  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
