package io.aerodb.core.command;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import java.util.OptionalLong;

/**
 * A document write's guard [TX2]: the version the client expects the document to have when the
 * write applies — the commit index of the version it last saw, or "absent" (no live version: never
 * written, or deleted). Checked by the leader's prepare (advisory) and by apply against the entry's
 * view (authoritative, identically on every node); a failed guard writes nothing.
 *
 * @param version the expected commit index ({@code > 0}), {@link #ABSENT} or {@link #ANY}
 */
public record Precondition(long version) {
  /** No guard: the write applies whatever the document's version. */
  public static final Precondition NONE = new Precondition(0);

  static final long ANY = 0;
  static final long ABSENT = -1;

  public Precondition {
    if (version < ABSENT) {
      throw new IllegalArgumentException("a precondition is a version > 0, absent or none");
    }
  }

  /** The document must have no live version. */
  public static Precondition absent() {
    return new Precondition(ABSENT);
  }

  /** The document's live version must have been created at {@code commitIndex} (> 0). */
  public static Precondition version(long commitIndex) {
    if (commitIndex <= 0) {
      throw new IllegalArgumentException("an expected version is a commit index > 0");
    }
    return new Precondition(commitIndex);
  }

  public boolean isNone() {
    return version == ANY;
  }

  /**
   * How the guard reads in messages, errors and fingerprints: "17", "absent" or "any". Never
   * changes (part of the fingerprint, docs/FORMATS.md).
   */
  public String describe() {
    return version == ANY ? "any" : version == ABSENT ? "absent" : Long.toString(version);
  }

  /**
   * Throws AERO_TXN_PRECONDITION_FAILED naming the operation, the expected and the actual version
   * unless {@code live} (the index of the document's live version) satisfies the guard.
   */
  void check(String operation, String collection, String id, OptionalLong live) {
    if (isNone()) {
      return;
    }
    String actual = live.isPresent() ? Long.toString(live.getAsLong()) : "absent";
    boolean holds = version == ABSENT ? live.isEmpty() : actual.equals(Long.toString(version));
    if (!holds) {
      throw AeroError.of(
              ErrorCode.AERO_TXN_PRECONDITION_FAILED,
              operation
                  + " of document '"
                  + id
                  + "' in '"
                  + collection
                  + "' expected version "
                  + describe()
                  + ", but the document's version is "
                  + actual,
              "operation",
              operation,
              "collection",
              collection,
              "id",
              id,
              "expectedVersion",
              describe(),
              "actualVersion",
              actual)
          .toException();
    }
  }
}
