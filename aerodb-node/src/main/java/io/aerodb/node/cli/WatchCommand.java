package io.aerodb.node.cli;

import io.aerodb.client.AeroClient;
import io.aerodb.client.AeroClientException;
import io.aerodb.client.Watch;
import io.aerodb.client.WatchListener;
import io.aerodb.core.json.JsonReader;
import io.aerodb.core.limits.Limits;
import io.aerodb.proto.v1.DocumentChange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** watch: the committed changes of a collection, as they happen. */
@Command(
    name = "watch",
    description =
        "Print every committed change of a collection from a commit index on, in commit order,"
            + " gap-free, following new commits (on any node; it moves to another node when its"
            + " node goes away). Ctrl-C prints the index to resume from.")
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Option(
      names = "--from-index",
      required = true,
      paramLabel = "N",
      description = "The first commit index to print (1 for the whole kept history).")
  long fromIndex;

  @Option(
      names = "--after-id",
      paramLabel = "ID",
      description = "Resume inside --from-index: only its changes whose _id sorts after ID.")
  String afterId = "";

  @Option(
      names = "--max-events",
      paramLabel = "K",
      description = "Stop after K changes (default: run until Ctrl-C).")
  Long maxEvents;

  @Override
  public Integer call() throws InterruptedException {
    AeroCli root = AeroCli.root(spec);
    if (fromIndex < 1 || (maxEvents != null && maxEvents < 1)) {
      root.err.println("--from-index and --max-events are 1 or more");
      return ExitCodes.USAGE;
    }
    AtomicLong seen = new AtomicLong();
    // what this command printed: the resume token it reports (the watch may have received more)
    long[] resume = {fromIndex};
    String[] resumeAfter = {afterId};
    AtomicReference<AeroClientException> failure = new AtomicReference<>();
    CountDownLatch stop = new CountDownLatch(1);
    try (AeroClient c = root.client()) {
      Watch[] watch = new Watch[1];
      WatchListener listener =
          new WatchListener() {
            @Override
            public void onChange(DocumentChange ch) {
              if (maxEvents != null && seen.get() >= maxEvents) {
                return;
              }
              print(root, ch);
              synchronized (resume) {
                resume[0] = ch.getIndex();
                resumeAfter[0] = ch.getId();
              }
              if (maxEvents != null && seen.incrementAndGet() >= maxEvents) {
                stop.countDown();
              }
            }

            @Override
            public void onProgress(long index) {
              synchronized (resume) {
                if ((maxEvents == null || seen.get() < maxEvents) && index + 1 > resume[0]) {
                  resume[0] = index + 1;
                  resumeAfter[0] = "";
                }
              }
            }

            @Override
            public void onResume(
                String endpoint, long from, String after, AeroClientException cause) {
              root.err.println(
                  "watch: "
                      + cause.code()
                      + "; resuming on "
                      + endpoint
                      + " from index "
                      + from
                      + (after.isEmpty() ? "" : " after _id '" + after + "'"));
            }

            @Override
            public void onError(AeroClientException error) {
              failure.set(error);
              stop.countDown();
            }
          };
      watch[0] = c.watch(collection, fromIndex, afterId, listener);
      Thread hook =
          new Thread(
              () -> {
                watch[0].close();
                printResume(root, resume, resumeAfter);
              });
      Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: say where to resume
      stop.await();
      watch[0].close();
      Runtime.getRuntime().removeShutdownHook(hook);
      watch[0].await(Duration.ofSeconds(5));
      if (failure.get() != null) {
        int exit = root.fail(failure.get());
        printResume(root, resume, resumeAfter);
        return exit;
      }
      printResume(root, resume, resumeAfter);
      return ExitCodes.OK;
    } catch (AeroClientException e) {
      return root.fail(e);
    }
  }

  private synchronized void print(AeroCli root, DocumentChange ch) {
    String kind = ch.getKind().name().toLowerCase(java.util.Locale.ROOT);
    if (root.json) {
      Out o =
          Out.object()
              .put("index", ch.getIndex())
              .put("op", kind)
              .put("collection", ch.getCollection())
              .put("id", ch.getId());
      if (ch.getKind() != DocumentChange.Kind.DELETE) {
        o.put(
                "document",
                JsonReader.parse(
                    ch.getDocumentJson().getBytes(StandardCharsets.UTF_8), Limits.DOCUMENT_JSON))
            .put("schemaVersion", ch.getSchemaVersion());
      }
      o.print(root.out);
    } else {
      root.out.println(
          ch.getIndex()
              + " "
              + kind
              + " "
              + ch.getCollection()
              + "/"
              + ch.getId()
              + (ch.getKind() == DocumentChange.Kind.DELETE ? "" : " " + ch.getDocumentJson()));
    }
    root.out.flush();
  }

  /** The position after the last change printed (or the last progress while caught up). */
  private static void printResume(AeroCli root, long[] resume, String[] after) {
    synchronized (resume) {
      root.err.println(
          "resume with: --from-index "
              + resume[0]
              + (after[0].isEmpty() ? "" : " --after-id '" + after[0] + "'"));
    }
    root.err.flush();
  }
}
