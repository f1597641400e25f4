package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.engine.StoreAudit;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.util.Bytes;
import io.aerodb.node.backup.BackupReader;
import io.aerodb.node.backup.BackupWriter;
import io.aerodb.node.backup.DataDirectoryVerifier;
import io.aerodb.node.backup.Restorer;
import io.aerodb.proto.v1.BackupCollection;
import io.aerodb.proto.v1.BackupManifest;
import io.aerodb.proto.v1.NodeStatusReply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aerodb backup --out FILE [--node host:port]}, {@code aerodb backup verify FILE}, {@code
 * aerodb restore FILE --data-dir DIR --node-id ID} and {@code aerodb verify --data-dir DIR} (SPEC
 * §5; docs/OPERATIONS.md, Backup and restore). The formats and checks live in {@code
 * io.aerodb.node.backup}; these commands choose the node, show progress on stderr and print the
 * summary.
 */
final class BackupCommands {
  private BackupCommands() {}

  @Command(
      name = "backup",
      description =
          "Take an online backup: a consistent copy of one node's store at one commit index (a"
              + " follower by default, so the leader is not slowed), written as one file with a"
              + " manifest and checksums. Writes go on meanwhile.",
      subcommands = {BackupCommands.Verify.class})
  static final class Backup implements Callable<Integer> {
    @Spec CommandSpec spec;

    // not required = true: picocli would then refuse the subcommand "backup verify" without it
    @Option(names = "--out", description = "The backup file to write (new; required).")
    Path out;

    @Option(
        names = "--node",
        description =
            "The node (host:port of its API) to copy; default: the serving follower that applied"
                + " the most.")
    String node;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      if (out == null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "Missing required option: '--out=<out>'");
      }
      long t0 = System.nanoTime();
      try (AeroClient c = root.client()) {
        String source = node != null ? node : chooseSource(root, c);
        Progress progress = new Progress(root, "backup");
        try (BackupWriter w = BackupWriter.create(out)) {
          c.admin()
              .backup(
                  source,
                  "cli",
                  idle(root),
                  part -> {
                    w.accept(part);
                    if (part.hasManifest()) {
                      progress.total(totalBytes(part.getManifest()));
                    }
                    progress.at(w.fileBytes());
                  });
          w.finish();
          progress.done();
          BackupManifest m = w.manifest();
          long ms = (System.nanoTime() - t0) / 1_000_000;
          Out summary =
              describe(m)
                  .put("file", out.toString())
                  .put("bytes", w.size())
                  .put("source", source)
                  .put("millis", ms);
          if (root.json) {
            summary.print(root.out);
          } else {
            root.out.printf(
                "backup of %s at index %d (term %d): %d documents in %d collections, %s in %s,"
                    + " %d ms%n",
                m.getSourceId(),
                m.getIndex(),
                m.getTerm(),
                m.getDocuments(),
                m.getCollectionsCount(),
                Progress.mib(w.size()),
                out,
                ms);
          }
          return ExitCodes.OK;
        }
      } catch (AeroClientException e) {
        return root.fail(e);
      } catch (AeroException e) {
        return fail(root, e.error());
      } catch (IOException | java.io.UncheckedIOException e) {
        return fail(root, failed("cannot write " + out + ": " + e.getMessage(), "backup", out));
      }
    }

    /**
     * How long the node may send nothing: --timeout, at least 10 minutes by default (before the
     * manifest it reads its whole store once).
     */
    private static Duration idle(AeroCli root) {
      return root.timeout == null ? Duration.ofMinutes(10) : root.timeout();
    }

    /** The serving follower that applied the most; the leader only when no follower serves. */
    private static String chooseSource(AeroCli root, AeroClient c) {
      Duration perNode = Duration.ofMillis(Math.min(3000, root.timeout().toMillis()));
      String leader = null;
      String best = null;
      long bestApplied = -1;
      for (String address : ClusterCommands.members(root, c, perNode).values()) {
        NodeStatusReply s;
        try {
          s = c.admin().nodeStatus(address, perNode);
        } catch (AeroClientException e) {
          continue;
        }
        if (s.getRole().equals("LEADER")) {
          leader = address;
        } else if (s.getRole().equals("FOLLOWER")
            && s.getServing()
            && s.getAppliedIndex() > bestApplied) {
          best = address;
          bestApplied = s.getAppliedIndex();
        }
      }
      if (best != null) {
        return best;
      }
      if (leader != null) {
        return leader;
      }
      throw new AeroException(
          AeroError.of(
              io.aerodb.core.error.ErrorCode.AERO_BACKUP_FAILED,
              "no member answered its status; name one with --node"));
    }
  }

  @Command(
      name = "verify",
      description =
          "OFFLINE: check a backup file: its structure, every block's and file's checksum, and the"
              + " store it makes (applied index, term, state digest, content digest, counts).")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "The backup file.")
    Path file;

    @Option(
        names = "--work-dir",
        description =
            "Where to unpack it while checking (needs the backup's size free); default: next to"
                + " the file.")
    Path workDir;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      long t0 = System.nanoTime();
      try {
        Progress progress = new Progress(root, "verify");
        progress.total(java.nio.file.Files.size(file));
        Path work = workDir != null ? workDir : file.toAbsolutePath().getParent();
        BackupReader.Verified v = BackupReader.verify(file, work, progress::at);
        progress.done();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Out summary =
            describe(v.manifest())
                .put("ok", true)
                .put("file", file.toString())
                .put("bytes", v.bytes())
                .put("millis", ms);
        if (root.json) {
          summary.print(root.out);
        } else {
          root.out.printf(
              "OK: %s is a complete backup of %s at index %d (term %d), %d documents; every"
                  + " checksum and the content digest match (%d ms)%n",
              file,
              v.manifest().getClusterName(),
              v.manifest().getIndex(),
              v.manifest().getTerm(),
              v.manifest().getDocuments(),
              ms);
        }
        return ExitCodes.OK;
      } catch (AeroException e) {
        return fail(root, e.error());
      } catch (IOException | RuntimeException e) {
        return fail(
            root,
            failed(
                "cannot verify " + file + " (nothing says it is damaged): " + e, "backup", file));
      }
    }
  }

  @Command(
      name = "restore",
      description =
          "OFFLINE: restore a backup into a new, empty node data directory, all or nothing. Start"
              + " every node of a new cluster from the same backup, or start one restored node as a"
              + " one-voter cluster and add the others (they install its store). The members come"
              + " from the config each node starts with.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "The backup file.")
    Path file;

    @Option(
        names = "--data-dir",
        required = true,
        description = "The node's data directory (absent or empty).")
    Path dataDir;

    @Option(names = "--node-id", required = true, description = "The node's id.")
    String nodeId;

    @Option(
        names = "--cluster-name",
        description = "The new cluster's name (its Raft group); default: the backup's.")
    String clusterName;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      long t0 = System.nanoTime();
      try {
        Progress progress = new Progress(root, "restore");
        progress.total(java.nio.file.Files.size(file));
        BackupReader.Verified v =
            Restorer.restore(file, dataDir, nodeId, clusterName, progress::at);
        progress.done();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Out summary =
            describe(v.manifest())
                .put("restored", true)
                .put("dataDir", dataDir.toString())
                .put("nodeId", nodeId)
                .put("millis", ms);
        if (root.json) {
          summary.print(root.out);
        } else {
          root.out.printf(
              "restored %s: %d documents at index %d (term %d) into %s as %s (%d ms); its log"
                  + " continues at index %d%n",
              file,
              v.manifest().getDocuments(),
              v.manifest().getIndex(),
              v.manifest().getTerm(),
              dataDir,
              nodeId,
              ms,
              v.manifest().getIndex() + 1);
        }
        return ExitCodes.OK;
      } catch (AeroException e) {
        return fail(root, e.error());
      } catch (IOException | RuntimeException e) {
        return fail(
            root,
            failed(
                "restore into " + dataDir + " failed and left it as it was: " + e,
                "dataDir",
                dataDir));
      }
    }
  }

  @Command(
      name = "verify",
      description =
          "OFFLINE: check a stopped node's data directory: every stored document against its"
              + " schema version, every index entry against the documents and back, the Raft log's"
              + " checksums, and the store against the log. Exit 0 when nothing is wrong, 1 with a"
              + " report naming each problem.")
  static final class VerifyDataDir implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--data-dir",
        required = true,
        description = "The stopped node's data directory.")
    Path dataDir;

    @Option(
        names = "--problems-max",
        defaultValue = "100",
        description = "Problems listed at most (all are counted; default ${DEFAULT-VALUE}).")
    int problemsMax;

    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      long t0 = System.nanoTime();
      try {
        DataDirectoryVerifier.Report r = DataDirectoryVerifier.verify(dataDir, problemsMax);
        List<Out> problems = new ArrayList<>();
        for (StoreAudit.Problem p : r.problems()) {
          problems.add(
              Out.object().put("kind", p.kind()).put("key", p.keyHex()).put("detail", p.detail()));
        }
        Out report =
            Out.object()
                .put("ok", r.ok())
                .put("dataDir", dataDir.toString())
                .put("appliedIndex", r.applied().index())
                .put("appliedTerm", r.applied().term())
                .put("versions", r.store().versions())
                .put("documents", r.store().documents())
                .put("indexEntries", r.store().indexEntries())
                .put("problemCount", r.problemCount())
                .putList("problems", problems)
                .put("millis", (System.nanoTime() - t0) / 1_000_000);
        if (r.log() != null) {
          report.put(
              "log",
              Out.object()
                  .put("firstIndex", r.log().firstIndex())
                  .put("lastIndex", r.log().lastIndex())
                  .put("segments", r.log().segments()));
        }
        if (root.json) {
          report.print(root.out);
        } else {
          root.out.printf(
              "%s: applied index %d (term %d), %d versions, %d documents, %d index entries: %s%n",
              dataDir,
              r.applied().index(),
              r.applied().term(),
              r.store().versions(),
              r.store().documents(),
              r.store().indexEntries(),
              r.ok() ? "OK" : r.problemCount() + " problem(s)");
          for (StoreAudit.Problem p : r.problems()) {
            root.out.printf("  %s %s %s%n", p.kind(), p.detail(), p.keyHex());
          }
        }
        return r.ok() ? ExitCodes.OK : ExitCodes.REJECTED;
      } catch (AeroException e) {
        return fail(root, e.error());
      } catch (IOException e) {
        return fail(
            root,
            AeroError.of(
                io.aerodb.core.error.ErrorCode.AERO_STORAGE_IO,
                "cannot read " + dataDir + ": " + e.getMessage(),
                "dataDir",
                dataDir.toString()));
      }
    }
  }

  private static AeroError failed(String message, String key, Path path) {
    return AeroError.of(
        io.aerodb.core.error.ErrorCode.AERO_BACKUP_FAILED, message, key, path.toString());
  }

  private static long totalBytes(BackupManifest m) {
    return m.getFilesList().stream().mapToLong(f -> f.getSize()).sum();
  }

  /** The manifest's facts, for every summary. */
  private static Out describe(BackupManifest m) {
    List<Out> collections = new ArrayList<>();
    for (BackupCollection c : m.getCollectionsList()) {
      collections.add(
          Out.object()
              .put("name", c.getName())
              .put("documents", c.getDocuments())
              .put("schemaVersions", c.getSchemasCount()));
    }
    return Out.object()
        .put("format", m.getFormat())
        .put("clusterName", m.getClusterName())
        .put("sourceId", m.getSourceId())
        .put("term", m.getTerm())
        .put("index", m.getIndex())
        .put("stateDigest", Bytes.hex(m.getStateDigest().toByteArray()))
        .put("contentDigest", Bytes.hex(m.getContentDigest().toByteArray()))
        .put("documents", m.getDocuments())
        .put("keys", m.getKeys())
        .put("files", m.getFilesCount())
        .putList("collections", collections);
  }

  private static int fail(AeroCli root, AeroError err) {
    if (root.json) {
      Out.error(err).print(root.out);
    } else {
      root.err.println("error " + err.code().name() + ": " + err.message());
      err.details().forEach((k, v) -> root.err.println("  " + k + ": " + v));
    }
    return ExitCodes.forSeverity(err.code().name(), err.severity().name());
  }
}
