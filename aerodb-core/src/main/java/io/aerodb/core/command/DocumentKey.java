package io.aerodb.core.command;

/**
 * The document a write touches. Two writes with one key cannot share a log entry (their versions
 * would share a store key, docs/FORMATS.md): the leader's group commit keeps them apart, and apply
 * refuses such an entry. Ordered by collection, then id (UTF-16 order, as in every TreeSet here).
 */
public record DocumentKey(String collection, String id) implements Comparable<DocumentKey> {
  @Override
  public int compareTo(DocumentKey o) {
    int c = collection.compareTo(o.collection);
    return c != 0 ? c : id.compareTo(o.id);
  }
}
