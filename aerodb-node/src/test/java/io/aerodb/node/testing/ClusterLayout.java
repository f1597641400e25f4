package io.aerodb.node.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Node ids, loopback ports and config files for a test cluster of n nodes under one directory. */
public final class ClusterLayout {
  public final Path root;
  public final String clusterName;
  public final List<String> ids = new ArrayList<>();
  public final List<Integer> raftPorts = new ArrayList<>();
  public final List<Integer> apiPorts = new ArrayList<>();

  /** Loopback port of each node's metrics/status HTTP server ("metrics": {"port": N}). */
  public final List<Integer> metricsPorts = new ArrayList<>();

  /** The first {@code initial} nodes form the cluster; later ones join it (config "join": true). */
  public final int initial;

  /** api.readTimeoutMs of every node (how long a read "at least index N" waits for N). */
  public int readTimeoutMs = 5_000;

  /**
   * More keys of every node's "raft" object, as JSON members with a leading comma (for example
   * {@code ,"snapshotEveryEntries":100}); empty for the defaults.
   */
  public String raftExtra = "";

  /** The "gc" config object of every node (JSON), or empty for the defaults. */
  public String gc = "";

  public ClusterLayout(Path root, String clusterName, int n) {
    this.root = root;
    this.clusterName = clusterName;
    this.initial = n;
    List<Integer> ports = Ports.free(3 * n);
    for (int i = 0; i < n; i++) {
      ids.add("n" + (i + 1));
      raftPorts.add(ports.get(3 * i));
      apiPorts.add(ports.get(3 * i + 1));
      metricsPorts.add(ports.get(3 * i + 2));
    }
  }

  public String apiAddress(int i) {
    return "127.0.0.1:" + apiPorts.get(i);
  }

  public List<String> apiAddresses() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      out.add(apiAddress(i));
    }
    return out;
  }

  /** Base URL of node i's metrics/status HTTP server, e.g. {@code http://127.0.0.1:P}. */
  public String httpBase(int i) {
    return "http://127.0.0.1:" + metricsPorts.get(i);
  }

  public int indexOf(String nodeId) {
    return ids.indexOf(nodeId);
  }

  /** Adds a node that joins the cluster later (cluster add-learner); returns its index. */
  public int addJoiner() {
    List<Integer> ports = Ports.free(3);
    ids.add("n" + (ids.size() + 1));
    raftPorts.add(ports.get(0));
    apiPorts.add(ports.get(1));
    metricsPorts.add(ports.get(2));
    return ids.size() - 1;
  }

  /**
   * Writes the config file of node i (fast elections for tests) and returns its path. The initial
   * nodes list each other; a joiner lists the initial nodes and itself, with "join": true.
   */
  public Path writeConfig(int i) {
    StringBuilder peers = new StringBuilder();
    for (int j = 0; j < ids.size(); j++) {
      if (j >= initial && j != i) {
        continue;
      }
      if (peers.length() > 0) {
        peers.append(',');
      }
      peers.append(
          String.format(
              "{\"id\":\"%s\",\"host\":\"127.0.0.1\",\"raftPort\":%d,\"apiPort\":%d}",
              ids.get(j), raftPorts.get(j), apiPorts.get(j)));
    }
    String json =
        String.format(
            "{\"nodeId\":\"%s\",\"clusterName\":\"%s\",\"dataDir\":\"%s-data\",\"peers\":[%s],"
                + "\"raft\":{\"electionTimeoutMinMs\":400,\"electionTimeoutMaxMs\":800,"
                + "\"requestTimeoutMs\":3000%s},\"api\":{\"writeTimeoutMs\":8000,\"readTimeoutMs\":%d},"
                + "\"metrics\":{\"port\":%d},\"join\":%s%s}",
            ids.get(i),
            clusterName,
            ids.get(i),
            peers,
            raftExtra,
            readTimeoutMs,
            metricsPorts.get(i),
            i >= initial,
            gc.isEmpty() ? "" : ",\"gc\":" + gc);
    Path file = root.resolve(ids.get(i) + ".json");
    try {
      Files.createDirectories(root);
      Files.writeString(file, json, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return file;
  }
}
