package io.aerodb.bench;

import io.aerodb.client.AeroClient;
import io.aerodb.proto.v1.GetReply;
import java.time.Duration;

/** AeroDB through the real Java client (leader following, idempotent retries). */
final class AeroDriver implements Driver {
  private final GrpcPing pinger;
  private final AeroClient client;
  private final String collection;

  AeroDriver(String endpoints, String collection) {
    this.pinger = new GrpcPing(endpoints.split(",")[0]);
    // Bounded: 10 s per call, 5 s per attempt, at most 20 attempts.
    this.client =
        AeroClient.connect(
            AeroClient.parseEndpoints(endpoints),
            new AeroClient.Options(Duration.ofSeconds(10), Duration.ofSeconds(5), 20));
    this.collection = collection;
  }

  @Override
  public void ping() {
    pinger.ping();
  }

  @Override
  public void insert(String id, String document) {
    client.insert(collection, document);
  }

  @Override
  public void update(String id, String document) {
    client.update(collection, document);
  }

  @Override
  public void insertAll(java.util.List<String> ids, java.util.List<String> documents) {
    io.aerodb.client.BatchBuilder b = client.batch();
    for (String d : documents) {
      b.insert(collection, d);
    }
    b.commit();
  }

  @Override
  public AutoCloseable watch(java.util.concurrent.atomic.AtomicLong received) {
    long from = client.get(collection, "-").getReceipt().getIndex() + 1;
    return client.watch(
        collection,
        from,
        new io.aerodb.client.WatchListener() {
          @Override
          public void onChange(io.aerodb.proto.v1.DocumentChange change) {
            received.incrementAndGet();
          }
        });
  }

  @Override
  public void get(String id) {
    GetReply r = client.get(collection, id);
    if (!r.getFound()) {
      throw new IllegalStateException("document " + id + " not found");
    }
  }

  @Override
  public void close() {
    pinger.close();
    client.close();
  }
}
