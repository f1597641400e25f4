package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.BatchBuilder;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.util.Bytes;
import io.aerodb.proto.v1.BatchReply;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.QueryHit;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** import and export: JSON Lines in and out, in atomic batches and at one read view. */
final class BulkCommands {
  private BulkCommands() {}

  /** Raw bytes of documents per import batch, well below requestBytesMax and batchBytesMax. */
  static final int IMPORT_BATCH_BYTES_MAX = 1024 * 1024;

  /** Errors an import summary lists (all are counted). */
  static final int ERRORS_LISTED_MAX = 10;

  @Command(
      name = "import",
      description =
          "Insert the documents of a JSON Lines file (one document per line) in atomic batches"
              + " (--batch documents per log entry). A line the server refuses is left out of its"
              + " batch and reported with its line number; a document whose _id exists is skipped."
              + " Resumable: after a crash of this command, --resume goes on after the last batch"
              + " that committed (state in FILE.aerodb-import), never inserting a line twice.")
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1", paramLabel = "FILE")
    Path file;

    @Option(
        names = "--batch",
        paramLabel = "N",
        description = "Documents per batch (1 to 1000, default 500).")
    int batch = 500;

    @Option(
        names = "--resume",
        description = "Go on from the state an interrupted import of this file left.")
    boolean resume;

    @Override
    public Integer call() throws IOException {
      AeroCli root = AeroCli.root(spec);
      if (batch < 1 || batch > Limits.BATCH_OPERATIONS_MAX) {
        root.err.println(
            "--batch takes 1 to " + Limits.BATCH_OPERATIONS_MAX + " (batchOperationsMax)");
        return ExitCodes.USAGE;
      }
      if (!Files.isRegularFile(file)) {
        root.err.println("no such file: " + file);
        return ExitCodes.USAGE;
      }
      Path statePath = file.resolveSibling(file.getFileName() + ".aerodb-import");
      String fileId = fileId(file, collection);
      ImportState state;
      try {
        state = ImportState.start(statePath, collection, fileId, resume);
      } catch (IllegalArgumentException e) {
        root.err.println(e.getMessage());
        return ExitCodes.USAGE;
      }
      if (resume && state.batch != batch) {
        root.err.println("--resume goes on with the interrupted import's --batch " + state.batch);
        batch = (int) state.batch;
      }
      state.batch = batch;
      Progress progress = new Progress(root, "import " + file.getFileName());
      progress.total(Files.size(file));
      try (AeroClient c = root.client();
          InputStream in = Files.newInputStream(file);
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
        long lineNo = 0;
        long bytesRead = 0;
        Unsent local = new Unsent(); // lines since the last committed batch that are not sent
        List<Line> pending = new ArrayList<>();
        int pendingBytes = 0;
        for (String text = reader.readLine(); ; text = reader.readLine()) {
          if (text != null) {
            lineNo++;
            bytesRead += text.getBytes(StandardCharsets.UTF_8).length + 1;
            if (lineNo <= state.lastCommittedLine) {
              continue; // committed before the resume
            }
            int size = text.getBytes(StandardCharsets.UTF_8).length;
            if (!pending.isEmpty()
                && (pending.size() >= batch || pendingBytes + size > IMPORT_BATCH_BYTES_MAX)) {
              // before the line that would overflow: everything read up to it is accounted for
              flush(c, state, statePath, fileId, pending, lineNo - 1, local);
              pendingBytes = 0;
            }
            if (text.isBlank()) {
              local.blank++;
            } else if (size > Limits.DOCUMENT_BYTES_MAX) {
              local.tooLarge.put( // never sent: no request could carry it
                  lineNo,
                  "AERO_LIMIT_DOCUMENT_SIZE: a line of "
                      + size
                      + " bytes exceeds documentBytesMax="
                      + Limits.DOCUMENT_BYTES_MAX);
            } else {
              pending.add(new Line(lineNo, text));
              pendingBytes += size;
            }
          }
          if (text == null && !pending.isEmpty()) {
            flush(c, state, statePath, fileId, pending, lineNo, local);
          }
          progress.at(bytesRead);
          if (text == null) {
            break;
          }
        }
        local.addTo(state);
        state.lastCommittedLine = lineNo;
        progress.done();
        state.complete = true;
        state.save(statePath);
        summary(root, state);
        Files.deleteIfExists(statePath);
        return state.rejected > 0 ? ExitCodes.REJECTED : ExitCodes.OK;
      } catch (AeroClientException e) {
        progress.done();
        root.err.println(
            "import stopped after line "
                + state.lastCommittedLine
                + " (the last committed batch); run it again with --resume");
        return root.fail(e);
      }
    }

    private record Line(long no, String text) {}

    /**
     * Blank lines and lines too large to send since the last committed batch: added to the state
     * with the next batch, so that a resume (which reads them again) counts them once.
     */
    private static final class Unsent {
      long blank;
      final TreeMap<Long, String> tooLarge = new TreeMap<>();

      void addTo(ImportState state) {
        state.blank += blank;
        state.rejected += tooLarge.size();
        tooLarge.forEach(state::noteError);
        blank = 0;
        tooLarge.clear();
      }
    }

    /** Commits the pending lines as one batch and records every line up to {@code upTo} as done. */
    private void flush(
        AeroClient c,
        ImportState state,
        Path statePath,
        String fileId,
        List<Line> pending,
        long upTo,
        Unsent local)
        throws IOException {
      commit(c, state, statePath, fileId, pending);
      local.addTo(state);
      state.lastCommittedLine = upTo;
      state.save(statePath);
      pending.clear();
    }

    /**
     * Commits {@code lines} as one batch, leaving out each line the server refuses (named by the
     * batch's operationIndex) and trying the rest again. Write-ahead: the state file names each try
     * (first line, try number, lines left out) before it is sent, and each try has its own request
     * id, a function of the file, the first line and the try; so a resumed import sends exactly the
     * try that was in flight, and one the cluster applied is answered with its original result
     * instead of being applied twice.
     */
    private void commit(
        AeroClient c, ImportState state, Path statePath, String fileId, List<Line> lines)
        throws IOException {
      long first = lines.get(0).no;
      if (state.pendingFirstLine != first) {
        state.pendingFirstLine = first;
        state.attempt = 0;
        state.removed.clear();
      }
      List<Line> left = new ArrayList<>();
      for (Line l : lines) {
        if (!state.removed.contains(l.no)) {
          left.add(l);
        }
      }
      while (!left.isEmpty()) {
        state.save(statePath);
        BatchBuilder b = c.batch().requestId(requestId(fileId, state.runId, first, state.attempt));
        for (Line l : left) {
          b.insert(collection, l.text);
        }
        try {
          BatchReply r = b.commit();
          state.inserted += left.size();
          state.lastIndex = r.getCommitIndex();
          break;
        } catch (AeroClientException e) {
          String at = e.details().get("operationIndex");
          if (at == null || !aboutOneDocument(e.code())) {
            throw e; // not about one line (the collection, a limit, the cluster): stop, resumable
          }
          Line bad = left.remove(Integer.parseInt(at));
          state.removed.add(bad.no);
          state.attempt++;
          if (e.code().equals("AERO_DOCUMENT_EXISTS")
              || e.code().equals("AERO_TXN_DOCUMENT_REPEATED")) {
            state.skipped++;
          } else {
            state.rejected++;
          }
          state.noteError(bad.no, e.code() + ": " + e.detailMessage());
          if (e.code().equals("AERO_DOCUMENT_EXISTS")) {
            // one present document often means many (an import run again): leave out every
            // line of the batch whose _id exists, found with one query, not one try per line
            for (Line l : present(c, left)) {
              left.remove(l);
              state.removed.add(l.no);
              state.skipped++;
              state.noteError(l.no, "AERO_DOCUMENT_EXISTS: _id already present");
            }
          }
        }
      }
      state.pendingFirstLine = 0;
      state.removed.clear();
    }

    /**
     * The request id of a try: the import (file and collection), this run of it (a new import of
     * the same file is a new run: its writes must not be answered by an earlier run's records), the
     * batch's first line and the try. At most 45 bytes.
     */
    private static String requestId(String fileId, String runId, long firstLine, long attempt) {
      return "imp:" + fileId + ":" + runId + ":" + firstLine + ":" + attempt;
    }

    /** The lines whose _id exists in the collection now (one linearizable query). */
    private List<Line> present(AeroClient c, List<Line> lines) {
      TreeMap<String, List<Line>> byId = new TreeMap<>();
      for (Line l : lines) {
        try {
          if (JsonReader.parse(l.text.getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON)
                  instanceof JsonValue.Obj o
              && o.get("_id") instanceof JsonValue.Str id) {
            byId.computeIfAbsent(id.value(), k -> new ArrayList<>()).add(l);
          }
        } catch (RuntimeException unparsable) {
          // the server names what is wrong with it when its turn comes
        }
      }
      if (byId.isEmpty()) {
        return List.of();
      }
      List<JsonValue> ids = new ArrayList<>();
      byId.keySet().forEach(id -> ids.add(new JsonValue.Str(id)));
      TreeMap<String, JsonValue> in = new TreeMap<>(JsonValue.KEY_ORDER);
      in.put("in", new JsonValue.Arr(ids));
      TreeMap<String, JsonValue> filter = new TreeMap<>(JsonValue.KEY_ORDER);
      filter.put("_id", new JsonValue.Obj(in));
      QueryReply r =
          c.query(
              QueryRequest.newBuilder()
                  .setCollection(collection)
                  .setFilterJson(
                      new String(
                          CanonicalJson.toBytes(new JsonValue.Obj(filter)), StandardCharsets.UTF_8))
                  .setLimit(ids.size())
                  .setConsistency(Consistency.LINEARIZABLE)
                  .build());
      List<Line> out = new ArrayList<>();
      for (QueryHit h : r.getResultsList()) {
        out.addAll(byId.getOrDefault(h.getId(), List.of()));
      }
      return out;
    }

    /** Whether a batch operation's error is about its own document (the line is left out). */
    private static boolean aboutOneDocument(String code) {
      return code.startsWith("AERO_DOCUMENT_")
          || code.startsWith("AERO_VALIDATION_")
          || code.equals("AERO_TXN_DOCUMENT_REPEATED")
          || code.equals("AERO_LIMIT_DOCUMENT_SIZE")
          || code.equals("AERO_LIMIT_NESTING_DEPTH")
          || code.equals("AERO_LIMIT_ARRAY_LENGTH")
          || code.equals("AERO_LIMIT_ID_SIZE");
    }

    private void summary(AeroCli root, ImportState s) {
      if (root.json) {
        Out errors = Out.object();
        s.errors.forEach((line, e) -> errors.put(Long.toString(line), e));
        Out.object()
            .put("collection", collection)
            .put("file", file.toString())
            .put("inserted", s.inserted)
            .put("rejected", s.rejected)
            .put("skipped", s.skipped)
            .put("blankLines", s.blank)
            .put("lines", s.lastCommittedLine)
            .put("lastCommitIndex", s.lastIndex)
            .put("firstErrors", errors)
            .print(root.out);
        return;
      }
      root.out.println(
          "imported "
              + file.getFileName()
              + " into "
              + collection
              + ": "
              + s.inserted
              + " inserted, "
              + s.rejected
              + " rejected, "
              + s.skipped
              + " skipped (_id already present), "
              + s.blank
              + " blank lines; last commit index "
              + s.lastIndex);
      s.errors.forEach((line, e) -> root.out.println("  line " + line + ": " + e));
      if (s.rejected + s.skipped > s.errors.size()) {
        root.out.println("  (" + (s.rejected + s.skipped - s.errors.size()) + " more not listed)");
      }
    }
  }

  /**
   * The import's progress, saved after every committed batch (written whole to a temporary file,
   * then renamed over the old one): where to resume and the counts so far.
   */
  static final class ImportState {
    String collection;
    String fileId;
    String runId;
    long lastCommittedLine;
    long inserted;
    long rejected;
    long skipped;
    long blank;
    long lastIndex;
    long batch;
    boolean complete;

    /** The batch in flight (its first line, 0: none), its try, and the lines it left out. */
    long pendingFirstLine;

    long attempt;
    final java.util.TreeSet<Long> removed = new java.util.TreeSet<>();
    final TreeMap<Long, String> errors = new TreeMap<>();

    static ImportState start(Path path, String collection, String fileId, boolean resume)
        throws IOException {
      if (!resume) {
        if (Files.exists(path)) {
          throw new IllegalArgumentException(
              path
                  + " exists: an import of this file was interrupted; add --resume to go on, or"
                  + " delete it to start over");
        }
        ImportState s = new ImportState();
        s.collection = collection;
        s.fileId = fileId;
        byte[] run = new byte[4];
        new java.security.SecureRandom().nextBytes(run);
        s.runId = Bytes.hex(run);
        return s;
      }
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("--resume: no interrupted import here (" + path + ")");
      }
      JsonValue.Obj o =
          (JsonValue.Obj)
              JsonReader.parse(
                  Files.readAllBytes(path),
                  new JsonLimits(1 << 22, 8, Limits.BATCH_OPERATIONS_MAX + 16));
      ImportState s = new ImportState();
      s.collection = str(o, "collection");
      s.fileId = str(o, "fileId");
      s.runId = str(o, "runId");
      if (!s.collection.equals(collection) || !s.fileId.equals(fileId)) {
        throw new IllegalArgumentException(
            "--resume: "
                + path
                + " is an import of another file or collection ("
                + s.collection
                + "); the file must not change between runs");
      }
      s.lastCommittedLine = num(o, "lastCommittedLine");
      s.inserted = num(o, "inserted");
      s.rejected = num(o, "rejected");
      s.skipped = num(o, "skipped");
      s.blank = num(o, "blankLines");
      s.lastIndex = num(o, "lastCommitIndex");
      s.batch = num(o, "batch");
      s.pendingFirstLine = num(o, "pendingFirstLine");
      s.attempt = num(o, "attempt");
      for (JsonValue v : ((JsonValue.Arr) o.get("removed")).elements()) {
        s.removed.add(((JsonValue.Int) v).value());
      }
      ((JsonValue.Obj) o.get("firstErrors"))
          .fields()
          .forEach((k, v) -> s.errors.put(Long.parseLong(k), ((JsonValue.Str) v).value()));
      return s;
    }

    void save(Path path) throws IOException {
      Out errs = Out.object();
      errors.forEach((line, e) -> errs.put(Long.toString(line), e));
      byte[] json =
          CanonicalJson.toBytes(
              Out.object()
                  .put("collection", collection)
                  .put("fileId", fileId)
                  .put("runId", runId)
                  .put("lastCommittedLine", lastCommittedLine)
                  .put("inserted", inserted)
                  .put("rejected", rejected)
                  .put("skipped", skipped)
                  .put("blankLines", blank)
                  .put("lastCommitIndex", lastIndex)
                  .put("complete", complete)
                  .put("batch", batch)
                  .put("pendingFirstLine", pendingFirstLine)
                  .put("attempt", attempt)
                  .put("removed", new JsonValue.Arr(removedJson()))
                  .put("firstErrors", errs)
                  .build());
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.write(tmp, json);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Keeps the first ERRORS_LISTED_MAX errors by line. */
    void noteError(long line, String error) {
      if (errors.size() < ERRORS_LISTED_MAX) {
        errors.put(line, error);
      }
    }

    private List<JsonValue> removedJson() {
      List<JsonValue> out = new ArrayList<>();
      removed.forEach(l -> out.add(new JsonValue.Int(l)));
      return out;
    }

    private static String str(JsonValue.Obj o, String k) {
      return ((JsonValue.Str) o.get(k)).value();
    }

    private static long num(JsonValue.Obj o, String k) {
      return ((JsonValue.Int) o.get(k)).value();
    }
  }

  /**
   * The import's identity for request ids and resumes: the SHA-256 of the collection's name and the
   * file's bytes (the same file imported into two collections is two imports).
   */
  static String fileId(Path file, String collection) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
    md.update(collection.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Bytes.hex(md.digest()).substring(0, 16);
  }

  @Command(
      name = "export",
      description =
          "Write every document of a collection as JSON Lines (canonical JSON, _id order), all read"
              + " at one commit index (--at-index, default: the latest), written to FILE.partial and"
              + " renamed when complete.")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Option(
        names = "--at-index",
        paramLabel = "V",
        description = "The commit index to read at (above the GC floor; default: the latest).")
    Long atIndex;

    /** Documents per page (the server's queryLimitMax default). */
    static final int PAGE = 1_000;

    @Override
    public Integer call() throws IOException {
      AeroCli root = AeroCli.root(spec);
      if (Files.exists(out)) {
        root.err.println(out + " exists; export never replaces a file");
        return ExitCodes.USAGE;
      }
      Path partial = out.resolveSibling(out.getFileName() + ".partial");
      Progress progress = new Progress(root, "export " + collection);
      long documents = 0;
      long bytes = 0;
      long view;
      try (AeroClient c = root.client();
          OutputStream file =
              Files.newOutputStream(
                  partial,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE);
          Writer w =
              new java.io.BufferedWriter(
                  new java.io.OutputStreamWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
        view = atIndex != null ? atIndex : latest(c);
        String after = null;
        while (true) {
          QueryReply page = c.query(page(after, view));
          for (QueryHit h : page.getResultsList()) {
            w.write(h.getDocumentJson());
            w.write('\n');
            bytes += h.getDocumentJson().length() + 1;
            documents++;
            after = h.getId();
          }
          progress.at(bytes);
          if (page.getResultsCount() < PAGE) {
            break;
          }
        }
        w.flush();
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      } catch (AeroClientException e) {
        progress.done();
        Files.deleteIfExists(partial);
        return root.fail(e);
      }
      progress.done();
      Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
      if (root.json) {
        Out.object()
            .put("collection", collection)
            .put("file", out.toString())
            .put("documents", documents)
            .put("bytes", bytes)
            .put("atIndex", view)
            .print(root.out);
      } else {
        root.out.println(
            "exported "
                + documents
                + " documents of "
                + collection
                + " at commit index "
                + view
                + " to "
                + out
                + " ("
                + Progress.mib(bytes)
                + ")");
      }
      return ExitCodes.OK;
    }

    /** The latest committed index (a linearizable read's view). */
    private long latest(AeroClient c) {
      return c.query(
              QueryRequest.newBuilder()
                  .setCollection(collection)
                  .setFilterJson("{\"_id\":{\"gte\":\"\"}}")
                  .setLimit(1)
                  .setConsistency(Consistency.LINEARIZABLE)
                  .build())
          .getReceipt()
          .getIndex();
    }

    private QueryRequest page(String after, long view) {
      String filter =
          after == null
              ? "{\"_id\":{\"gte\":\"\"}}"
              : "{\"_id\":{\"gt\":"
                  + new String(
                      CanonicalJson.toBytes(new JsonValue.Str(after)), StandardCharsets.UTF_8)
                  + "}}";
      return QueryRequest.newBuilder()
          .setCollection(collection)
          .setFilterJson(filter)
          .setLimit(PAGE)
          .setConsistency(Consistency.AT_INDEX)
          .setMinIndex(view)
          .build();
    }
  }
}
