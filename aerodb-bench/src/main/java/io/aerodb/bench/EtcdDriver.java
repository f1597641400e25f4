package io.aerodb.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * etcd through jetcd: one client (one gRPC channel) shared by every thread. Puts and gets are the
 * defaults: a put is a Raft write, a get is linearizable (not serializable).
 */
final class EtcdDriver implements Driver {
  private final GrpcPing pinger;
  private final Client client;
  private final KV kv;
  private final String prefix;
  private static final GetOption LINEARIZABLE = GetOption.builder().withSerializable(false).build();

  EtcdDriver(String endpoints, String prefix) {
    String[] eps = endpoints.split(",");
    for (int i = 0; i < eps.length; i++) {
      eps[i] = eps[i].startsWith("http") ? eps[i] : "http://" + eps[i];
    }
    this.pinger = new GrpcPing(eps[0]);
    this.client = Client.builder().endpoints(eps).build();
    this.kv = client.getKVClient();
    this.prefix = prefix;
  }

  @Override
  public void ping() {
    pinger.ping();
  }

  private ByteSequence key(String id) {
    return ByteSequence.from(prefix + "/" + id, StandardCharsets.UTF_8);
  }

  @Override
  public void insert(String id, String document) throws Exception {
    kv.put(key(id), ByteSequence.from(document, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void insertAll(java.util.List<String> ids, java.util.List<String> documents)
      throws Exception {
    io.etcd.jetcd.op.Op[] puts = new io.etcd.jetcd.op.Op[ids.size()];
    for (int i = 0; i < puts.length; i++) {
      puts[i] =
          io.etcd.jetcd.op.Op.put(
              key(ids.get(i)),
              ByteSequence.from(documents.get(i), StandardCharsets.UTF_8),
              io.etcd.jetcd.options.PutOption.DEFAULT);
    }
    kv.txn().Then(puts).commit().get(10, TimeUnit.SECONDS);
  }

  @Override
  public AutoCloseable watch(java.util.concurrent.atomic.AtomicLong received) {
    io.etcd.jetcd.Watch.Watcher w =
        client
            .getWatchClient()
            .watch(
                ByteSequence.from(prefix + "/", StandardCharsets.UTF_8),
                io.etcd.jetcd.options.WatchOption.builder().isPrefix(true).build(),
                r -> received.addAndGet(r.getEvents().size()));
    return w::close;
  }

  @Override
  public void get(String id) throws Exception {
    GetResponse r = kv.get(key(id), LINEARIZABLE).get(10, TimeUnit.SECONDS);
    if (r.getKvs().isEmpty()) {
      throw new IllegalStateException("key " + id + " not found");
    }
  }

  @Override
  public void close() {
    pinger.close();
    client.close();
  }
}
