package io.aerodb.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Entry;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Undecodable;
import io.aerodb.core.command.Update;
import io.aerodb.core.command.Write;
import io.aerodb.core.store.MemoryKvStore;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What a store and a log already hold must mean the same after a change of code: the fingerprints
 * kept in idempotency records (a retry of an old write must still be recognised) and the state
 * digest of a fixed entry sequence (every write set, idempotency record and catalog change; nodes
 * of two versions must agree). The expected values were computed by the code before the command
 * model was reshaped (git 0af2cec, Command.fingerprint and Engine.apply/applyBatch); a difference
 * here is a format change and needs a format version (docs/FORMATS.md).
 */
class FormatCompatibilityTest {
  private static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true},"
          + "\"age\":{\"type\":\"int\",\"required\":false}}}";
  private static final String SCHEMA_2 =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true},"
          + "\"age\":{\"type\":\"int\",\"required\":false},"
          + "\"city\":{\"type\":\"string\",\"required\":false}}}";
  private static final byte[] NONE = new byte[0];

  @Test
  void fingerprintsAreUnchanged() {
    assertFingerprint(
        new CreateCollection("users", u(SCHEMA)),
        "344d7f3c5b983c1b240fc837b4a461ba9562413fd8ee4c4de378fbcc09dcbda0");
    assertFingerprint(
        new Insert("users", u("{\"_id\":\"u1\",\"name\":\"Ada\"}")),
        "9ddc3a81f833c1b42d457facaa9485457cdb031ce8a84290969649896659b75c");
    assertFingerprint(
        new Update("users", u("{\"_id\":\"u1\",\"name\":\"Ada\",\"age\":36}")),
        "76798ee47e81b9a63cd4b525ce58a2b5597b971f0d67db7ad894c250917bf4b5");
    assertFingerprint(
        new Delete("users", "u1"),
        "1d80710e3cf6b2ef9f37cda838481f85d7af928e907865380e7170a0c97646d3");
    assertFingerprint(
        new PublishSchema("users", u(SCHEMA_2)),
        "b954de0bee27452455e774fe0f0ef97616253911de9f8756a875038e6eea6ee8");
    assertFingerprint(
        new CreateIndex("users", "age"),
        "82b0cee63aec95705ea69e03da8cbdf2ad73db365a58a9d5cb7367d7fb97341a");
    assertFingerprint(
        new DropIndex("users", "age"),
        "1de4b2067c34b91d493cd1dda652c7ee581942ca3e115dbdba831cbce1dc9e04");
    assertFingerprint(epoch(), "ac78938511bec78a0ac6182b16602a8c6a41dec69b706a38d083660938b46500");
  }

  @Test
  void theDigestOfAFixedSequenceIsUnchanged() {
    Engine e = Engine.open(new MemoryKvStore());
    long i = 0;
    e.apply(1, ++i, NONE, new CreateCollection("users", u(SCHEMA)));
    e.apply(1, ++i, u("r1"), new CreateIndex("users", "age"));
    e.apply(
        1,
        ++i,
        new Entry.Group(
            List.of(
                new Write(u("a"), insert("{\"_id\":\"u1\",\"name\":\"Ada\",\"age\":36}")),
                new Write(u("b"), insert("{\"_id\":\"u2\",\"name\":\"Bob\",\"age\":40}")),
                new Write(u("c"), insert("{\"_id\":\"u1\",\"name\":\"Dup\"}")),
                new Write(NONE, new Delete("users", "nobody")))));
    e.apply(2, ++i, u("d"), new Update("users", u("{\"_id\":\"u2\",\"name\":\"Bob\",\"age\":41}")));
    e.apply(2, ++i, u("a"), insert("{\"_id\":\"u1\",\"name\":\"Ada\",\"age\":36}")); // retry
    e.apply(2, ++i, u("a"), insert("{\"_id\":\"u9\",\"name\":\"Other\"}")); // key reused
    e.apply(2, ++i, NONE, insert("{\"_id\":\"u3\",\"name\":7}")); // invalid
    e.apply(2, ++i, NONE, new PublishSchema("users", u(SCHEMA_2)));
    e.apply(3, ++i, NONE, epoch());
    e.apply(3, ++i, NONE, new Delete("users", "u1"));
    e.apply(3, ++i, NONE, new Undecodable("garbage"));
    e.apply(
        3,
        ++i,
        new Entry.Group(
            List.of(
                new Write(u("x"), insert("{\"_id\":\"u4\",\"name\":\"X\"}")),
                new Write(u("y"), new CreateIndex("users", "name")))));
    e.apply(3, ++i, NONE, new DropIndex("users", "age"));
    assertThat(e.applied().index()).isEqualTo(13);
    assertThat(e.applied().digestHex())
        .isEqualTo("5f72c7cf7098cc0391fb281a706b2da7fa46a251fd0d476543b277dab823f0ce");
  }

  private static void assertFingerprint(Command c, String hex) {
    assertThat(Bytes.hex(c.fingerprint())).as(c.commandName()).isEqualTo(hex);
  }

  private static RecordAuthority epoch() {
    return new RecordAuthority(
        "epoch", new TreeMap<>(Map.of("leaderId", "n1", "cause", "election")));
  }

  private static Insert insert(String json) {
    return new Insert("users", u(json));
  }

  private static byte[] u(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
