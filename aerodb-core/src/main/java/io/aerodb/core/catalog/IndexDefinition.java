package io.aerodb.core.catalog;

/**
 * A secondary index of a collection: on one scalar field path, created by the log entry at {@code
 * createdIndex} (which also names its generation: its entries carry it in their keys), and dropped
 * by the entry at {@code droppedIndex} (0 while it is live). Immutable.
 *
 * <p>A read view V may use the index exactly when {@code createdIndex <= V} and it was not dropped
 * at or below V: every document version visible at such a view has its entry (versions created
 * before the index got theirs when the index was built, during the apply of {@code createdIndex};
 * later ones when they were written). Dropped definitions stay in the catalog so that a view below
 * the drop is still served correctly, and so that garbage collection can find their entries.
 */
public record IndexDefinition(String field, long createdIndex, long droppedIndex) {

  public IndexDefinition {
    if (createdIndex <= 0
        || droppedIndex < 0
        || (droppedIndex != 0 && droppedIndex <= createdIndex)) {
      throw new IllegalArgumentException(
          "index on " + field + ": created " + createdIndex + ", dropped " + droppedIndex);
    }
  }

  public static IndexDefinition created(String field, long createdIndex) {
    return new IndexDefinition(field, createdIndex, 0);
  }

  public boolean isLive() {
    return droppedIndex == 0;
  }

  /** Whether a read at {@code viewIndex} may use this index (see the class comment). */
  public boolean usableAt(long viewIndex) {
    return createdIndex <= viewIndex && (droppedIndex == 0 || droppedIndex > viewIndex);
  }

  public IndexDefinition droppedAt(long index) {
    return new IndexDefinition(field, createdIndex, index);
  }
}
