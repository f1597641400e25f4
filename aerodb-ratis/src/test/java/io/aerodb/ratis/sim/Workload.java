package io.aerodb.ratis.sim;

import io.aerodb.core.authority.AuthorityHistory;
import io.aerodb.core.catalog.Catalog;
import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.CreateIndex;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.DocumentKey;
import io.aerodb.core.command.DropIndex;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.PublishSchema;
import io.aerodb.core.command.RecordAuthority;
import io.aerodb.core.command.Update;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The clients: what they ask for, and their retries. Commands are raw, as a client sends them (JSON
 * in any key order and spacing, documents valid or not under the schema that will be in force when
 * they apply), over two collections whose schemas change under the writes: a document valid when
 * the leader prepared it may be invalid when it applies [S4]. Few ids, so inserts, updates and
 * deletes of one document race. Most writes carry a request_id; a client retries with the same one,
 * and now and then reuses one for a different command.
 */
final class Workload {
  static final String USERS = "users";
  static final String ORDERS = "orders";

  /** Schema versions of users: name required; then age required too; then age a string. */
  static final String[] USER_SCHEMAS = {
    "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
        + "\"name\":{\"type\":\"string\",\"required\":true},"
        + "\"age\":{\"type\":\"int\",\"required\":false}}}",
    "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
        + "\"name\":{\"type\":\"string\",\"required\":true},"
        + "\"age\":{\"type\":\"int\",\"required\":true},"
        + "\"tag\":{\"type\":\"string\",\"required\":false}}}",
    "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
        + "\"name\":{\"type\":\"string\",\"required\":false},"
        + "\"age\":{\"type\":\"string\",\"required\":false},"
        + "\"tag\":{\"type\":\"string\",\"required\":false}}}"
  };

  static final String[] ORDER_SCHEMAS = {
    "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
        + "\"qty\":{\"type\":\"int\",\"required\":true},"
        + "\"note\":{\"type\":\"string\",\"required\":false}}}",
    "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
        + "\"qty\":{\"type\":\"int\",\"required\":true},"
        + "\"note\":{\"type\":\"string\",\"required\":true}}}"
  };

  private static final String[] INDEX_FIELDS = {"name", "age", "tag", "qty", "_id", "nope", "a..b"};
  private static final int REMEMBERED_MAX = 64;

  private final Random random;
  private long requests;
  private long values;

  /** Recent requests that carry a request_id: what retries pick from (bounded). */
  private final List<ClientRequest> remembered = new ArrayList<>();

  Workload(Random random) {
    this.random = random;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A new client request, chosen with what the leader's catalog and documents show (a client reads
   * too): {@code version} gives a document's live version there (0: none), which guards use.
   */
  ClientRequest next(Catalog catalog, ToLongFunction<DocumentKey> version) {
    boolean users = catalog.collection(USERS).isPresent();
    boolean orders = catalog.collection(ORDERS).isPresent();
    int p = random.nextInt(100);
    if (!users && p < 30) {
      return request(new CreateCollection(USERS, utf8(USER_SCHEMAS[0])), "create users");
    }
    if (p < 30) {
      String id = "u" + random.nextInt(10);
      return request(new Insert(USERS, utf8(userDocument(id))), "insert users/" + id);
    }
    if (p < 50) {
      String id = "u" + random.nextInt(10);
      return request(new Update(USERS, utf8(userDocument(id))), "update users/" + id);
    }
    if (p < 60) {
      String id = "u" + random.nextInt(10);
      return request(new Delete(USERS, id), "delete users/" + id);
    }
    if (p < 70) {
      if (!orders && random.nextInt(3) == 0) {
        return request(new CreateCollection(ORDERS, utf8(ORDER_SCHEMAS[0])), "create orders");
      }
      String id = "o" + random.nextInt(6);
      int kind = random.nextInt(3);
      Command c =
          kind == 0
              ? new Insert(ORDERS, utf8(orderDocument(id)))
              : kind == 1 ? new Update(ORDERS, utf8(orderDocument(id))) : new Delete(ORDERS, id);
      return request(c, c.commandName() + " orders/" + id);
    }
    if (p < 75) {
      boolean u = random.nextInt(3) != 0;
      String[] schemas = u ? USER_SCHEMAS : ORDER_SCHEMAS;
      int v = random.nextInt(schemas.length);
      String collection = u ? USERS : ORDERS;
      return request(
          new PublishSchema(collection, utf8(schemas[v])), "publish " + collection + " #" + v);
    }
    if (p < 79) {
      String field = INDEX_FIELDS[random.nextInt(INDEX_FIELDS.length)];
      String collection = random.nextInt(4) == 0 ? ORDERS : USERS;
      return request(
          new CreateIndex(collection, field), "create index " + collection + "." + field);
    }
    if (p < 82) {
      String field = INDEX_FIELDS[random.nextInt(3)];
      return request(new DropIndex(USERS, field), "drop index users." + field);
    }
    if (p < 84) {
      String collection = random.nextBoolean() ? USERS : "Not A Name";
      return request(
          new CreateCollection(collection, utf8(USER_SCHEMAS[random.nextInt(3)])),
          "create " + collection);
    }
    if (p < 87) {
      return authority();
    }
    if (p < 89) {
      return request(
          new Insert("ghost", utf8("{\"_id\":\"g1\",\"name\":\"x\"}")), "insert ghost/g1");
    }
    if (p < 91) {
      return request(new Insert(USERS, utf8("{\"_id\":\"u1\",\"name\":")), "insert bad json");
    }
    if (p < 95) {
      Command c = guardedWrite(version);
      return request(c, c.fingerprintName() + " " + c.collection() + "/" + idOf(c));
    }
    if (p < 99) {
      return batch(version);
    }
    String id = "u" + random.nextInt(10);
    return request(new Insert(USERS, utf8(userDocument(id))), "insert users/" + id);
  }

  /**
   * A write with a guard [TX2]: mostly the version the client just read (or absent), sometimes a
   * stale one, so both outcomes race with the other clients' writes.
   */
  private Command guardedWrite(ToLongFunction<DocumentKey> version) {
    boolean users = random.nextInt(3) != 0;
    String collection = users ? USERS : ORDERS;
    String id = users ? "u" + random.nextInt(10) : "o" + random.nextInt(6);
    Precondition guard = guard(version.applyAsLong(new DocumentKey(collection, id)));
    byte[] json = utf8(users ? userDocument(id) : orderDocument(id));
    return switch (random.nextInt(3)) {
      case 0 -> new Insert(collection, json, guard);
      case 1 -> new Update(collection, json, guard);
      default -> new Delete(collection, id, guard);
    };
  }

  private Precondition guard(long seen) {
    int g = random.nextInt(10);
    if (g < 6) {
      return seen == 0 ? Precondition.absent() : Precondition.version(seen);
    }
    if (g < 8) {
      return Precondition.absent();
    }
    return g == 8 || seen <= 1 ? Precondition.NONE : Precondition.version(seen - 1);
  }

  /**
   * An atomic batch [TX1] of 1 to 5 operations across both collections, each chosen from what the
   * client read (insert what is absent, update or delete what is live, mostly guarded by that
   * version), so that many take effect; now and then one operation is stale or invalid, or a
   * document comes twice, and the whole batch must be refused.
   */
  private ClientRequest batch(ToLongFunction<DocumentKey> version) {
    int n = 1 + random.nextInt(5);
    List<Command> ops = new ArrayList<>();
    java.util.TreeSet<DocumentKey> used = new java.util.TreeSet<>();
    StringBuilder d = new StringBuilder("batch");
    for (int i = 0; i < n; i++) {
      boolean users = random.nextInt(8) == 0;
      String collection = users ? USERS : ORDERS;
      String id = users ? "u" + random.nextInt(10) : "o" + random.nextInt(6);
      DocumentKey key = new DocumentKey(collection, id);
      if (!used.add(key) && random.nextInt(4) != 0) {
        continue; // mostly distinct documents; sometimes one twice (refused whole)
      }
      long seen = version.applyAsLong(key);
      Precondition guard =
          random.nextInt(10) == 0
              ? Precondition.version(seen + 1) // stale: refused whole
              : random.nextInt(3) == 0
                  ? Precondition.NONE
                  : seen == 0 ? Precondition.absent() : Precondition.version(seen);
      byte[] json = utf8(users ? userDocument(id) : batchOrder(id));
      Command op =
          seen == 0
              ? new Insert(collection, json, guard)
              : random.nextInt(4) == 0
                  ? new Delete(collection, id, guard)
                  : new Update(collection, json, guard);
      ops.add(op);
      d.append(ops.size() == 1 ? " " : ", ").append(op.fingerprintName()).append(' ');
      d.append(collection).append('/').append(id);
    }
    return request(new AtomicBatch(ops), d.toString());
  }

  private static String idOf(Command c) {
    if (c instanceof Delete del) {
      return del.id();
    }
    String json =
        new String(
            c instanceof Insert in ? in.documentJson() : ((Update) c).documentJson(),
            StandardCharsets.UTF_8);
    int at = json.indexOf("\"_id\":\"");
    return at < 0 ? "?" : json.substring(at + 7, json.indexOf('"', at + 7));
  }

  /** A document for users: mostly valid under one of its schema versions, sometimes under none. */
  private String userDocument(String id) {
    List<String> fields = new ArrayList<>();
    fields.add("\"_id\":\"" + id + "\"");
    int shape = random.nextInt(20);
    if (shape == 1) {
      fields.add("\"name\":17"); // wrong type under every version
    } else if (shape != 0) { // 0: no name (invalid while name is required)
      fields.add("\"name\":\"n" + (values++) + "\"");
    }
    int age = random.nextInt(4);
    if (age == 1 || age == 2) {
      fields.add("\"age\":" + random.nextInt(100));
    } else if (age == 3) {
      fields.add("\"age\":\"" + random.nextInt(100) + "\"");
    }
    if (random.nextInt(4) == 0) {
      fields.add("\"tag\":\"t" + random.nextInt(3) + "\"");
    }
    if (random.nextInt(40) == 0) {
      fields.add("\"zzz\":true"); // declared by no version
    }
    return object(fields);
  }

  /** An order valid under both order schemas (note present) but for a 1-in-20 bad qty. */
  private String batchOrder(String id) {
    List<String> fields = new ArrayList<>();
    fields.add("\"_id\":\"" + id + "\"");
    fields.add(random.nextInt(20) == 0 ? "\"qty\":\"many\"" : "\"qty\":" + random.nextInt(1000));
    fields.add("\"note\":\"b" + (values++) + "\"");
    return object(fields);
  }

  private String orderDocument(String id) {
    List<String> fields = new ArrayList<>();
    fields.add("\"_id\":\"" + id + "\"");
    fields.add(random.nextInt(20) == 0 ? "\"qty\":\"many\"" : "\"qty\":" + random.nextInt(1000));
    if (random.nextBoolean()) {
      fields.add("\"note\":\"v" + (values++) + "\"");
    }
    return object(fields);
  }

  /** The fields in a random order with random spacing: canonicalization must not care. */
  private String object(List<String> fields) {
    Collections.shuffle(fields, random);
    return "{" + String.join(random.nextBoolean() ? "," : " ,\n ", fields) + "}";
  }

  private ClientRequest authority() {
    TreeMap<String, String> fields = new TreeMap<>();
    String kind;
    switch (random.nextInt(4)) {
      case 0 -> {
        kind = AuthorityHistory.MEMBERSHIP;
        fields.put("requestId", "m" + requests);
        fields.put("action", random.nextBoolean() ? "add-learner" : "remove");
        fields.put("nodeId", "n" + (6 + random.nextInt(2)));
        fields.put("apiAddress", "127.0.0.1:1");
        fields.put("raftAddress", "127.0.0.1:2");
      }
      case 1 -> {
        kind = AuthorityHistory.TRANSFER_OUTCOME;
        fields.put("requestId", "transfer-" + random.nextInt(4));
        fields.put("outcome", "timed-out");
      }
      case 2 -> {
        kind = AuthorityHistory.EPOCH; // no cause: refused by prepare, never proposed
        fields.put("leaderId", "n1");
      }
      default -> {
        kind = "no-such-kind";
        fields.put("x", "y");
      }
    }
    return request(new RecordAuthority(kind, fields), "authority " + kind);
  }

  private ClientRequest request(Command command, String description) {
    long n = ++requests;
    byte[] requestId = random.nextInt(5) == 0 ? new byte[0] : utf8("q" + n);
    ClientRequest r = new ClientRequest(n, requestId, command, description);
    if (r.hasRequestId()) {
      remembered.add(r);
      if (remembered.size() > REMEMBERED_MAX) {
        remembered.remove(0);
      }
    }
    return r;
  }

  /**
   * A request to send again with its request_id: mostly one whose outcome its client does not know,
   * sometimes any (a client that lost the answer); null if none.
   */
  ClientRequest retry() {
    if (remembered.isEmpty()) {
      return null;
    }
    List<ClientRequest> unknown = new ArrayList<>();
    for (ClientRequest r : remembered) {
      if (r.outcome == ClientRequest.Outcome.UNKNOWN) {
        unknown.add(r);
      }
    }
    List<ClientRequest> from = unknown.isEmpty() || random.nextInt(4) == 0 ? remembered : unknown;
    return from.get(random.nextInt(from.size()));
  }

  /** A new command under an old request_id (a client bug): apply answers KEY_REUSED. */
  ClientRequest reuse(Catalog catalog, ToLongFunction<DocumentKey> version) {
    if (remembered.isEmpty()) {
      return null;
    }
    ClientRequest old = remembered.get(random.nextInt(remembered.size()));
    ClientRequest fresh = next(catalog, version);
    return new ClientRequest(
        ++requests, old.requestId, fresh.command, fresh.description + " (reusing " + old + ")");
  }
}
