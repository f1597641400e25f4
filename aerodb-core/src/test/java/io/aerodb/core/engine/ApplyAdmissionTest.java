package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.key;
import static io.aerodb.core.engine.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CommandResult;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.mvcc.DocumentVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How apply admits a document [S4]: an entry validated by the leader against the schema version
 * still in force is stored as it carries it, with the same result, bytes and state digest as a full
 * admission; anything else — a schema published since, a retry prepared without validation, bytes
 * that are no document — is admitted in full against the version in force.
 */
class ApplyAdmissionTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void anEntryValidatedAgainstTheVersionInForceAppliesLikeAFullAdmission(StoreKind kind) {
    List<String> documents =
        List.of(
            "{\"_id\":\"u1\",\"name\":\"Ada\"}",
            "{\"_id\":\"u2\",\"age\":36,\"name\":\"Bo \\\"B\\\" \\u00e9\"}",
            "{\"_id\":\"u3\",\"age\":-1,\"name\":\"\"}",
            "{\"name\":\"Cy\",\"_id\":\"u4\",\"score\":1.0,"
                + "\"address\":{\"zip\":7,\"city\":\"Oslo\"},\"tags\":[\"b\",\"a\"]}",
            "{\"_id\":\"u5\",\"name\":\"Di\",\"score\":-0.0,\"tags\":[]}",
            "{\"_id\":\"u6\",\"name\":\"Ed\",\"score\":1e2,\"address\":{\"city\":\"\"}}");
    try (Engine trusted = Engine.open(kind.open(dir.resolve("trusted")));
        Engine full = Engine.open(kind.open(dir.resolve("full")))) {
      trusted.apply(1, 1, NONE, createRich());
      full.apply(1, 1, NONE, createRich());
      long index = 1;
      for (String json : documents) {
        index++;
        // what the leader proposes: canonical bytes validated against version 1, the latest
        Command prepared = trusted.prepare(key("r" + index), insert(json)).command();
        assertThat(((Insert) prepared).schemaVersion()).isEqualTo(1);
        Command unvalidated = new Insert("users", ((Insert) prepared).documentJson(), 0);
        CommandResult a = trusted.apply(1, index, key("r" + index), prepared);
        CommandResult b = full.apply(1, index, key("r" + index), unvalidated);
        assertThat(a).isEqualTo(b);
        assertThat(a.isOk()).isTrue();
      }
      index++;
      Command update =
          trusted
              .prepare(NONE, new Update("users", utf8("{\"name\":\"Al\",\"_id\":\"u1\"}")))
              .command();
      assertThat(trusted.apply(1, index, NONE, update))
          .isEqualTo(
              full.apply(1, index, NONE, new Update("users", ((Update) update).documentJson(), 0)));
      for (String id : List.of("u1", "u2", "u3", "u4", "u5", "u6")) {
        assertThat(json(trusted, id, index)).isEqualTo(json(full, id, index));
      }
      assertThat(json(trusted, "u1", index)).isEqualTo("{\"_id\":\"u1\",\"name\":\"Al\"}");
      assertThat(trusted.applied().digest()).isEqualTo(full.applied().digest());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void anEntryValidatedAgainstAnOlderVersionIsCheckedAgainstTheOneInForce(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      Command prepared =
          e.prepare(NONE, insert("{\"_id\":\"u4\",\"name\":\"Di\",\"age\":7}")).command();
      assertThat(((Insert) prepared).schemaVersion()).isEqualTo(1);
      String ageIsAString =
          "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
              + "\"name\":{\"type\":\"string\",\"required\":true},"
              + "\"age\":{\"type\":\"string\",\"required\":false}}}";
      assertThat(e.apply(1, 2, NONE, new PublishSchema("users", utf8(ageIsAString))).isOk())
          .isTrue();
      // proposed under version 1, applied under version 2: validated again, and refused [S4]
      CommandResult r = e.apply(1, 3, NONE, prepared);
      assertThat(r.isOk()).as("written under a version no longer in force").isFalse();
      assertThat(r.rejection().code()).isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
      assertThat(r.rejection().details()).containsEntry("path", "age");
      assertThat(e.get("users", "u4", 3).version()).isEmpty();
    }
  }

  /**
   * The trust boundary, pinned: the engine believes the version a command names (what keeps a
   * changed log entry from claiming it is LogEntryCodec's checksum), so a command that claims the
   * version in force is not validated again — here one that no leader would have admitted.
   */
  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aCommandThatClaimsTheVersionInForceIsNotValidatedAgain(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      byte[] notUnderTheSchema = utf8("{\"_id\":\"u7\",\"name\":7}");
      assertThat(e.apply(1, 2, NONE, new Insert("users", notUnderTheSchema, 1)).isOk()).isTrue();
      assertThat(json(e, "u7", 2)).isEqualTo("{\"_id\":\"u7\",\"name\":7}");
      CommandResult unclaimed =
          e.apply(1, 3, NONE, new Insert("users", utf8("{\"_id\":\"u8\",\"name\":7}"), 0));
      assertThat(unclaimed.rejection().code()).isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void bytesThatAreNoDocumentAreRefusedEvenWhenTheEntryClaimsTheVersionInForce(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      CommandResult notAnObject = e.apply(1, 2, NONE, new Insert("users", utf8("[1]"), 1));
      CommandResult numericId =
          e.apply(1, 3, NONE, new Insert("users", utf8("{\"_id\":5,\"name\":\"x\"}"), 1));
      assertThat(notAnObject.rejection().code()).isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
      assertThat(numericId.rejection().code()).isEqualTo(ErrorCode.AERO_VALIDATION_TYPE_MISMATCH);
      assertThat(numericId.rejection().details()).containsEntry("path", "_id");
      assertThat(e.applied().index()).isEqualTo(3);
    }
  }

  /** Users with a float, a nested object and an array: the shapes canonical bytes normalize. */
  private static Command createRich() {
    return new io.aerodb.core.command.CreateCollection(
        "users",
        utf8(
            "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
                + "\"name\":{\"type\":\"string\",\"required\":true},"
                + "\"age\":{\"type\":\"int\",\"required\":false},"
                + "\"score\":{\"type\":\"float\",\"required\":false},"
                + "\"address\":{\"type\":\"object\",\"required\":false,\"fields\":{"
                + "\"city\":{\"type\":\"string\",\"required\":true},"
                + "\"zip\":{\"type\":\"int\",\"required\":false}}},"
                + "\"tags\":{\"type\":\"array\",\"required\":false,"
                + "\"element\":{\"type\":\"string\"}}}}"));
  }

  private static Insert insert(String json) {
    return new Insert("users", utf8(json));
  }

  private static String json(Engine e, String id, long view) {
    return e.get("users", id, view)
        .version()
        .map(DocumentVersion::json)
        .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8))
        .orElse(null);
  }
}
