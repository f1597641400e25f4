package io.aerodb.node.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Real network partitions between node processes that all listen on 127.0.0.1: packets are dropped
 * by the kernel, not by a flag in AeroDB (../shared/notes/faults-on-this-machine.md).
 *
 * <p>How: every node runs in its own cgroup v2 group {@code /sys/fs/cgroup/unified/<group>/<node>}
 * (its launcher writes its own PID to {@code cgroup.procs}, then execs the JVM, so every socket the
 * node creates belongs to that group). One nftables table has, for each directed pair (A, B), a
 * rule in the output hook that marks every connection A opens to one of B's ports (Raft and API:
 * peers also talk on the API port) with a mark of its own, and one rule that drops every packet
 * whose connection mark is in the set {@code blocked}. A conntrack mark belongs to the connection,
 * so B's replies are dropped too. A partition adds marks to the set; healing flushes it. Clients in
 * the root cgroup (the test's own) still reach every node, as in Jepsen.
 *
 * <p>Everything this class adds it removes in {@link #close} (the table and the cgroups), also
 * after a failed test; a table left by a crashed earlier run of the same group name is replaced.
 */
public final class Network implements AutoCloseable {
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup/unified");

  private final String group;
  private final String table;
  private final int nodes;
  private final List<Integer> raftPorts;
  private final List<Integer> apiPorts;
  private final Set<Integer> blockedMarks = new TreeSet<>();

  /**
   * Whether this machine can do it: root, nft on the PATH, cgroup v2 mounted at the unified path.
   */
  public static boolean available() {
    return "root".equals(System.getProperty("user.name"))
        && Files.isDirectory(CGROUP_ROOT)
        && Files.exists(CGROUP_ROOT.resolve("cgroup.procs"))
        && onPath("nft");
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Creates the cgroups and the table for a cluster's nodes (ports of node i at index i). */
  public Network(String group, List<Integer> raftPorts, List<Integer> apiPorts) throws IOException {
    this.group = group;
    this.table = group.replace('-', '_');
    this.nodes = raftPorts.size();
    this.raftPorts = List.copyOf(raftPorts);
    this.apiPorts = List.copyOf(apiPorts);
    for (int i = 0; i < nodes; i++) {
      Files.createDirectories(cgroup(i));
    }
    nft(false, "delete table inet " + table); // a leftover of a crashed run, if any
    StringBuilder script = new StringBuilder();
    script.append("table inet ").append(table).append(" {\n");
    script.append("  set blocked { type mark; }\n");
    script.append("  chain output {\n");
    script.append("    type filter hook output priority 0; policy accept;\n");
    for (int a = 0; a < nodes; a++) {
      for (int b = 0; b < nodes; b++) {
        if (a != b) {
          script
              .append("    socket cgroupv2 level 2 \"unified/")
              .append(group)
              .append('/')
              .append(nodeName(a))
              .append("\" tcp dport { ")
              .append(raftPorts.get(b))
              .append(", ")
              .append(apiPorts.get(b))
              .append(" } ct mark set ")
              .append(mark(a, b))
              .append('\n');
        }
      }
    }
    script.append("    ct mark @blocked counter drop\n");
    script.append("  }\n}\n");
    Path file = Files.createTempFile("aerodb-nft-", ".nft");
    try {
      Files.writeString(file, script, StandardCharsets.UTF_8);
      nft(true, "-f " + file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * The command prefix that starts a process inside node i's cgroup: a shell that moves itself
   * there, then execs the command (same PID, so stopping it by PID stops the node).
   */
  public List<String> launchPrefix(int i) {
    return List.of(
        "bash", "-c", "echo $$ > " + cgroup(i).resolve("cgroup.procs") + " && exec \"$0\" \"$@\"");
  }

  /** Cuts every link between a node of {@code side} and a node not in it, both directions. */
  public synchronized void partition(Set<Integer> side) throws IOException {
    for (int a = 0; a < nodes; a++) {
      for (int b = 0; b < nodes; b++) {
        if (a != b && side.contains(a) != side.contains(b)) {
          blockedMarks.add(mark(a, b));
        }
      }
    }
    apply();
  }

  /** Cuts the directed links {@code from -> to} and {@code to -> from} for each pair given. */
  public synchronized void cut(int from, int to) throws IOException {
    blockedMarks.add(mark(from, to));
    blockedMarks.add(mark(to, from));
    apply();
  }

  /** Heals every partition. */
  public synchronized void heal() throws IOException {
    blockedMarks.clear();
    nft(true, "flush set inet " + table + " blocked");
  }

  /** Packets dropped so far (the drop rule's counter). */
  public long droppedPackets() throws IOException {
    String out = nft(true, "list chain inet " + table + " output");
    int at = out.indexOf("counter packets ");
    if (at < 0) {
      return -1;
    }
    String rest = out.substring(at + "counter packets ".length());
    return Long.parseLong(rest.substring(0, rest.indexOf(' ')));
  }

  private void apply() throws IOException {
    nft(true, "flush set inet " + table + " blocked");
    if (!blockedMarks.isEmpty()) {
      StringBuilder elements = new StringBuilder();
      for (int m : blockedMarks) {
        elements.append(elements.length() == 0 ? "" : ", ").append(m);
      }
      nft(true, "add element inet " + table + " blocked { " + elements + " }");
    }
  }

  private static int mark(int from, int to) {
    return 0x4100 + from * 16 + to;
  }

  private String nodeName(int i) {
    return "node" + i;
  }

  private Path cgroup(int i) {
    return CGROUP_ROOT.resolve(group).resolve(nodeName(i));
  }

  private static String nft(boolean mustSucceed, String args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("nft"));
    cmd.addAll(List.of(args.split(" ")));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("nft " + args + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (mustSucceed && p.exitValue() != 0) {
      throw new IOException("nft " + args + " failed: " + out);
    }
    return out;
  }

  /**
   * Removes the table and the cgroups. A cgroup goes only once its processes are gone, so this
   * waits up to 10 s for the last one to exit (a node killed just before may still be dying).
   */
  @Override
  public void close() throws IOException {
    try {
      nft(false, "delete table inet " + table);
    } finally {
      long deadline = System.nanoTime() + 10_000_000_000L;
      for (int i = 0; i < nodes; i++) {
        removeWhenEmpty(cgroup(i), deadline);
      }
      removeWhenEmpty(CGROUP_ROOT.resolve(group), deadline);
    }
  }

  private static void removeWhenEmpty(Path cgroup, long deadline) {
    while (true) {
      try {
        Files.deleteIfExists(cgroup);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          return; // a process is still in it; the next run of this group name reuses it
        }
        try {
          Thread.sleep(50); // between retries of the removal, bounded by the deadline
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
