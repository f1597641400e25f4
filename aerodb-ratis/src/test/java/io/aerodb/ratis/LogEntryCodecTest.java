package io.aerodb.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Undecodable;
import io.aerodb.core.command.Update;
import io.aerodb.core.command.Write;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.util.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The log-entry codec: every command type survives encode then decode with the same content (the
 * fingerprint covers it, plus the fields it leaves out); entries written by the code before the
 * reshape (git 0af2cec, bytes recorded here) decode to the same commands; bad bytes never throw but
 * become an {@link Undecodable} that apply rejects; results travel one per write, in order.
 */
class LogEntryCodecTest {
  private static final byte[] RID = "r1".getBytes(StandardCharsets.UTF_8);

  private static final List<Command> EVERY_TYPE =
      List.of(
          new CreateCollection("users", utf8("{\"fields\":{}}")),
          new Insert("users", utf8("{\"_id\":\"u1\"}"), 3),
          new Update("users", utf8("{\"_id\":\"u1\",\"a\":1}"), 4),
          new Delete("users", "u1"),
          new PublishSchema("users", utf8("{\"fields\":{\"x\":1}}")),
          new CreateIndex("users", "age"),
          new DropIndex("users", "address.city"),
          new RecordAuthority("epoch", new TreeMap<>(Map.of("leaderId", "n1", "cause", "x"))),
          new Insert("users", utf8("{\"_id\":\"u2\"}"), 3, Precondition.absent()),
          new Update("users", utf8("{\"_id\":\"u1\",\"a\":2}"), 4, Precondition.version(17)),
          new Delete("users", "u1", Precondition.version(Long.MAX_VALUE)),
          new io.aerodb.core.command.SetIdempotencyHorizon(5_000_000),
          new AtomicBatch(
              List.of(
                  new Insert("users", utf8("{\"_id\":\"u3\"}"), 3),
                  new Update("accounts", utf8("{\"_id\":\"a1\"}"), 1, Precondition.version(9)),
                  new Delete("users", "u4", Precondition.absent()))));

  @Test
  void aGuardIsPartOfTheFingerprintAndUnguardedFingerprintsAreUnchanged() {
    Command plain = new Update("users", utf8("{\"_id\":\"u1\"}"), 4);
    Command guarded = new Update("users", utf8("{\"_id\":\"u1\"}"), 4, Precondition.version(3));
    Command other = new Update("users", utf8("{\"_id\":\"u1\"}"), 4, Precondition.version(4));
    assertThat(Bytes.hex(plain.fingerprint()))
        .isNotEqualTo(Bytes.hex(guarded.fingerprint()))
        .isNotEqualTo(Bytes.hex(other.fingerprint()));
    assertThat(Bytes.hex(guarded.fingerprint())).isNotEqualTo(Bytes.hex(other.fingerprint()));
    // the unguarded layout is what every stored idempotency record holds: it must not move
    assertThat(plain.fingerprintName()).isEqualTo("update");
    assertThat(guarded.fingerprintName()).isEqualTo("update?expected=3");
  }

  @Test
  void malformedGuardsAndBatchOperationsBecomeUndecodable() {
    io.aerodb.proto.internal.v1.LogEntry zeroVersion =
        io.aerodb.proto.internal.v1.LogEntry.newBuilder()
            .setFormat(1)
            .setDelete(
                io.aerodb.proto.internal.v1.DeleteDocument.newBuilder()
                    .setCollection("users")
                    .setId("u1")
                    .setExpected(io.aerodb.proto.internal.v1.Precondition.newBuilder()))
            .build();
    assertThat(reason(LogEntryCodec.decode(zeroVersion.toByteArray())))
        .isEqualTo("a malformed precondition");
    io.aerodb.proto.internal.v1.LogEntry emptyOp =
        io.aerodb.proto.internal.v1.LogEntry.newBuilder()
            .setFormat(1)
            .setAtomicBatch(
                io.aerodb.proto.internal.v1.AtomicBatch.newBuilder()
                    .addOperations(io.aerodb.proto.internal.v1.BatchOperation.newBuilder()))
            .build();
    assertThat(reason(LogEntryCodec.decode(emptyOp.toByteArray())))
        .isEqualTo("a batch operation without a write");
  }

  @Test
  void everyCommandTypeSurvivesARoundTrip() {
    for (Command c : EVERY_TYPE) {
      Entry back = LogEntryCodec.decode(LogEntryCodec.encode(new Entry.Single(new Write(RID, c))));
      assertThat(back.isGroup()).isFalse();
      Write w = back.writes().get(0);
      assertThat(w.requestId()).isEqualTo(RID);
      assertSame(c, w.command());
    }
  }

  @Test
  void aGroupKeepsItsWritesInOrderEachWithItsRequestId() {
    List<Write> writes =
        List.of(
            new Write(utf8("a"), EVERY_TYPE.get(1)),
            new Write(Write.NO_REQUEST_ID, EVERY_TYPE.get(3)),
            new Write(utf8("c"), EVERY_TYPE.get(2)));
    Entry back = LogEntryCodec.decode(LogEntryCodec.encode(new Entry.Group(writes)));
    assertThat(back.isGroup()).isTrue();
    assertThat(back.writes()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(back.writes().get(i).requestId()).isEqualTo(writes.get(i).requestId());
      assertSame(writes.get(i).command(), back.writes().get(i).command());
    }
  }

  @Test
  void entriesOfThePreviousCodeDecodeToTheSameCommands() {
    Entry single = decodeHex("0801120272317a0c0a0575736572731203616765");
    assertThat(single.writes().get(0).requestId()).isEqualTo(RID);
    assertSame(new CreateIndex("users", "age"), single.writes().get(0).command());

    Entry authority =
        decodeHex(
            "0801a2012a0a0565706f636812110a0563617573651208656c656374696f6e120e0a086c6561646572"
                + "496412026e31");
    assertSame(
        new RecordAuthority("epoch", new TreeMap<>(Map.of("leaderId", "n1", "cause", "election"))),
        authority.writes().get(0).command());

    Entry group =
        decodeHex(
            "0801f2013c0a2908011201615a220a05757365727312197b225f6964223a227531222c226e616d65"
                + "223a22416461227d0a0f08016a0b0a05757365727312027532");
    assertThat(group.isGroup()).isTrue();
    assertThat(group.writes().get(0).requestId()).isEqualTo(utf8("a"));
    assertSame(
        new Insert("users", utf8("{\"_id\":\"u1\",\"name\":\"Ada\"}"), 0),
        group.writes().get(0).command());
    assertThat(group.writes().get(1).requestId()).isEmpty();
    assertSame(new Delete("users", "u2"), group.writes().get(1).command());
  }

  /**
   * The schema version an entry names is believed only for what the leader validated [S4]: an entry
   * whose document, version or collection changed after it was encoded (one flipped bit), and an
   * entry without the checksum (as the code before it wrote them), decode as validated against
   * nothing (0), so apply admits them in full. Batches' operations carry it the same way.
   */
  @Test
  void aSchemaVersionCountsOnlyForTheBytesItWasValidatedWith() throws Exception {
    byte[] json = utf8("{\"_id\":\"u1\",\"name\":\"x\"}");
    byte[] entry =
        LogEntryCodec.encode(new Entry.Single(new Write(RID, new Insert("users", json, 2))));
    assertThat(insertIn(entry).schemaVersion()).isEqualTo(2);

    byte[] flipped = entry.clone();
    flipped[indexOf(flipped, utf8("name"))] ^= 0x20; // "Name": still JSON, no longer validated
    assertThat(new String(insertIn(flipped).documentJson(), StandardCharsets.UTF_8))
        .contains("Name");
    assertThat(insertIn(flipped).schemaVersion()).isZero();

    // PutDocument: ... document_json, then schema_version 2 as 0x18 0x02: 2 -> 3 would name
    // another existing version
    byte[] otherVersion = entry.clone();
    int version = indexOf(otherVersion, new byte[] {0x18, 0x02}) + 1;
    otherVersion[version] ^= 0x01;
    assertThat(insertIn(otherVersion).schemaVersion()).isZero();

    byte[] otherCollection = entry.clone();
    otherCollection[indexOf(otherCollection, utf8("users"))] ^= 0x01; // "tsers"
    assertThat(insertIn(otherCollection).collection()).isEqualTo("tsers");
    assertThat(insertIn(otherCollection).schemaVersion()).isZero();

    io.aerodb.proto.internal.v1.LogEntry parsed =
        io.aerodb.proto.internal.v1.LogEntry.parseFrom(entry);
    byte[] withoutChecksum =
        parsed.toBuilder()
            .setInsert(parsed.getInsert().toBuilder().clearDocumentCrc32C())
            .build()
            .toByteArray();
    assertThat(insertIn(withoutChecksum).schemaVersion()).isZero();

    byte[] batch =
        LogEntryCodec.encode(
            new Entry.Single(
                new Write(RID, new AtomicBatch(List.of(new Update("users", json, 5))))));
    assertThat(((Update) ((AtomicBatch) commandIn(batch)).operations().get(0)).schemaVersion())
        .isEqualTo(5);
    byte[] batchFlipped = batch.clone();
    batchFlipped[indexOf(batchFlipped, utf8("name"))] ^= 0x20;
    assertThat(
            ((Update) ((AtomicBatch) commandIn(batchFlipped)).operations().get(0)).schemaVersion())
        .isZero();
  }

  private static Command commandIn(byte[] entry) {
    return LogEntryCodec.decode(entry).writes().get(0).command();
  }

  private static Insert insertIn(byte[] entry) {
    return (Insert) commandIn(entry);
  }

  /** Where {@code needle} first starts in {@code hay} (ISO-8859-1 maps each byte to one char). */
  private static int indexOf(byte[] hay, byte[] needle) {
    int at =
        new String(hay, StandardCharsets.ISO_8859_1)
            .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    assertThat(at).as("bytes found in the entry").isNotNegative();
    return at;
  }

  @Test
  void badBytesBecomeUndecodableNeverAnException() {
    assertThat(reason(LogEntryCodec.decode(utf8("not a LogEntry")))).startsWith("not a LogEntry");
    // format 2, no command
    assertThat(reason(LogEntryCodec.decode(new byte[] {0x08, 0x02})))
        .isEqualTo("unknown log-entry format 2");
    // format 1, no command
    assertThat(reason(LogEntryCodec.decode(new byte[] {0x08, 0x01})))
        .isEqualTo("no command in the entry");
    // a group whose one write is itself a group: field 30 (batch) holding field 1 (writes)
    byte[] inner =
        LogEntryCodec.encode(new Entry.Group(List.of(new Write(RID, EVERY_TYPE.get(3)))));
    Entry e =
        LogEntryCodec.decode(
            HexFormat.of()
                .parseHex(
                    "0801f201"
                        + String.format("%02x", inner.length + 2)
                        + "0a"
                        + String.format("%02x", inner.length)
                        + HexFormat.of().formatHex(inner)));
    assertThat(e.isGroup()).isTrue();
    assertThat(((Undecodable) e.writes().get(0).command()).reason())
        .isEqualTo("a batch inside a batch");
  }

  @Test
  void resultsTravelOnePerWriteInOrder() {
    List<CommandResult> results =
        List.of(
            CommandResult.ok(7, true, 2),
            CommandResult.rejected(
                7, AeroError.of(ErrorCode.AERO_DOCUMENT_EXISTS, "exists", "id", "u1")),
            new CommandResult(5, null, false, true, 0),
            CommandResult.batch(
                7,
                List.of(
                    new CommandResult.Operation(true, 2), new CommandResult.Operation(false, 0))));
    List<CommandResult> back =
        LogEntryCodec.decodeResults(ByteBuffer.wrap(LogEntryCodec.encodeResults(results)), 4);
    assertThat(back).isEqualTo(results);
    assertThatThrownBy(
            () ->
                LogEntryCodec.decodeResults(
                    ByteBuffer.wrap(LogEntryCodec.encodeResults(results)), 2))
        .isInstanceOf(AeroException.class)
        .hasMessageContaining("answered with 4 results");
  }

  private static String reason(Entry e) {
    return ((Undecodable) e.writes().get(0).command()).reason();
  }

  private static Entry decodeHex(String hex) {
    return LogEntryCodec.decode(HexFormat.of().parseHex(hex));
  }

  /** Same type, fingerprint (canonical content) and the fields the fingerprint leaves out. */
  private static void assertSame(Command expected, Command actual) {
    assertThat(actual).isInstanceOf(expected.getClass());
    assertThat(actual.collection()).isEqualTo(expected.collection());
    assertThat(Bytes.hex(actual.fingerprint())).isEqualTo(Bytes.hex(expected.fingerprint()));
    if (expected instanceof Insert i) {
      assertThat(((Insert) actual).schemaVersion()).isEqualTo(i.schemaVersion());
    }
    if (expected instanceof Update u) {
      assertThat(((Update) actual).schemaVersion()).isEqualTo(u.schemaVersion());
    }
    if (expected instanceof AtomicBatch b) {
      List<Command> ops = ((AtomicBatch) actual).operations();
      assertThat(ops).hasSameSizeAs(b.operations());
      for (int i = 0; i < ops.size(); i++) {
        assertSame(b.operations().get(i), ops.get(i));
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
