package io.aerodb.node.install;

import com.google.protobuf.ByteString;
import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.engine.StoreContents;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.proto.peer.v1.FetchStoreRequest;
import io.aerodb.proto.peer.v1.StoreChunk;
import io.aerodb.proto.peer.v1.StoreFile;
import io.aerodb.proto.peer.v1.StoreManifest;
import io.aerodb.proto.peer.v1.StorePart;
import io.aerodb.proto.v1.BackupChunk;
import io.aerodb.proto.v1.BackupCollection;
import io.aerodb.proto.v1.BackupFile;
import io.aerodb.proto.v1.BackupManifest;
import io.aerodb.proto.v1.BackupPart;
import io.aerodb.proto.v1.BackupRequest;
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
 * The answering side of {@code PeerService.FetchStore} (an install) and {@code AdminService.Backup}
 * (a backup): a RocksDB checkpoint of this node's store (consistent at one applied index), its
 * manifest (every file's size and CRC32C), then the files in chunks. Sends only while gRPC says the
 * stream is ready (back-pressure: a slow follower slows the sender, never grows a queue); a stream
 * that stays not ready for {@link #STALL_MS} is abandoned. The checkpoint lives in {@code
 * dataDir/checkpoints/} and is deleted when the stream ends in any way (and at start, by the node,
 * for a crash).
 */
public final class StoreSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreSender.class);

  /** Bytes per chunk message (well below gRPC's 4 MiB message default). */
  static final int CHUNK_BYTES = 1024 * 1024;

  /** How long a stream may stay unable to take a chunk before the send is abandoned. */
  static final long STALL_MS = 30_000;

  /** Stream format of the manifest and chunks. */
  static final int FORMAT = 1;

  private static final String INSTALL = "install";
  private static final String BACKUP = "backup";

  /** Backups sent at once (an install is never refused because of backups). */
  static final int BACKUPS_MAX = 1;

  private int backupsActive; // guarded by this

  private final Engine engine;
  private final Path checkpoints;
  private final String nodeId;
  private final String clusterName;
  private final int concurrentMax;
  private final InstallProgress progress;
  private final java.util.function.Consumer<AeroError> onCorruption;
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
   * @param onCorruption told when reading a checkpoint finds corrupt data (the node must stop)
   */
  public StoreSender(
      Engine engine,
      Path checkpoints,
      String nodeId,
      String clusterName,
      int concurrentMax,
      InstallProgress progress,
      java.util.function.Consumer<AeroError> onCorruption) {
    this.engine = engine;
    this.checkpoints = checkpoints;
    this.nodeId = nodeId;
    this.clusterName = clusterName;
    this.concurrentMax = concurrentMax;
    this.progress = progress;
    this.onCorruption = onCorruption;
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
    serve(
        INSTALL,
        request.getRequesterId(),
        request.getMinIndex(),
        out,
        errors,
        new Parts<>() {
          @Override
          public StorePart manifest(Checkpoint c) {
            StoreManifest.Builder m =
                StoreManifest.newBuilder()
                    .setFormat(FORMAT)
                    .setSourceId(nodeId)
                    .setClusterName(clusterName)
                    .setTerm(c.at().term())
                    .setIndex(c.at().index())
                    .setStateDigest(ByteString.copyFrom(c.at().digest()));
            for (int i = 0; i < c.files().size(); i++) {
              m.addFiles(
                  StoreFile.newBuilder()
                      .setName(c.files().get(i).getFileName().toString())
                      .setSize(c.sizes().get(i))
                      .setCrc32C(c.crcs().get(i)));
            }
            return StorePart.newBuilder().setManifest(m).build();
          }

          @Override
          public StorePart chunk(int file, long offset, ByteString data) {
            return StorePart.newBuilder()
                .setChunk(StoreChunk.newBuilder().setFile(file).setOffset(offset).setData(data))
                .build();
          }
        });
  }

  /**
   * Serves one Backup call: the same checkpoint stream as an install, with a manifest that also
   * carries what the copy holds ({@link StoreContents}: one read of the whole checkpoint before the
   * first byte is sent).
   */
  public void backup(
      BackupRequest request,
      StreamObserver<BackupPart> out,
      java.util.function.Function<AeroError, RuntimeException> errors) {
    serve(
        BACKUP,
        request.getRequester(),
        0,
        out,
        errors,
        new Parts<>() {
          @Override
          public BackupPart manifest(Checkpoint c) {
            StoreContents.Summary summary;
            try (RocksKvStore copy = RocksKvStore.openReadOnly(c.dir())) {
              summary = StoreContents.summarize(copy);
            }
            BackupManifest.Builder m =
                BackupManifest.newBuilder()
                    .setFormat(FORMAT)
                    .setSourceId(nodeId)
                    .setClusterName(clusterName)
                    .setTerm(c.at().term())
                    .setIndex(c.at().index())
                    .setStateDigest(ByteString.copyFrom(c.at().digest()))
                    .setContentDigest(ByteString.copyFrom(summary.contentDigest()))
                    .setKeys(summary.keys())
                    .setDocuments(summary.documents());
            for (StoreContents.Collection col : summary.collections().values()) {
              m.addCollections(
                  BackupCollection.newBuilder()
                      .setName(col.name())
                      .setDocuments(col.documents())
                      .addAllSchemas(col.schemas()));
            }
            for (int i = 0; i < c.files().size(); i++) {
              m.addFiles(
                  BackupFile.newBuilder()
                      .setName(c.files().get(i).getFileName().toString())
                      .setSize(c.sizes().get(i))
                      .setCrc32C(c.crcs().get(i)));
            }
            return BackupPart.newBuilder().setManifest(m).build();
          }

          @Override
          public BackupPart chunk(int file, long offset, ByteString data) {
            return BackupPart.newBuilder()
                .setChunk(BackupChunk.newBuilder().setFile(file).setOffset(offset).setData(data))
                .build();
          }
        });
  }

  /** A checkpoint ready to send: where it is, the applied state it reflects, its files. */
  record Checkpoint(
      Path dir, AppliedState at, List<Path> files, List<Long> sizes, List<Integer> crcs) {}

  /** The messages of one kind of checkpoint stream. */
  private interface Parts<M> {
    M manifest(Checkpoint c) throws IOException;

    M chunk(int file, long offset, ByteString data);
  }

  private <M> void serve(
      String kind,
      String requester,
      long minIndex,
      StreamObserver<M> out,
      java.util.function.Function<AeroError, RuntimeException> errors,
      Parts<M> parts) {
    ServerCallStreamObserver<M> stream = (ServerCallStreamObserver<M>) out;
    long applied = engine.applied().index();
    if (applied < minIndex) {
      out.onError(
          errors.apply(
              AeroError.of(
                  ErrorCode.AERO_STORE_SEND_REFUSED,
                  nodeId
                      + " applied only "
                      + applied
                      + " but the store must reflect at least "
                      + minIndex,
                  "appliedIndex",
                  Long.toString(applied),
                  "minIndex",
                  Long.toString(minIndex))));
      return;
    }
    boolean install = kind.equals(INSTALL);
    synchronized (this) {
      long active = install ? progress.sendsActive() : backupsActive;
      int max = install ? concurrentMax : BACKUPS_MAX;
      if (active >= max) {
        out.onError(
            errors.apply(
                AeroError.of(
                    ErrorCode.AERO_STORE_SEND_REFUSED,
                    nodeId
                        + " already sends "
                        + max
                        + " store(s) for "
                        + kind
                        + " (the most at once)",
                    "sendsMax",
                    Integer.toString(max))));
        return;
      }
      if (install) {
        progress.sendStarted();
      } else {
        backupsActive++;
      }
    }
    Readiness readiness = new Readiness(stream);
    threads.execute(
        () -> {
          Path dir = checkpoints.resolve(kind + "-" + sequence.incrementAndGet());
          try {
            Checkpoint c = checkpoint(dir, install, readiness);
            sendCheckpoint(kind, requester, c, stream, readiness, parts, install);
          } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
              Thread.currentThread().interrupt();
            }
            if (e instanceof io.aerodb.core.error.AeroException a
                && a.code() == ErrorCode.AERO_STORAGE_CORRUPTION) {
              // the checkpoint's files are hard links to the live store's: its damage is ours
              onCorruption.accept(a.error());
            }
            LOG.atWarn()
                .addKeyValue("event", "STORE_SEND_FAILED")
                .addKeyValue("kind", kind)
                .addKeyValue("requester", requester)
                .log("sending the store ({}) to {} failed: {}", kind, requester, e.toString());
            if (!readiness.cancelled()) {
              stream.onError(
                  errors.apply(
                      AeroError.of(
                          ErrorCode.AERO_STORE_SEND_REFUSED,
                          "sending the store failed on " + nodeId + ": " + e.getMessage())));
            }
          } finally {
            sending.remove(dir);
            synchronized (this) {
              if (install) {
                progress.sendEnded();
              } else {
                backupsActive--;
              }
            }
            try {
              StoreSwap.deleteTree(dir);
            } catch (IOException e) {
              LOG.warn("could not delete checkpoint {}: {}", dir, e.toString());
            }
          }
        });
  }

  /**
   * Makes the checkpoint and lists its files. For an install, snapshots are held at its index while
   * it exists (the installing member needs the log after it); a backup needs no log and holds
   * nothing.
   */
  private Checkpoint checkpoint(Path dir, boolean install, Readiness readiness) throws IOException {
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
    if (install) {
      sending.put(dir, at);
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    List<Long> sizes = new ArrayList<>();
    List<Integer> crcs = new ArrayList<>();
    for (Path f : files) {
      if (readiness.cancelled()) {
        throw new IOException("the requester cancelled the stream");
      }
      sizes.add(Files.size(f));
      crcs.add(crc32c(f));
    }
    return new Checkpoint(dir, at, List.copyOf(files), List.copyOf(sizes), List.copyOf(crcs));
  }

  private <M> void sendCheckpoint(
      String kind,
      String requester,
      Checkpoint c,
      ServerCallStreamObserver<M> stream,
      Readiness readiness,
      Parts<M> parts,
      boolean install)
      throws IOException, InterruptedException {
    long total = c.sizes().stream().mapToLong(Long::longValue).sum();
    M manifest = parts.manifest(c);
    if (readiness.cancelled()) {
      throw new IOException("the requester cancelled the stream");
    }
    LOG.atInfo()
        .addKeyValue("event", "STORE_SEND_STARTED")
        .addKeyValue("kind", kind)
        .addKeyValue("requester", requester)
        .addKeyValue("index", c.at().index())
        .addKeyValue("files", c.files().size())
        .addKeyValue("bytes", total)
        .log(
            "sending the store ({}) at index {} to {}: {} files, {} bytes",
            kind,
            c.at().index(),
            requester,
            c.files().size(),
            total);
    readiness.await();
    stream.onNext(manifest);
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
    for (int i = 0; i < c.files().size(); i++) {
      try (FileChannel in = FileChannel.open(c.files().get(i), StandardOpenOption.READ)) {
        long offset = 0;
        while (true) {
          buffer.clear();
          int n = in.read(buffer);
          if (n <= 0) {
            break;
          }
          buffer.flip();
          readiness.await();
          stream.onNext(parts.chunk(i, offset, ByteString.copyFrom(buffer)));
          offset += n;
          if (install) {
            progress.sent(n);
          }
        }
      }
    }
    stream.onCompleted();
    LOG.atInfo()
        .addKeyValue("event", "STORE_SENT")
        .addKeyValue("kind", kind)
        .addKeyValue("requester", requester)
        .addKeyValue("index", c.at().index())
        .log("sent the store ({}) at index {} to {}", kind, c.at().index(), requester);
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
