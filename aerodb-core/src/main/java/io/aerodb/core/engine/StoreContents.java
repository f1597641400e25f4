package io.aerodb.core.engine;

import io.aerodb.core.mvcc.Keys;
import io.aerodb.core.mvcc.VersionCodec;
import io.aerodb.core.store.KvCursor;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a whole store holds, read in one pass in key order (a backup's manifest, and its offline
 * verification): the content digest, the live documents per collection and every schema version.
 *
 * <p>The <b>content digest</b> is {@code SHA-256} over every key and value in key order, each as
 * {@code len u64 | key | len u64 | value} (docs/FORMATS.md, Backup file). Unlike the running state
 * digest it says what one copy of a store holds byte for byte, so it is recomputed from a backup's
 * files; two nodes at the same applied index may differ in it, because each collects garbage at its
 * own pace. Callers pass a store nobody writes to (a checkpoint or a stopped node's store).
 */
public final class StoreContents {
  /** One collection: its live documents and its schema versions (canonical JSON), oldest first. */
  public record Collection(String name, long documents, List<String> schemas) {}

  /**
   * @param contentDigest SHA-256 as described above
   * @param keys every key of the store
   * @param collections by name
   */
  public record Summary(
      byte[] contentDigest, long keys, SortedMap<String, Collection> collections) {
    public long documents() {
      return collections.values().stream().mapToLong(Collection::documents).sum();
    }
  }

  private StoreContents() {}

  /** Reads every key of {@code store} once. */
  public static Summary summarize(KvStore store) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
    TreeMap<String, Long> documents = new TreeMap<>();
    TreeMap<String, List<String>> schemas = new TreeMap<>();
    long keys = 0;
    byte[] lastDocument = null; // the document prefix of the previous version key
    try (KvCursor c = store.seek(new byte[0])) {
      for (; c.valid(); c.next()) {
        byte[] k = c.key();
        byte[] v = c.value();
        keys++;
        sha.update(Bytes.ofLong(k.length));
        sha.update(k);
        sha.update(Bytes.ofLong(v.length));
        sha.update(v);
        if (k[0] == Keys.SCHEMA) {
          // 0x03 collection 0x00 version u32 -> created index u64 | canonical schema JSON
          String name = new String(k, 1, k.length - 6, StandardCharsets.UTF_8);
          schemas
              .computeIfAbsent(name, n -> new ArrayList<>())
              .add(new String(v, 8, v.length - 8, StandardCharsets.UTF_8));
        } else if (k[0] == Keys.COLLECTION) {
          documents.putIfAbsent(new String(k, 1, k.length - 1, StandardCharsets.UTF_8), 0L);
        } else if (k[0] == Keys.DOCUMENT) {
          // versions of one document are adjacent, newest first: the first one says if it lives
          byte[] document = Arrays.copyOf(k, k.length - 8);
          if (lastDocument == null || !Arrays.equals(document, lastDocument)) {
            lastDocument = document;
            if (VersionCodec.isDocument(v)) {
              documents.merge(collectionOf(k), 1L, Long::sum);
            }
          }
        }
      }
    }
    TreeMap<String, Collection> collections = new TreeMap<>();
    for (var e : documents.entrySet()) {
      collections.put(
          e.getKey(),
          new Collection(
              e.getKey(),
              e.getValue(),
              Collections.unmodifiableList(schemas.getOrDefault(e.getKey(), List.of()))));
    }
    return new Summary(sha.digest(), keys, Collections.unmodifiableSortedMap(collections));
  }

  private static String collectionOf(byte[] documentKey) {
    int end = 1;
    while (documentKey[end] != 0) {
      end++;
    }
    return new String(documentKey, 1, end - 1, StandardCharsets.UTF_8);
  }
}
