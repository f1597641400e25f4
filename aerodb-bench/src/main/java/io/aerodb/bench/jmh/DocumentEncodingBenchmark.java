package io.aerodb.bench.jmh;

import io.aerodb.bench.BenchDocs;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Write;
import io.aerodb.core.document.Document;
import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.core.schema.Schema;
import io.aerodb.core.schema.SchemaParser;
import io.aerodb.ratis.LogEntryCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Document encoding on its own: the strict parser ({@link JsonReader#parse}), the canonical writer
 * ({@link CanonicalJson#toBytes}), both with schema validation ({@link Document#admit}, what
 * prepare and apply each do once per insert), and the log-entry codec, for the benchmark's 1 KiB
 * document.
 *
 * <p>Run: {@code scripts/jmh.sh DocumentEncoding}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DocumentEncodingBenchmark {
  private byte[] json;
  private JsonValue parsed;
  private Schema schema;
  private byte[] requestId;
  private byte[] entry;

  @Setup
  public void setUp() {
    json = BenchDocs.utf8(new BenchDocs(1024).document("doc-000000000042", 42));
    parsed = JsonReader.parse(json, Limits.DOCUMENT_JSON);
    schema = SchemaParser.parse(BenchDocs.utf8(BenchDocs.SCHEMA));
    requestId = new byte[16];
    entry = LogEntryCodec.encode(new Entry.Single(new Write(requestId, new Insert("bench", json))));
  }

  @Benchmark
  public JsonValue parse() {
    return JsonReader.parse(json, Limits.DOCUMENT_JSON);
  }

  @Benchmark
  public byte[] canonical() {
    return CanonicalJson.toBytes(parsed);
  }

  @Benchmark
  public byte[] parseAndCanonical() {
    return CanonicalJson.toBytes(JsonReader.parse(json, Limits.DOCUMENT_JSON));
  }

  /** Parse + schema validation + _id checks + canonical form. */
  @Benchmark
  public Document admit() {
    return Document.admit(json, schema, "bench", 1);
  }

  /**
   * What apply does instead of {@link #admit} for a document the leader validated against the
   * schema version still in force: parse, take the _id, keep the bytes.
   */
  @Benchmark
  public Object admittedByLeader() {
    return Document.admittedByLeader(json);
  }

  @Benchmark
  public byte[] logEntryEncode() {
    return LogEntryCodec.encode(new Entry.Single(new Write(requestId, new Insert("bench", json))));
  }

  @Benchmark
  public Entry logEntryDecode() {
    return LogEntryCodec.decode(entry);
  }
}
