package io.aerodb.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.node.cli.AeroCli;
import io.aerodb.node.testing.InProcessCluster;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.ListIndexesReply;
import io.aerodb.proto.v1.QueryHit;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.WriteReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries on an in-process 3-node cluster (real Ratis, RocksDB and gRPC on loopback): index
 * creation is a replicated command built on every node, a schema publication keeps the documents'
 * versions, the same query on every node at the same applied index returns identical bytes and the
 * same explain [Q3, T1, T2], linearizable queries see the latest write, bad input gets its REJECT
 * code over the wire and the nodes keep serving [Q1, Q2], and the issue's CLI session works with
 * the --json contract (one object on stdout, exit codes 0/1/2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryClusterIT {
  static final String SCHEMA_V1 =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true},"
          + "\"age\":{\"type\":\"int\",\"required\":false},"
          + "\"city\":{\"type\":\"string\",\"required\":false},"
          + "\"address\":{\"type\":\"object\",\"required\":false,"
          + "\"fields\":{\"city\":{\"type\":\"string\",\"required\":true}}}}}";

  /** Version 2: age becomes a float (so 36.5 is valid), a new optional field. */
  static final String SCHEMA_V2 =
      SCHEMA_V1
          .replace("\"age\":{\"type\":\"int\"", "\"age\":{\"type\":\"float\"")
          .replace(
              "\"city\":{\"type\":\"string\",\"required\":false},",
              "\"city\":{\"type\":\"string\",\"required\":false},\"vip\":{\"type\":\"bool\",\"required\":false},");

  static final String[] CITIES = {"Oslo", "Bergen", "Rome", "Lima"};

  @TempDir static Path dir;
  InProcessCluster cluster;
  AeroClient client;
  long lastWrite;

  @BeforeAll
  void start() throws Exception {
    cluster = new InProcessCluster(dir, 3);
    cluster.awaitLeader(30_000);
    client = AeroClient.connect(cluster.layout.apiAddresses());
    client.createCollection("users", SCHEMA_V1);
    for (int i = 0; i < 40; i++) {
      client.insert(
          "users",
          "{\"_id\":\"u"
              + (100 + i)
              + "\",\"name\":\"N"
              + i
              + "\",\"age\":"
              + (20 + (i * 7) % 30)
              + ",\"city\":\""
              + CITIES[i % 4]
              + "\",\"address\":{\"city\":\""
              + CITIES[(i + 1) % 4]
              + "\"}}");
    }
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void indexesAreBuiltOnEveryNodeAndSchemaVersionsAreKept() {
    WriteReply age = client.createIndex("users", "age");
    client.createIndex("users", "city");
    client.createIndex("users", "address.city");
    assertThatThrownBy(() -> client.createIndex("users", "age"))
        .isInstanceOfSatisfying(
            AeroClientException.class, e -> assertThat(e.code()).isEqualTo("AERO_INDEX_EXISTS"));
    WriteReply v2 = client.publishSchema("users", SCHEMA_V2);
    assertThat(v2.getSchemaVersion()).isEqualTo(2);
    client.insert(
        "users", "{\"_id\":\"u900\",\"name\":\"F\",\"age\":36.5,\"city\":\"Oslo\",\"vip\":true}");
    lastWrite =
        client
            .insert("users", "{\"_id\":\"u901\",\"name\":\"G\",\"age\":36,\"city\":\"Oslo\"}")
            .getCommitIndex();

    ListIndexesReply list = client.listIndexes("users");
    assertThat(list.getIndexesList())
        .extracting(i -> i.getField())
        .containsExactly("_id", "address.city", "age", "city");
    assertThat(list.getIndexes(2).getCreatedIndex()).isEqualTo(age.getCommitIndex());
    assertThat(list.getSchemaVersionsList()).extracting(v -> v.getVersion()).containsExactly(1, 2);
    assertThat(list.getReceipt().getIndex()).isGreaterThanOrEqualTo(lastWrite);

    QueryReply r = client.query(query("{\"age\":{\"gte\":36,\"lt\":37}}", "-age", 10));
    assertThat(r.getResultsList())
        .extracting(QueryHit::getId)
        .containsExactly("u900", "u901", "u128");
    assertThat(r.getResultsList()).extracting(QueryHit::getSchemaVersion).containsExactly(2, 2, 1);
    assertThat(r.getReceipt().getIndex()).isGreaterThanOrEqualTo(lastWrite); // linearizable
    assertThat(r.getReceipt().getConsistency()).isEqualTo(Consistency.LINEARIZABLE);
  }

  @Test
  @Order(2)
  void theSameQueryOnEveryNodeAtTheSameIndexReturnsIdenticalBytes() throws Exception {
    List<QueryRequest> queries =
        List.of(
            query("{\"age\":{\"gte\":30,\"lt\":40},\"city\":\"Oslo\"}", "-age", 20),
            query("{\"city\":{\"in\":[\"Rome\",\"Lima\"]}}", "age", 7),
            query("{\"address.city\":{\"gte\":\"C\"}}", "-address.city", 15),
            query("{\"_id\":{\"gte\":\"u110\",\"lt\":\"u130\"},\"age\":{\"gt\":25}}", "-_id", 5),
            query("{\"age\":36}", "", 50));
    for (QueryRequest q : queries) {
      byte[][] replies = new byte[3][];
      byte[][] explains = new byte[3][];
      long[] views = new long[3];
      // Ask all three until they answer at the same view (a node may not have applied the same
      // entries yet).
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                for (int n = 0; n < 3; n++) {
                  QueryRequest atLeast =
                      q.toBuilder()
                          .setConsistency(Consistency.AT_LEAST_INDEX)
                          .setMinIndex(lastWrite)
                          .build();
                  String node = cluster.layout.apiAddress(n);
                  QueryReply r = client.queryAt(node, atLeast);
                  ExplainReply x = client.explainAt(node, atLeast);
                  assertThat(r.getReceipt().getNodeId()).isEqualTo(cluster.layout.ids.get(n));
                  views[n] = r.getReceipt().getIndex();
                  replies[n] = r.toBuilder().clearReceipt().build().toByteArray();
                  explains[n] = x.getExplainJson().getBytes(StandardCharsets.UTF_8);
                }
                return views[0] == views[1] && views[1] == views[2];
              });
      assertThat(views[1]).isEqualTo(views[0]);
      assertThat(views[2]).isEqualTo(views[0]);
      assertThat(replies[1]).as("%s", q).isEqualTo(replies[0]);
      assertThat(replies[2]).as("%s", q).isEqualTo(replies[0]);
      assertThat(explains[1]).isEqualTo(explains[0]);
      assertThat(explains[2]).isEqualTo(explains[0]);
      assertThat(new String(explains[0], StandardCharsets.UTF_8))
          .contains("\"readView\":" + views[0])
          .doesNotContain("rejected");
    }
    QueryReply oslo = client.query(queries.get(0));
    assertThat(oslo.getResultsCount()).isPositive();
    assertThat(oslo.getScan()).isEqualTo("INDEX_EQ");
    assertThat(oslo.getIndex()).isEqualTo("city");
  }

  @Test
  @Order(3)
  void badInputGetsItsRejectCodeOverTheWireAndNothingBreaks() {
    Object[][] cases = {
      {query("{}", "", 10), "AERO_QUERY_UNBOUNDED", "Q1"},
      {query("{\"age\":30}", "", 0), "AERO_QUERY_LIMIT_REQUIRED", "Q1"},
      {query("{\"age\":30}", "", -3), "AERO_QUERY_LIMIT_REQUIRED", "Q1"},
      {query("{\"age\":30}", "", Long.MAX_VALUE), "AERO_QUERY_LIMIT_TOO_LARGE", "Q1"},
      {query("{\"name\":\"Ada\"}", "", 10), "AERO_QUERY_UNINDEXED_FIELD", "Q2"},
      {query("{\"age\":30}", "name", 10), "AERO_QUERY_SORT_NOT_INDEXED", "Q2"},
      {query("{\"age\":", "", 10), "AERO_QUERY_FILTER_MALFORMED", ""},
      {query("[1,2]", "", 10), "AERO_QUERY_FILTER_MALFORMED", ""},
      {query("{\"age\":{\"$gt\":3}}", "", 10), "AERO_QUERY_UNKNOWN_OPERATOR", ""},
      {query("{\"age\":null}", "", 10), "AERO_QUERY_VALUE_INVALID", ""},
      {query("{\"age\":\"old\"}", "", 10), "AERO_QUERY_VALUE_TYPE_MISMATCH", ""},
      {query("{\"age\":{\"in\":" + numbers(1001) + "}}", "", 10), "AERO_QUERY_IN_TOO_LONG", "Q1"},
      {
        query("{\"city\":\"" + "x".repeat(70_000) + "\"}", "", 10),
        "AERO_QUERY_FILTER_TOO_LARGE",
        "Q1"
      },
      {query("{\"height\":3}", "", 10), "AERO_QUERY_FIELD_UNKNOWN", ""},
      {query("{\"age\":3}", "a..b", 10), "AERO_QUERY_SORT_INVALID", ""},
      {
        query("{\"age\":3}", "", 10).toBuilder().setCollection("nope").build(),
        "AERO_COLLECTION_NOT_FOUND",
        ""
      },
    };
    for (Object[] c : cases) {
      QueryRequest q = (QueryRequest) c[0];
      assertThatThrownBy(() -> client.query(q))
          .as("%s", c[1])
          .isInstanceOfSatisfying(
              AeroClientException.class,
              e -> {
                assertThat(e.code()).isEqualTo(c[1]);
                assertThat(e.severity()).isEqualTo("REJECT");
                assertThat(e.invariant()).isEqualTo(c[2]);
              });
      ExplainReply x = client.explain(q);
      assertThat(x.getExplainJson())
          .contains("\"code\":\"" + c[1] + "\"")
          .contains("\"invariant\":\"" + c[2] + "\"");
    }
    assertThatThrownBy(
            () -> client.query(query("{\"city\":\"" + "y".repeat(3 * 1024 * 1024) + "\"}", "", 1)))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_LIMIT_REQUEST_SIZE"));
    assertThatThrownBy(() -> client.createIndex("users", "address"))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_INDEX_FIELD_INVALID"));
    assertThatThrownBy(() -> client.publishSchema("users", SCHEMA_V2))
        .isInstanceOfSatisfying(
            AeroClientException.class,
            e -> assertThat(e.code()).isEqualTo("AERO_SCHEMA_UNCHANGED"));
    // Still serving, every node.
    assertThat(client.query(query("{\"age\":36}", "", 5)).getResultsCount()).isEqualTo(2);
    assertThat(cluster.fatals).isEmpty();
  }

  @Test
  @Order(4)
  void theIssuesCliSessionWorksWithTheJsonContract() {
    String cluster = String.join(",", this.cluster.layout.apiAddresses());
    Cli create = cli("--cluster", cluster, "--json", "index", "create", "users", "name");
    assertThat(create.exit).as(create.err).isZero();
    assertThat(create.json().get("op")).isEqualTo(new JsonValue.Str("index create"));

    Cli drop = cli("--cluster", cluster, "--json", "index", "drop", "users", "name");
    assertThat(drop.exit).isZero();
    Cli list = cli("--cluster", cluster, "--json", "index", "list", "users");
    assertThat(list.exit).isZero();
    assertThat(list.out).contains("\"field\":\"age\"").doesNotContain("\"field\":\"name\"");

    String v3 = SCHEMA_V2.replace("\"vip\":{\"type\":\"bool\"", "\"vip\":{\"type\":\"string\"");
    Cli publish = cli("--cluster", cluster, "--json", "schema", "publish", "users", "--schema", v3);
    assertThat(publish.exit).as(publish.err).isZero();
    assertThat(publish.json().get("schemaVersion")).isEqualTo(new JsonValue.Int(3));

    String filter = "{\"age\":{\"gte\":30,\"lt\":40},\"city\":\"Oslo\"}";
    Cli q =
        cli(
            "--cluster",
            cluster,
            "--json",
            "query",
            "users",
            "--filter",
            filter,
            "--sort",
            "-age",
            "--limit",
            "20");
    assertThat(q.exit).as(q.err).isZero();
    assertThat(q.out.trim()).doesNotContain("\n");
    JsonValue.Obj result = q.json();
    List<JsonValue> results = ((JsonValue.Arr) result.get("results")).elements();
    assertThat(results).isNotEmpty();
    List<Double> ages = new ArrayList<>();
    for (JsonValue r : results) {
      JsonValue age = ((JsonValue.Obj) ((JsonValue.Obj) r).get("document")).get("age");
      ages.add(age instanceof JsonValue.Int i ? (double) i.value() : ((JsonValue.Flt) age).value());
    }
    List<Double> sorted = new ArrayList<>(ages);
    sorted.sort(java.util.Comparator.reverseOrder());
    assertThat(ages).isEqualTo(sorted).allMatch(a -> a >= 30 && a < 40);

    Cli x1 =
        cli(
            "--cluster",
            cluster,
            "--json",
            "explain",
            "users",
            "--filter",
            filter,
            "--sort",
            "age",
            "--limit",
            "20");
    assertThat(x1.exit).isZero();
    JsonValue.Obj explain = (JsonValue.Obj) x1.json().get("explain");
    assertThat(((JsonValue.Obj) explain.get("index")).get("field"))
        .isEqualTo(new JsonValue.Str("city"));
    assertThat(((JsonValue.Obj) explain.get("scan")).get("kind"))
        .isEqualTo(new JsonValue.Str("INDEX_EQ"));
    Cli x2 =
        cli(
            "--cluster",
            cluster,
            "--json",
            "explain",
            "users",
            "--filter",
            filter,
            "--sort",
            "age",
            "--limit",
            "20");
    assertThat(x2.json().get("explain")).isEqualTo(explain); // same view, same bytes

    Cli unbounded = cli("--cluster", cluster, "--json", "query", "users", "--limit", "5");
    assertThat(unbounded.exit).isEqualTo(1);
    assertThat(unbounded.out).contains("AERO_QUERY_UNBOUNDED").contains("\"invariant\":\"Q1\"");
    Cli noLimit = cli("--cluster", cluster, "--json", "query", "users", "--filter", "{\"age\":3}");
    assertThat(noLimit.exit).isEqualTo(1);
    assertThat(noLimit.out).contains("AERO_QUERY_LIMIT_REQUIRED");
    Cli explainRejected =
        cli(
            "--cluster",
            cluster,
            "--json",
            "explain",
            "users",
            "--filter",
            "{\"name\":\"x\"}",
            "--limit",
            "5");
    assertThat(explainRejected.exit).isZero();
    assertThat(explainRejected.out)
        .contains("AERO_QUERY_UNINDEXED_FIELD")
        .contains("\"invariant\":\"Q2\"");
    Cli badLimit = cli("--cluster", cluster, "--json", "query", "users", "--limit", "many");
    assertThat(badLimit.exit).isEqualTo(2);
    assertThat(badLimit.out).startsWith("{\"error\":");
  }

  // ----------------------------------------------------------------------------------- helpers

  private static QueryRequest query(String filter, String sort, long limit) {
    boolean desc = sort.startsWith("-");
    return QueryRequest.newBuilder()
        .setCollection("users")
        .setFilterJson(filter)
        .setSortField(desc ? sort.substring(1) : sort)
        .setDescending(desc)
        .setLimit(limit)
        .build();
  }

  private static String numbers(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(i);
    }
    return sb.append(']').toString();
  }

  private record Cli(int exit, String out, String err) {
    JsonValue.Obj json() {
      return (JsonValue.Obj)
          JsonReader.parse(
              out.trim().getBytes(StandardCharsets.UTF_8), new JsonLimits(1 << 24, 16, 100_000));
    }
  }

  private static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        AeroCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli(
        exit,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8) + Arrays.toString(args));
  }
}
