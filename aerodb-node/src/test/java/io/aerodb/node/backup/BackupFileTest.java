package io.aerodb.node.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.StoreContents;
import io.aerodb.core.error.AeroException;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.proto.v1.BackupChunk;
import io.aerodb.proto.v1.BackupCollection;
import io.aerodb.proto.v1.BackupFile;
import io.aerodb.proto.v1.BackupManifest;
import io.aerodb.proto.v1.BackupPart;
import io.aerodb.ratis.RaftLogInspector;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup file (docs/FORMATS.md, Backup file) on a real RocksDB checkpoint, without a cluster:
 * what the writer makes the reader accepts and a restore turns into a data directory a node starts
 * from (identity, store, Ratis storage at the backup's term); a flipped byte anywhere and a cut at
 * any length are refused with AERO_BACKUP_CORRUPT naming the part; a refused restore leaves the
 * target as it was; the writer leaves nothing at its output when the stream is wrong.
 */
class BackupFileTest {
  private static final byte[] NONE = new byte[0];
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},\"pad\":{\"type\":\"string\",\"required\":true}}}";

  @TempDir Path dir;
  private Path checkpoint;

  /**
   * A store of 400 documents of 3 KiB that do not compress (several 1 MiB blocks), one deleted,
   * checkpointed.
   */
  @BeforeEach
  void store() {
    try (Engine e = Engine.open(RocksKvStore.open(dir.resolve("store")))) {
      e.apply(3, 1, NONE, new CreateCollection("docs", utf8(SCHEMA)));
      java.util.SplittableRandom random = new java.util.SplittableRandom(12);
      for (int i = 0; i < 400; i++) {
        StringBuilder pad = new StringBuilder();
        for (int k = 0; k < 3000; k++) {
          pad.append((char) ('a' + random.nextInt(26)));
        }
        e.apply(3, 2 + i, NONE, new Insert("docs", utf8(doc("d" + i, pad.toString()))));
      }
      e.apply(4, 402, NONE, new Delete("docs", "d3"));
      checkpoint = dir.resolve("checkpoint");
      e.withStore(
          s -> {
            ((RocksKvStore) s).checkpoint(checkpoint);
            return null;
          });
    }
  }

  @Test
  void whatTheWriterMakesVerifiesAndRestoresIntoAStartableDataDirectory() throws Exception {
    Path backup = write(parts(checkpoint));
    BackupReader.Verified v = BackupReader.verify(backup, dir, b -> {});
    assertThat(v.manifest().getIndex()).isEqualTo(402);
    assertThat(v.manifest().getTerm()).isEqualTo(4);
    assertThat(v.manifest().getDocuments()).isEqualTo(399);
    assertThat(v.bytes()).isEqualTo(Files.size(backup));

    Path data = dir.resolve("restored");
    Restorer.restore(backup, data, "n2", "other", b -> {});
    assertThat(Files.readString(data.resolve("identity")))
        .isEqualTo("nodeId=n2\nclusterName=other\nformat=1\n");
    Path current =
        RaftLogInspector.currentDir(
            data.resolve("raft"), RaftDivision.groupIdOf("other").getUuid().toString());
    RaftLogInspector.LogState log = RaftLogInspector.inspect(current);
    assertThat(log.currentTerm()).isEqualTo(4);
    assertThat(log.lastIndex()).isEqualTo(-1); // an empty log: Ratis continues after the store
    try (Engine e = Engine.open(RocksKvStore.open(data.resolve("store")))) {
      assertThat(e.applied().index()).isEqualTo(402);
      assertThat(e.get("docs", "d5", 402).version()).isPresent();
      assertThat(e.get("docs", "d3", 402).version()).isEmpty();
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
    }
  }

  @Test
  void aFlippedByteAnywhereIsRefusedNamingThePart() throws Exception {
    Path backup = write(parts(checkpoint));
    long size = Files.size(backup);
    byte[] original = Files.readAllBytes(backup);
    List<Long> offsets = new ArrayList<>();
    for (long o = 0; o < 64; o++) { // the header, the manifest's length and its start
      offsets.add(o);
    }
    for (int i = 0; i < 48; i++) {
      offsets.add(64 + (size - 64) * i / 48);
    }
    for (long o = size - 24; o < size; o++) { // the last checksum and the trailer
      offsets.add(o);
    }
    for (long offset : offsets) {
      Path copy = dir.resolve("flipped.aerobak");
      Files.write(copy, original);
      try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
        f.seek(offset);
        int b = f.read();
        f.seek(offset);
        f.write(b ^ 0x01);
      }
      assertThatThrownBy(() -> BackupReader.verify(copy, dir, b -> {}))
          .as("a flip at byte %d of %d", offset, size)
          .isInstanceOfSatisfying(
              AeroException.class,
              e -> {
                assertThat(e.error().code()).isEqualTo(ErrorCode.AERO_BACKUP_CORRUPT);
                assertThat(e.error().details()).containsKeys("part", "offset");
              });
      Files.delete(copy);
    }
  }

  @Test
  void theRefusalNamesThePart() throws Exception {
    Path backup = write(parts(checkpoint));
    long size = Files.size(backup);
    assertThat(partNamed(backup, 3)).isEqualTo("header");
    assertThat(partNamed(backup, 20)).isEqualTo("manifest");
    assertThat(partNamed(backup, size / 2)).matches("[0-9A-Za-z._-]+ bytes [0-9]+\\.\\.[0-9]+");
    assertThat(partNamed(backup, size - 4)).isEqualTo("trailer");
  }

  private String partNamed(Path backup, long offset) throws Exception {
    Path copy = dir.resolve("named.aerobak");
    Files.copy(backup, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
    try {
      BackupReader.verify(copy, dir, b -> {});
    } catch (AeroException e) {
      return e.error().details().get("part");
    }
    throw new AssertionError("a flip at " + offset + " was not refused");
  }

  @Test
  void aCutAtAnyLengthIsRefusedAndARefusedRestoreLeavesTheTargetAsItWas() throws Exception {
    Path backup = write(parts(checkpoint));
    long size = Files.size(backup);
    byte[] original = Files.readAllBytes(backup);
    for (int i = 0; i < 24; i++) {
      long length = size * i / 24 + (i % 5);
      Path copy = dir.resolve("cut.aerobak");
      Files.write(copy, java.util.Arrays.copyOf(original, (int) length));
      Path target = dir.resolve("target");
      assertThatThrownBy(() -> Restorer.restore(copy, target, "n1", null, b -> {}))
          .as("cut at %d of %d", length, size)
          .isInstanceOfSatisfying(
              AeroException.class,
              e -> assertThat(e.error().code()).isEqualTo(ErrorCode.AERO_BACKUP_CORRUPT));
      assertThat(target).doesNotExist();
      assertThat(dir.resolve(".target.restore-staging")).doesNotExist();
      Files.delete(copy);
    }
    Path occupied = dir.resolve("occupied");
    Files.createDirectories(occupied.resolve("raft"));
    assertThatThrownBy(() -> Restorer.restore(backup, occupied, "n1", null, b -> {}))
        .isInstanceOfSatisfying(
            AeroException.class,
            e -> assertThat(e.error().code()).isEqualTo(ErrorCode.AERO_RESTORE_REFUSED));
    try (Stream<Path> s = Files.list(occupied)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("raft");
    }
  }

  @Test
  void theWriterLeavesNothingWhenTheStreamIsWrong() throws Exception {
    List<BackupPart> parts = parts(checkpoint);
    Path out = dir.resolve("bad.aerobak");
    // a chunk lost in transit: the next one's offset is not the expected one
    List<BackupPart> gap = new ArrayList<>(parts);
    gap.remove(2);
    assertThatThrownBy(() -> write(gap, out))
        .isInstanceOfSatisfying(
            AeroException.class,
            e -> assertThat(e.error().code()).isEqualTo(ErrorCode.AERO_BACKUP_FAILED));
    // a damaged chunk: the file's CRC32C no longer matches the node's
    List<BackupPart> damaged = new ArrayList<>(parts);
    BackupChunk c = damaged.get(1).getChunk();
    byte[] data = c.getData().toByteArray();
    data[data.length / 2] ^= 0x40;
    damaged.set(
        1,
        BackupPart.newBuilder().setChunk(c.toBuilder().setData(ByteString.copyFrom(data))).build());
    assertThatThrownBy(() -> write(damaged, out))
        .isInstanceOfSatisfying(
            AeroException.class, e -> assertThat(e.error().message()).contains("CRC32C"));
    // the stream ends early
    assertThatThrownBy(() -> write(parts.subList(0, parts.size() - 1), out))
        .isInstanceOf(AeroException.class);
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("bad.aerobak.partial")).doesNotExist();
  }

  private Path write(List<BackupPart> parts) {
    return write(parts, dir.resolve("b" + System.nanoTime() + ".aerobak"));
  }

  private static Path write(List<BackupPart> parts, Path out) {
    try (BackupWriter w = BackupWriter.create(out)) {
      parts.forEach(w::accept);
      w.finish();
    }
    return out;
  }

  /** The parts a node's Backup stream has for this checkpoint (as StoreSender makes them). */
  private static List<BackupPart> parts(Path checkpoint) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(checkpoint)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    AppliedState at;
    StoreContents.Summary summary;
    try (RocksKvStore copy = RocksKvStore.openReadOnly(checkpoint)) {
      at = Engine.appliedIn(copy);
      summary = StoreContents.summarize(copy);
    }
    BackupManifest.Builder m =
        BackupManifest.newBuilder()
            .setFormat(1)
            .setSourceId("n1")
            .setClusterName("test")
            .setTerm(at.term())
            .setIndex(at.index())
            .setStateDigest(ByteString.copyFrom(at.digest()))
            .setContentDigest(ByteString.copyFrom(summary.contentDigest()))
            .setKeys(summary.keys())
            .setDocuments(summary.documents());
    for (StoreContents.Collection c : summary.collections().values()) {
      m.addCollections(
          BackupCollection.newBuilder()
              .setName(c.name())
              .setDocuments(c.documents())
              .addAllSchemas(c.schemas()));
    }
    List<BackupPart> chunks = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      m.addFiles(
          BackupFile.newBuilder()
              .setName(files.get(i).getFileName().toString())
              .setSize(bytes.length)
              .setCrc32C((int) crc.getValue()));
      for (int off = 0; off < bytes.length; off += 700_000) { // not the writer's block size
        int n = Math.min(700_000, bytes.length - off);
        chunks.add(
            BackupPart.newBuilder()
                .setChunk(
                    BackupChunk.newBuilder()
                        .setFile(i)
                        .setOffset(off)
                        .setData(ByteString.copyFrom(bytes, off, n)))
                .build());
      }
    }
    List<BackupPart> parts = new ArrayList<>();
    parts.add(BackupPart.newBuilder().setManifest(m).build());
    parts.addAll(chunks);
    return parts;
  }

  private static String doc(String id, String pad) {
    return "{\"_id\":\"" + id + "\",\"pad\":\"" + pad + "\"}";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
