package io.aerodb.node.install;

import com.google.protobuf.ByteString;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.proto.peer.v1.FetchStoreRequest;
import io.aerodb.proto.peer.v1.StoreChunk;
import io.aerodb.proto.peer.v1.StoreFile;
import io.aerodb.proto.peer.v1.StoreManifest;
import io.aerodb.proto.peer.v1.StorePart;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answering side of {@code PeerService.FetchStore}: a RocksDB checkpoint of this node's store
 * (consistent at one applied index), its manifest (every file's size and CRC32C), then the files in
 * chunks. Sends only while gRPC says the stream is ready (back-pressure: a slow follower slows the
 * sender, never grows a queue); a stream that stays not ready for {@link #STALL_MS} is abandoned.
 * The checkpoint lives in {@code dataDir/checkpoints/} and is deleted when the stream ends in any
 * way (and at start, by the node, for a crash).
 */
public final class StoreSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreSender.class);

  /** Bytes per chunk message (well below gRPC's 4 MiB message default). */
  static final int CHUNK_BYTES = 1024 * 1024;

  /** How long a stream may stay unable to take a chunk before the send is abandoned. */
  static final long STALL_MS = 30_000;

  /** Stream format of the manifest and chunks. */
  static final int FORMAT = 1;

  private final Engine engine;
  private final Path checkpoints;
  private final String nodeId;
  private final String clusterName;
  private final int concurrentMax;
  private final InstallProgress progress;
  private final ExecutorService threads;
  private final AtomicLong sequence = new AtomicLong();

  /** The applied state of each checkpoint being sent, by its directory. */
  private final java.util.concurrent.ConcurrentHashMap<Path, AppliedState> sending =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The oldest checkpoint being sent (the state machine holds snapshots at it: no purge past). */
  public java.util.Optional<AppliedState> oldestSent() {
    return sending.values().stream().min(java.util.Comparator.comparingLong(AppliedState::index));
  }

  /**
   * @param checkpoints where checkpoints are made (on the store's file system: hard links)
   * @param concurrentMax stores sent at once; more are refused with RESOURCE_EXHAUSTED
   */
  public StoreSender(
      Engine engine,
      Path checkpoints,
      String nodeId,
      String clusterName,
      int concurrentMax,
      InstallProgress progress) {
    this.engine = engine;
    this.checkpoints = checkpoints;
    this.nodeId = nodeId;
    this.clusterName = clusterName;
    this.concurrentMax = concurrentMax;
    this.progress = progress;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "aerodb-store-sender-" + nodeId);
              t.setDaemon(true);
              return t;
            });
  }

  /** Deletes checkpoints a crash left behind (call at start, before serving). */
  public static void discardLeftovers(Path checkpoints) throws IOException {
    StoreSwap.deleteTree(checkpoints);
  }

  /**
   * Serves one FetchStore call (on the gRPC thread: sets the handlers, then sends elsewhere).
   *
   * @param errors turns a refusal into the status the stream ends with (AeroDB's error encoding)
   */
  public void send(
      FetchStoreRequest request,
      StreamObserver<StorePart> out,
      java.util.function.Function<AeroError, RuntimeException> errors) {
    ServerCallStreamObserver<StorePart> stream = (ServerCallStreamObserver<StorePart>) out;
    long applied = engine.applied().index();
    if (applied < request.getMinIndex()) {
      out.onError(
          errors.apply(
              AeroError.of(
                  ErrorCode.AERO_STORE_SEND_REFUSED,
                  nodeId
                      + " applied only "
                      + applied
                      + " but the store must reflect at least "
                      + request.getMinIndex(),
                  "appliedIndex",
                  Long.toString(applied),
                  "minIndex",
                  Long.toString(request.getMinIndex()))));
      return;
    }
    synchronized (this) {
      if (progress.sendsActive() >= concurrentMax) {
        out.onError(
            errors.apply(
                AeroError.of(
                    ErrorCode.AERO_STORE_SEND_REFUSED,
                    nodeId + " already sends " + concurrentMax + " store(s) (the most at once)",
                    "sendsMax",
                    Integer.toString(concurrentMax))));
        return;
      }
      progress.sendStarted();
    }
    Readiness readiness = new Readiness(stream);
    threads.execute(
        () -> {
          Path dir = checkpoints.resolve("fetch-" + sequence.incrementAndGet());
          try {
            sendCheckpoint(request, stream, readiness, dir);
          } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
              Thread.currentThread().interrupt();
            }
            LOG.atWarn()
                .addKeyValue("event", "STORE_SEND_FAILED")
                .addKeyValue("requester", request.getRequesterId())
                .log("sending the store to {} failed: {}", request.getRequesterId(), e.toString());
            if (!readiness.cancelled()) {
              stream.onError(
                  errors.apply(
                      AeroError.of(
                          ErrorCode.AERO_STORE_SEND_REFUSED,
                          "sending the store failed on " + nodeId + ": " + e.getMessage())));
            }
          } finally {
            sending.remove(dir);
            progress.sendEnded();
            try {
              StoreSwap.deleteTree(dir);
            } catch (IOException e) {
              LOG.warn("could not delete checkpoint {}: {}", dir, e.toString());
            }
          }
        });
  }

  private void sendCheckpoint(
      FetchStoreRequest request,
      ServerCallStreamObserver<StorePart> stream,
      Readiness readiness,
      Path dir)
      throws IOException, InterruptedException {
    Files.createDirectories(checkpoints);
    engine.withStore(
        s -> {
          if (!(s instanceof RocksKvStore rocks)) {
            throw new IllegalStateException("only a RocksDB store can be checkpointed");
          }
          rocks.checkpoint(dir);
          return null;
        });
    AppliedState at;
    try (RocksKvStore copy = RocksKvStore.openReadOnly(dir)) {
      at = Engine.appliedIn(copy);
    }
    sending.put(dir, at);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    StoreManifest.Builder manifest =
        StoreManifest.newBuilder()
            .setFormat(FORMAT)
            .setSourceId(nodeId)
            .setClusterName(clusterName)
            .setTerm(at.term())
            .setIndex(at.index())
            .setStateDigest(ByteString.copyFrom(at.digest()));
    long total = 0;
    for (Path f : files) {
      if (readiness.cancelled()) {
        throw new IOException("the requester cancelled the stream");
      }
      long size = Files.size(f);
      total += size;
      manifest.addFiles(
          StoreFile.newBuilder()
              .setName(f.getFileName().toString())
              .setSize(size)
              .setCrc32C(crc32c(f)));
    }
    LOG.atInfo()
        .addKeyValue("event", "STORE_SEND_STARTED")
        .addKeyValue("requester", request.getRequesterId())
        .addKeyValue("index", at.index())
        .addKeyValue("files", files.size())
        .addKeyValue("bytes", total)
        .log(
            "sending the store at index {} to {}: {} files, {} bytes",
            at.index(),
            request.getRequesterId(),
            files.size(),
            total);
    readiness.await();
    stream.onNext(StorePart.newBuilder().setManifest(manifest).build());
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
    for (int i = 0; i < files.size(); i++) {
      try (FileChannel in = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
        long offset = 0;
        while (true) {
          buffer.clear();
          int n = in.read(buffer);
          if (n <= 0) {
            break;
          }
          buffer.flip();
          readiness.await();
          stream.onNext(
              StorePart.newBuilder()
                  .setChunk(
                      StoreChunk.newBuilder()
                          .setFile(i)
                          .setOffset(offset)
                          .setData(ByteString.copyFrom(buffer)))
                  .build());
          offset += n;
          progress.sent(n);
        }
      }
    }
    stream.onCompleted();
    LOG.atInfo()
        .addKeyValue("event", "STORE_SENT")
        .addKeyValue("requester", request.getRequesterId())
        .addKeyValue("index", at.index())
        .log("sent the store at index {} to {}", at.index(), request.getRequesterId());
  }

  static int crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return (int) crc.getValue();
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }

  /** Waits until the stream can take a message (gRPC's onReady), or fails when it is gone. */
  private static final class Readiness {
    private final ServerCallStreamObserver<?> stream;
    private boolean cancelled; // guarded by this

    Readiness(ServerCallStreamObserver<?> stream) {
      this.stream = stream;
      stream.setOnReadyHandler(this::signal);
      stream.setOnCancelHandler(
          () -> {
            synchronized (this) {
              cancelled = true;
              notifyAll();
            }
          });
    }

    private synchronized void signal() {
      notifyAll();
    }

    synchronized boolean cancelled() {
      return cancelled;
    }

    synchronized void await() throws InterruptedException, IOException {
      long deadline = System.nanoTime() + STALL_MS * 1_000_000;
      while (!stream.isReady()) {
        if (cancelled) {
          throw new IOException("the requester cancelled the stream");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("the requester took no data for " + STALL_MS + " ms");
        }
        wait(Math.max(1, left / 1_000_000));
      }
      if (cancelled) {
        throw new IOException("the requester cancelled the stream");
      }
    }
  }
}
