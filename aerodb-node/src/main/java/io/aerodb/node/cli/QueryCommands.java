package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.core.json.JsonLimits;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.json.JsonValue;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.Consistency;
import io.aerodb.proto.v1.ExplainReply;
import io.aerodb.proto.v1.QueryHit;
import io.aerodb.proto.v1.QueryReply;
import io.aerodb.proto.v1.QueryRequest;
import io.aerodb.proto.v1.ReadReceipt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** query, explain. */
final class QueryCommands {
  private QueryCommands() {}

  static Out receipt(ReadReceipt r) {
    return Out.object()
        .put("index", r.getIndex())
        .put("nodeId", r.getNodeId())
        .put("term", r.getTerm())
        .put("consistency", r.getConsistency().name());
  }

  /** The options query and explain share; the server checks everything (codes AERO_QUERY_*). */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Option(
        names = "--filter",
        description =
            "JSON: {\"field\": value | {\"eq|gt|gte|lt|lte\": value, \"in\": [values]}, ...};"
                + " nested fields as \"address.city\". Required by the server (an empty filter is"
                + " refused).")
    String filter = "{}";

    @Option(
        names = "--sort",
        paramLabel = "[-]FIELD",
        description = "Order by FIELD (then _id); -FIELD for descending. Default: by _id.")
    String sort = "";

    @Option(
        names = "--limit",
        description = "Most results (mandatory: > 0, at most the node's api.queryLimitMax).")
    long limit;

    @Option(
        names = "--min-index",
        description = "Serve from one node once it applied at least this index (follower read).")
    Long minIndex;

    @Option(
        names = "--at-index",
        description =
            "A history read: the query at exactly this commit index (one node, once it applied it;"
                + " refused below the GC floor).")
    Long atIndex;

    @Option(
        names = "--node",
        description = "With --min-index or --at-index: the node host:port to read from.")
    String node;

    /** A usage error for a negative index, or null. */
    String badIndex() {
      return (minIndex != null && minIndex < 0) || (atIndex != null && atIndex < 0)
          ? "--min-index and --at-index are commit indexes: 0 or more"
          : null;
    }

    /** Whether the read goes to one node (a follower or history read) rather than any. */
    boolean oneNode() {
      return minIndex != null || atIndex != null;
    }

    QueryRequest request() {
      boolean descending = sort.startsWith("-");
      QueryRequest.Builder b =
          QueryRequest.newBuilder()
              .setCollection(collection)
              .setFilterJson(filter)
              .setSortField(descending ? sort.substring(1) : sort)
              .setDescending(descending)
              .setLimit(limit)
              .setConsistency(Consistency.LINEARIZABLE);
      if (atIndex != null) {
        b.setConsistency(Consistency.AT_INDEX).setMinIndex(atIndex);
      } else if (minIndex != null) {
        b.setConsistency(Consistency.AT_LEAST_INDEX).setMinIndex(minIndex);
      }
      return b.build();
    }

    String target(AeroCli root) {
      return node != null ? node : root.endpoints().get(0);
    }
  }

  @Command(
      name = "query",
      description =
          "Run a bounded query (linearizable unless --min-index or --at-index is given): results"
              + " ordered by the"
              + " sort field then _id, at one read view named by the receipt.")
  static final class Query extends Base {
    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        if (badIndex() != null) {
          root.err.println(badIndex());
          return ExitCodes.USAGE;
        }
        QueryRequest req = request();
        QueryReply r = oneNode() ? c.queryAt(target(root), req) : c.query(req);
        if (root.json) {
          List<Out> results = new ArrayList<>();
          for (QueryHit h : r.getResultsList()) {
            results.add(
                Out.object()
                    .put("id", h.getId())
                    .put("document", json(h.getDocumentJson(), Limits.DOCUMENT_JSON))
                    .put("versionIndex", h.getVersionIndex())
                    .put("schemaVersion", h.getSchemaVersion()));
          }
          Out.object()
              .put("collection", collection)
              .put("count", r.getResultsCount())
              .putList("results", results)
              .put("index", r.getIndex())
              .put("scan", r.getScan())
              .put("entriesExamined", r.getEntriesExamined())
              .put("documentsRead", r.getDocumentsRead())
              .put("receipt", receipt(r.getReceipt()))
              .print(root.out);
        } else {
          for (QueryHit h : r.getResultsList()) {
            root.out.println(h.getDocumentJson());
          }
          root.err.println(
              r.getResultsCount()
                  + " result(s) at index "
                  + r.getReceipt().getIndex()
                  + " on "
                  + r.getReceipt().getNodeId()
                  + " ("
                  + r.getScan()
                  + " on "
                  + r.getIndex()
                  + ", "
                  + r.getEntriesExamined()
                  + " entries examined)");
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  @Command(
      name = "explain",
      description =
          "Show the plan a query would use (index, scan, predicates in evaluation order, sort,"
              + " limit, proven bound, read view), or the code and invariant it would be refused"
              + " with. Reads no document; exits 0 in both cases.")
  static final class Explain extends Base {
    @Override
    public Integer call() {
      AeroCli root = AeroCli.root(spec);
      try (AeroClient c = root.client()) {
        if (badIndex() != null) {
          root.err.println(badIndex());
          return ExitCodes.USAGE;
        }
        QueryRequest req = request();
        ExplainReply r = oneNode() ? c.explainAt(target(root), req) : c.explain(req);
        if (root.json) {
          Out.object()
              .put(
                  "explain", json(r.getExplainJson(), new JsonLimits(16 * 1024 * 1024, 8, 100_000)))
              .put("receipt", receipt(r.getReceipt()))
              .print(root.out);
        } else {
          root.out.println(r.getExplainJson());
        }
        return ExitCodes.OK;
      } catch (AeroClientException e) {
        return root.fail(e);
      }
    }
  }

  private static JsonValue json(String text, JsonLimits limits) {
    return JsonReader.parse(text.getBytes(StandardCharsets.UTF_8), limits);
  }
}
