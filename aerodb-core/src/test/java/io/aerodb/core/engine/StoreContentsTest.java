package io.aerodb.core.engine;

import static io.aerodb.core.engine.Fixtures.createUsers;
import static io.aerodb.core.engine.Fixtures.delete;
import static io.aerodb.core.engine.Fixtures.insert;
import static io.aerodb.core.engine.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a backup's manifest states about a store (io.aerodb.node.backup): live documents counted
 * once whatever their history, deleted ones not at all, every schema version, and a content digest
 * that is the same for the same keys and values on either store kind and changes with any of them.
 */
class StoreContentsTest {
  private static final byte[] NONE = new byte[0];

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void countsLiveDocumentsAndListsSchemas(StoreKind kind) {
    try (Engine e = Engine.open(kind.open(dir))) {
      e.apply(1, 1, NONE, createUsers());
      e.apply(1, 2, NONE, insert("u1", "Ada"));
      e.apply(1, 3, NONE, insert("u2", "Bo"));
      e.apply(1, 4, NONE, update("u1", "Ada L."));
      e.apply(1, 5, NONE, insert("u3", "Cy"));
      e.apply(1, 6, NONE, delete("u2"));

      StoreContents.Summary s = StoreContents.summarize(e.store());

      assertThat(s.documents()).isEqualTo(2);
      assertThat(s.collections()).containsOnlyKeys("users");
      assertThat(s.collections().get("users").schemas()).hasSize(1);
      assertThat(s.collections().get("users").schemas().get(0)).contains("\"_id\"");
      assertThat(s.contentDigest()).hasSize(32);
      assertThat(s.keys()).isGreaterThan(5);

      byte[] before = s.contentDigest();
      assertThat(StoreContents.summarize(e.store()).contentDigest()).isEqualTo(before);
      e.apply(1, 7, NONE, update("u3", "Cy 2"));
      assertThat(StoreContents.summarize(e.store()).contentDigest()).isNotEqualTo(before);
      assertThat(StoreContents.summarize(e.store()).documents()).isEqualTo(2);
    }
  }

  @org.junit.jupiter.api.Test
  void theSameContentGivesTheSameDigestOnEitherStore() {
    byte[][] digests = new byte[2][];
    int i = 0;
    for (StoreKind kind : StoreKind.values()) {
      try (Engine e = Engine.open(kind.open(dir.resolve(kind.name())))) {
        e.apply(1, 1, NONE, createUsers());
        e.apply(1, 2, NONE, insert("u1", "Ada"));
        e.apply(2, 3, NONE, delete("u1"));
        digests[i++] = StoreContents.summarize(e.store()).contentDigest();
      }
    }
    assertThat(digests[0]).isEqualTo(digests[1]);
  }
}
