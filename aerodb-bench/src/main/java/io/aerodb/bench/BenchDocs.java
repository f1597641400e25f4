package io.aerodb.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The documents the benchmark writes. One shape for both systems: AeroDB inserts the JSON document
 * into a schema-validated collection; etcd stores the very same bytes as the value under the key
 * {@code <prefix>/<_id>}. Documents are already canonical (keys sorted, no whitespace), and exactly
 * {@code bytes} long.
 *
 * <p>Shape: {@code {"_id":"<id>","n":<seq>,"payload":"<filler>","tag":"t<seq % 1000>"}}; {@code
 * tag} is the field the harness indexes (when the cluster supports secondary indexes).
 */
public final class BenchDocs {
  /** The schema of the benchmark collection (every field required, so validation does work). */
  public static final String SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true},"
          + "\"payload\":{\"type\":\"string\",\"required\":true},"
          + "\"tag\":{\"type\":\"string\",\"required\":true}}}";

  /** The field the harness asks the cluster to index. */
  public static final String INDEX_FIELD = "tag";

  /** Schema of the small documents used to fill a node for the restart measurement. */
  public static final String SMALL_SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"n\":{\"type\":\"int\",\"required\":true}}}";

  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private final int bytes;
  private final String filler;

  /** Documents of exactly {@code bytes} bytes (at least 128). */
  public BenchDocs(int bytes) {
    if (bytes < 128) {
      throw new IllegalArgumentException("document size must be >= 128 bytes");
    }
    this.bytes = bytes;
    Random r = new Random(42);
    StringBuilder b = new StringBuilder(bytes);
    for (int i = 0; i < bytes; i++) {
      b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    this.filler = b.toString();
  }

  public int bytes() {
    return bytes;
  }

  /** The document with this id and sequence number, exactly {@link #bytes()} long. */
  public String document(String id, long seq) {
    String head = "{\"_id\":\"" + id + "\",\"n\":" + seq + ",\"payload\":\"";
    String tail = "\",\"tag\":\"t" + (seq % 1000) + "\"}";
    int fill = bytes - head.length() - tail.length();
    if (fill < 0) {
      throw new IllegalArgumentException("id too long for a " + bytes + "-byte document: " + id);
    }
    return head + filler.substring(0, fill) + tail;
  }

  /** A small document (about 40 bytes) for bulk loading. */
  public static String small(String id, long seq) {
    return "{\"_id\":\"" + id + "\",\"n\":" + seq + "}";
  }

  /**
   * For scripts: {@code BenchDocs schema|small-schema} prints a schema; {@code BenchDocs jsonl N
   * PREFIX [BYTES]} prints N benchmark documents as JSON Lines (ids PREFIX0..), for import figures.
   */
  public static void main(String[] args) throws java.io.IOException {
    if (args.length >= 3 && args[0].equals("jsonl")) {
      long n = Long.parseLong(args[1]);
      BenchDocs docs = new BenchDocs(args.length > 3 ? Integer.parseInt(args[3]) : 1024);
      java.io.Writer w =
          new java.io.BufferedWriter(
              new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8),
              1 << 20);
      for (long i = 0; i < n; i++) {
        w.write(docs.document(args[2] + i, i));
        w.write('\n');
      }
      w.flush();
      return;
    }
    System.out.println(args.length > 0 && args[0].equals("small-schema") ? SMALL_SCHEMA : SCHEMA);
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
