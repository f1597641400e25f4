package io.aerodb.bench.jmh;

import io.aerodb.bench.BenchDocs;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Write;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.core.store.WriteBatch;
import io.aerodb.ratis.LogEntryCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state machine's apply path without a cluster: what {@code AeroStateMachine.applyTransaction}
 * does for one insert entry — {@link LogEntryCodec#decode} of the logged bytes, then {@link
 * Engine#apply}: apply-time schema validation, existence check, idempotency lookup and record,
 * state digest, and ONE store write batch (RocksDB in a temp dir, WAL on, no fsync — as on a node).
 * Also the leader-side {@link Engine#prepare} (parse, validate, canonicalize, existence +
 * idempotency checks) that the node's gateway runs once per write before proposing it.
 *
 * <p>Every call inserts a new 1 KiB document (unique {@code _id} and request_id, patched in place
 * into a template entry so the benchmark measures AeroDB, not string building). {@code
 * store=memory} runs the same code on the in-memory store, so the difference is RocksDB's share.
 *
 * <p>Run: {@code scripts/jmh.sh ApplyPath}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ApplyPathBenchmark {
  private static final String COLLECTION = "bench";
  private static final String GROUP_COLLECTION = "indexed";
  private static final int ID_DIGITS = 12;

  private Path dir;
  private KvStore kv;
  private Engine engine;
  private byte[] entry;
  private int idOffset;
  private int requestIdOffset;
  private byte[] rawDocument;
  private int rawIdOffset;
  private long seq;
  private long index;
  private byte[] group;
  private int[] groupIdOffsets;
  private int[] groupRequestIdOffsets;
  private int[] groupDocumentOffsets;
  private int[] groupChecksumOffsets;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("aerodb-jmh-apply");
    kv = RocksKvStore.open(dir);
    engine = Engine.open(kv);
    index = 1;
    CommandResult created =
        engine.apply(
            1,
            index,
            new byte[0],
            new CreateCollection(COLLECTION, BenchDocs.utf8(BenchDocs.SCHEMA)));
    if (created.rejection() != null) {
      throw new IllegalStateException("create collection: " + created.rejection());
    }
    String id = "doc-" + "0".repeat(ID_DIGITS);
    byte[] doc = BenchDocs.utf8(new BenchDocs(1024).document(id, 7));
    byte[] requestId = "REQ-ID-0!".getBytes(StandardCharsets.US_ASCII);
    requestId = java.util.Arrays.copyOf(requestId, 16);
    entry =
        LogEntryCodec.encode(new Entry.Single(new Write(requestId, new Insert(COLLECTION, doc))));
    idOffset = indexOf(entry, BenchDocs.utf8(id)) + 4;
    requestIdOffset = indexOf(entry, requestId);
    rawDocument = doc;
    rawIdOffset = indexOf(rawDocument, BenchDocs.utf8(id)) + 4;
    setUpGroup();
  }

  /**
   * The template of a group-commit entry of {@link #GROUP} inserts into an indexed collection, as
   * the leader proposes at 64 clients: write k is client k's next document ({@code
   * "c<k>-<digits>"}), each with its own scattered request_id.
   */
  private void setUpGroup() {
    for (Command c :
        List.of(
            new CreateCollection(GROUP_COLLECTION, BenchDocs.utf8(BenchDocs.SCHEMA)),
            new CreateIndex(GROUP_COLLECTION, BenchDocs.INDEX_FIELD))) {
      CommandResult r = engine.apply(1, ++index, new byte[0], c);
      if (r.rejection() != null) {
        throw new IllegalStateException(c.commandName() + ": " + r.rejection());
      }
    }
    BenchDocs docs = new BenchDocs(DOCUMENT_BYTES);
    List<LogEntryCodec.EncodedWrite> writes = new ArrayList<>();
    List<byte[]> ids = new ArrayList<>();
    List<byte[]> requestIds = new ArrayList<>();
    List<byte[]> documents = new ArrayList<>();
    for (int k = 0; k < GROUP; k++) {
      String id = String.format("c%02d-%s", k, "0".repeat(ID_DIGITS));
      byte[] requestId = String.format("GROUP-REQ-%02d-!!!", k).getBytes(StandardCharsets.US_ASCII);
      ids.add(BenchDocs.utf8(id));
      requestIds.add(requestId);
      documents.add(BenchDocs.utf8(docs.document(id, k)));
      Insert insert = new Insert(GROUP_COLLECTION, documents.get(k), 1);
      writes.add(LogEntryCodec.encodeWrite(new Write(requestId, insert)));
    }
    group = LogEntryCodec.encodeGroup(writes);
    groupIdOffsets = new int[GROUP];
    groupRequestIdOffsets = new int[GROUP];
    groupDocumentOffsets = new int[GROUP];
    groupChecksumOffsets = new int[GROUP];
    for (int k = 0; k < GROUP; k++) {
      // PutDocument: document_json, schema_version 1 (0x18 0x01), document_crc32c (0x2D + 4 bytes)
      groupDocumentOffsets[k] = indexOf(group, documents.get(k));
      int crcTag = groupDocumentOffsets[k] + DOCUMENT_BYTES + 2;
      if (group[crcTag - 2] != 0x18 || group[crcTag - 1] != 0x01 || group[crcTag] != 0x2D) {
        throw new IllegalStateException("the template's PutDocument layout changed");
      }
      groupChecksumOffsets[k] = crcTag + 1;
      groupIdOffsets[k] = indexOf(group, ids.get(k)) + 4;
      groupRequestIdOffsets[k] = indexOf(group, requestIds.get(k));
    }
    patchGroup(0);
    for (Write w : LogEntryCodec.decode(group).writes()) {
      if (((Insert) w.command()).schemaVersion() != 1) {
        throw new IllegalStateException("a patched write lost its schema version: " + w);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    engine.close();
    if (dir != null) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * decode + Engine.apply (validate + one store batch) of a new 1 KiB document, in an entry that
   * names no schema version (as a retry's): apply validates it in full.
   */
  @Benchmark
  public CommandResult decodeAndApply() {
    long s = ++seq;
    writeDigits(entry, idOffset, s);
    // Clients draw request_ids at random: scattered keys, as in the cluster (each new id is absent,
    // and its lookup walks the memtable's skip list to a cold place).
    writeLong(entry, requestIdOffset + 8, scramble(s));
    Entry d = LogEntryCodec.decode(entry);
    CommandResult r = engine.apply(1, ++index, d).results().get(0);
    if (r.rejection() != null) {
      throw new IllegalStateException("rejected: " + r.rejection());
    }
    return r;
  }

  private static final int DOCUMENT_BYTES = 1024;

  /** Writes per entry in {@link #decodeAndApplyGroup}. */
  static final int GROUP = 16;

  /**
   * decode + Engine.apply of a group-commit entry of {@link #GROUP} new 1 KiB documents into a
   * collection with one secondary index, as the leader proposes them (validated against the version
   * in force, with their checksums; per write: parse, idempotency lookup and record, head lookup,
   * version, head, index entry, change-feed key; per entry: the applied record, the digest and ONE
   * store batch). Reported per write.
   */
  @Benchmark
  @OperationsPerInvocation(GROUP)
  public CommandResult decodeAndApplyGroup() {
    patchGroup(++seq);
    List<CommandResult> results = engine.apply(1, ++index, LogEntryCodec.decode(group)).results();
    CommandResult last = results.get(GROUP - 1);
    for (CommandResult r : results) {
      if (r.rejection() != null) {
        throw new IllegalStateException("rejected: " + r.rejection());
      }
    }
    return last;
  }

  /** Gives every write of the group template the ids of sequence {@code s}, checksum included. */
  private void patchGroup(long s) {
    for (int k = 0; k < GROUP; k++) {
      writeDigits(group, groupIdOffsets[k], s);
      writeLong(group, groupRequestIdOffsets[k] + 8, scramble(s * GROUP + k));
      // the leader's checksum of what it validated: apply believes the entry's schema version only
      // for a matching entry
      int from = groupDocumentOffsets[k];
      int v =
          LogEntryCodec.validatedChecksum(
              GROUP_COLLECTION, 1, Arrays.copyOfRange(group, from, from + DOCUMENT_BYTES));
      for (int i = 0; i < 4; i++) {
        group[groupChecksumOffsets[k] + i] = (byte) (v >>> (8 * i));
      }
    }
  }

  /** The leader's work before proposing a new document: Engine.prepare + encode the entry. */
  @Benchmark
  public byte[] prepareAndEncode() {
    long s = ++seq;
    writeDigits(rawDocument, rawIdOffset, s);
    byte[] requestId = new byte[16];
    writeLong(requestId, 8, s);
    Command c = engine.prepare(requestId, new Insert(COLLECTION, rawDocument)).command();
    return LogEntryCodec.encode(new Entry.Single(new Write(requestId, c)));
  }

  /** RocksDB's share: one write batch shaped like an insert's (about 1.3 KB, 4 puts). */
  @Benchmark
  public long storeWriteOnly() {
    long s = ++seq;
    byte[] k = new byte[40];
    writeLong(k, 32, s);
    WriteBatch b = new WriteBatch();
    k[0] = 'd';
    b.put(k.clone(), rawDocument);
    k[0] = 'i';
    b.put(k.clone(), new byte[140]);
    k[0] = 'x';
    b.put(k.clone(), new byte[16]);
    b.put("meta/applied".getBytes(StandardCharsets.US_ASCII), new byte[48]);
    kv.write(b);
    return s;
  }

  /** SplitMix64's finalizer: a fixed bijection that scatters consecutive numbers. */
  private static long scramble(long v) {
    long z = v + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void writeDigits(byte[] b, int at, long v) {
    for (int i = ID_DIGITS - 1; i >= 0; i--) {
      b[at + i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
  }

  private static void writeLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("template field not found");
  }
}
