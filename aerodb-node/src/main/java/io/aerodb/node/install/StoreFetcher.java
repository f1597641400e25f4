package io.aerodb.node.install;

import io.aerodb.core.engine.AppliedState;
import io.aerodb.core.engine.Engine;
import io.aerodb.core.store.KvStore;
import io.aerodb.core.store.RocksKvStore;
import io.aerodb.node.raft.PeerDirectory;
import io.aerodb.proto.peer.v1.FetchStoreRequest;
import io.aerodb.proto.peer.v1.PeerServiceGrpc;
import io.aerodb.proto.peer.v1.StoreChunk;
import io.aerodb.proto.peer.v1.StoreFile;
import io.aerodb.proto.peer.v1.StoreManifest;
import io.aerodb.proto.peer.v1.StorePart;
import io.aerodb.ratis.StoreInstaller;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of a store install ({@link StoreInstaller}): fetches a checkpoint from the
 * member Raft names (the leader) over {@code PeerService.FetchStore}, writes it into {@code
 * install/incoming}, checks every file's size and CRC32C and the checkpoint's applied state against
 * the manifest, fsyncs it and marks it ready ({@link StoreSwap}); the swap happens when Ratis
 * reloads the state machine. One fetch at a time on its own thread; a stream that delivers nothing
 * for {@link #IDLE_MS} is cancelled. A failed attempt leaves the live store untouched, and Raft
 * asks again (after at least {@link #RETRY_PAUSE_MS}).
 */
public final class StoreFetcher implements StoreInstaller, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreFetcher.class);

  /** A fetch whose stream delivered nothing for this long is cancelled. */
  static final long IDLE_MS = 30_000;

  /**
   * How long the manifest may take: the source makes a checkpoint and reads every file once for its
   * CRC32C before sending it (about 1 GB/s here; 10 minutes covers stores of hundreds of GB).
   */
  static final long MANIFEST_WAIT_MS = 600_000;

  /** The least time between the end of a failed attempt and the next; doubles per failure. */
  static final long RETRY_PAUSE_MS = 1_000;

  /** The most time between two attempts. */
  static final long RETRY_PAUSE_MAX_MS = 60_000;

  /** RocksDB's file names (and nothing that could leave the directory). */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final String nodeId;
  private final String clusterName;
  private final PeerDirectory peers;
  private final StoreSwap swap;
  private final Path storeDir;
  private final InstallProgress progress;
  private final ScheduledExecutorService thread;

  /** Runs the watchdog of the fetch under way (the fetch thread itself is blocked reading). */
  private final ScheduledExecutorService watchdogTimer;

  private volatile long lastFailureNanos;
  private volatile long retryPauseMs = RETRY_PAUSE_MS;

  /**
   * The store staged and promised to Ratis, until {@link #swapIn} put it in place: a new
   * notification meanwhile must not fetch again (that would delete it under the swap).
   */
  private volatile AppliedState pending;

  public StoreFetcher(
      String nodeId,
      String clusterName,
      PeerDirectory peers,
      StoreSwap swap,
      Path storeDir,
      InstallProgress progress) {
    this.nodeId = nodeId;
    this.clusterName = clusterName;
    this.peers = peers;
    this.swap = swap;
    this.storeDir = storeDir;
    this.progress = progress;
    this.watchdogTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aerodb-store-fetch-watchdog-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aerodb-store-fetcher-" + nodeId);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public synchronized CompletableFuture<AppliedState> stage(String sourceId, long minIndex) {
    AppliedState promised = pending;
    if (promised != null) {
      // staged, not yet swapped in: the same store again if it is recent enough, else ask later
      return promised.index() >= minIndex
          ? CompletableFuture.completedFuture(promised)
          : CompletableFuture.failedFuture(
              new IOException(
                  "the staged store at "
                      + promised.index()
                      + " awaits its swap; the leader now needs "
                      + minIndex));
    }
    CompletableFuture<AppliedState> result = new CompletableFuture<>();
    long sinceFailureMs = (System.nanoTime() - lastFailureNanos) / 1_000_000;
    long delay = lastFailureNanos == 0 ? 0 : Math.max(0, retryPauseMs - sinceFailureMs);
    thread.schedule(
        () -> {
          try {
            AppliedState staged = fetch(sourceId, minIndex);
            pending = staged;
            retryPauseMs = RETRY_PAUSE_MS;
            lastFailureNanos = 0;
            result.complete(staged);
          } catch (IOException | RuntimeException e) {
            lastFailureNanos = System.nanoTime();
            retryPauseMs = Math.min(RETRY_PAUSE_MAX_MS, retryPauseMs * 2);
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            progress.failed(why);
            LOG.atError()
                .addKeyValue("event", "INSTALL_FAILED")
                .addKeyValue("source", sourceId)
                .addKeyValue("minIndex", minIndex)
                .log(
                    "fetching the store from {} failed (the live store is untouched): {}",
                    sourceId,
                    why);
            result.completeExceptionally(e);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
    return result;
  }

  private AppliedState fetch(String sourceId, long minIndex) throws IOException {
    progress.fetchStarted(sourceId);
    String address =
        peers
            .apiAddress(sourceId)
            .orElseThrow(() -> new IOException("the API address of " + sourceId + " is unknown"));
    LOG.atInfo()
        .addKeyValue("event", "INSTALL_STARTED")
        .addKeyValue("source", sourceId)
        .addKeyValue("minIndex", minIndex)
        .log("fetching a store at least at index {} from {} ({})", minIndex, sourceId, address);
    long started = System.nanoTime();
    Path incoming = swap.freshIncoming();
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(address)
            .usePlaintext()
            .maxInboundMessageSize(2 * StoreSender.CHUNK_BYTES + 64 * 1024)
            .build();
    Context.CancellableContext call = Context.current().withCancellation();
    Watchdog watchdog = new Watchdog(call);
    StoreManifest manifest;
    try {
      manifest =
          call.call(
              () ->
                  receive(
                      PeerServiceGrpc.newBlockingStub(channel)
                          .fetchStore(
                              FetchStoreRequest.newBuilder()
                                  .setRequesterId(nodeId)
                                  .setMinIndex(minIndex)
                                  .build()),
                      incoming,
                      minIndex,
                      sourceId,
                      watchdog));
    } catch (StatusRuntimeException e) {
      throw new IOException(
          "fetching from "
              + sourceId
              + " failed: "
              + e.getStatus().getCode()
              + " "
              + e.getStatus().getDescription()
              + (watchdog.fired ? " (the source went silent)" : ""),
          e);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    } finally {
      watchdog.stop();
      call.cancel(null);
      channel.shutdownNow();
    }
    AppliedState expected =
        new AppliedState(
            manifest.getTerm(), manifest.getIndex(), manifest.getStateDigest().toByteArray());
    AppliedState found;
    try (RocksKvStore copy = RocksKvStore.openReadOnly(incoming)) {
      found = Engine.appliedIn(copy);
      // every block's checksum: a store that was damaged on the sender's disk (the file CRC32Cs
      // only cover the transfer) is refused here, never installed (SPEC §5)
      copy.verifyChecksums();
    } catch (io.aerodb.core.error.AeroException e) {
      throw new IOException("the received store fails its checks: " + e.getMessage(), e);
    }
    if (found.index() != expected.index()
        || found.term() != expected.term()
        || !Arrays.equals(found.digest(), expected.digest())) {
      throw new IOException(
          "the received store is at "
              + found.term()
              + ":"
              + found.index()
              + " but its manifest says "
              + expected.term()
              + ":"
              + expected.index());
    }
    swap.markReady();
    progress.staged();
    LOG.atInfo()
        .addKeyValue("event", "INSTALL_STAGED")
        .addKeyValue("source", sourceId)
        .addKeyValue("index", expected.index())
        .addKeyValue("bytes", progress.bytesTotal())
        .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
        .log(
            "a store at index {} from {} is verified and ready ({} bytes in {} ms)",
            expected.index(),
            sourceId,
            progress.bytesTotal(),
            (System.nanoTime() - started) / 1_000_000);
    return expected;
  }

  /** Reads the manifest and every chunk into {@code dir}, verifying as it goes. */
  private StoreManifest receive(
      Iterator<StorePart> parts, Path dir, long minIndex, String sourceId, Watchdog watchdog)
      throws IOException {
    watchdog.arm(MANIFEST_WAIT_MS);
    if (!parts.hasNext()) {
      throw new IOException(sourceId + " sent no manifest");
    }
    StorePart first = parts.next();
    watchdog.arm();
    if (!first.hasManifest()) {
      throw new IOException(sourceId + " sent a chunk before the manifest");
    }
    StoreManifest m = first.getManifest();
    checkManifest(m, minIndex, sourceId);
    long total = m.getFilesList().stream().mapToLong(StoreFile::getSize).sum();
    progress.manifest(m.getIndex(), total, m.getFilesCount());
    int file = 0;
    long written = 0;
    CRC32C crc = new CRC32C();
    FileChannel out = null;
    try {
      while (true) {
        // finish every file that is complete (empty files need no chunk)
        while (file < m.getFilesCount() && written == m.getFiles(file).getSize()) {
          if (out == null) {
            out = open(dir, m.getFiles(file));
          }
          out.force(true);
          out.close();
          out = null;
          if ((int) crc.getValue() != m.getFiles(file).getCrc32C()) {
            throw new IOException(
                "file " + m.getFiles(file).getName() + " from " + sourceId + " has a wrong CRC32C");
          }
          progress.fileDone();
          file++;
          written = 0;
          crc.reset();
        }
        if (!parts.hasNext()) {
          break;
        }
        StorePart p = parts.next();
        watchdog.arm();
        if (!p.hasChunk()) {
          throw new IOException(sourceId + " sent a second manifest");
        }
        StoreChunk c = p.getChunk();
        if (file >= m.getFilesCount() || c.getFile() != file || c.getOffset() != written) {
          throw new IOException(
              sourceId
                  + " sent file "
                  + c.getFile()
                  + " offset "
                  + c.getOffset()
                  + " where file "
                  + file
                  + " offset "
                  + written
                  + " was due");
        }
        if (written + c.getData().size() > m.getFiles(file).getSize()) {
          throw new IOException(
              "file "
                  + m.getFiles(file).getName()
                  + " from "
                  + sourceId
                  + " is longer than its size");
        }
        if (out == null) {
          out = open(dir, m.getFiles(file));
        }
        for (java.nio.ByteBuffer b : c.getData().asReadOnlyByteBufferList()) {
          crc.update(b.duplicate());
          while (b.hasRemaining()) {
            out.write(b);
          }
        }
        written += c.getData().size();
        progress.received(c.getData().size());
      }
    } finally {
      if (out != null) {
        out.close();
      }
    }
    if (file < m.getFilesCount()) {
      throw new IOException(
          "the stream from "
              + sourceId
              + " ended at file "
              + m.getFiles(file).getName()
              + " offset "
              + written
              + " of "
              + m.getFiles(file).getSize());
    }
    return m;
  }

  private static FileChannel open(Path dir, StoreFile f) throws IOException {
    return FileChannel.open(
        dir.resolve(f.getName()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  private void checkManifest(StoreManifest m, long minIndex, String sourceId) throws IOException {
    if (m.getFormat() != StoreSender.FORMAT) {
      throw new IOException(sourceId + " sent store stream format " + m.getFormat());
    }
    if (!m.getClusterName().equals(clusterName)) {
      throw new IOException(
          sourceId + " belongs to cluster " + m.getClusterName() + ", not " + clusterName);
    }
    if (m.getIndex() < minIndex) {
      throw new IOException(
          sourceId
              + "'s store is at index "
              + m.getIndex()
              + ", below the "
              + minIndex
              + " needed");
    }
    if (m.getIndex() < 0 || m.getTerm() < 0) {
      throw new IOException(sourceId + " sent an index or term of 2^63 or more");
    }
    for (StoreFile f : m.getFilesList()) {
      if (f.getSize() < 0) {
        throw new IOException(sourceId + " sent a file size of 2^63 or more for " + f.getName());
      }
    }
    if (m.getStateDigest().size() != 32) {
      throw new IOException(
          sourceId + " sent a state digest of " + m.getStateDigest().size() + " bytes");
    }
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (StoreFile f : m.getFilesList()) {
      if (!FILE_NAME.matcher(f.getName()).matches() || !names.add(f.getName())) {
        throw new IOException(sourceId + " sent a bad or repeated file name: " + f.getName());
      }
    }
  }

  /** Called by the state machine with the live store closed: swaps the ready store in, opens it. */
  @Override
  public synchronized KvStore swapIn() {
    try {
      swap.swap();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "swapping the installed store in failed: " + e.getMessage(), e);
    }
    KvStore opened = RocksKvStore.openExisting(storeDir);
    pending = null;
    progress.installed();
    return opened;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    watchdogTimer.shutdownNow();
  }

  /** Cancels the call when no part arrived for {@link #IDLE_MS}. */
  private final class Watchdog {
    private final Context.CancellableContext call;
    private ScheduledFuture<?> pending; // guarded by this
    volatile boolean fired;

    Watchdog(Context.CancellableContext call) {
      this.call = call;
    }

    synchronized void arm() {
      arm(IDLE_MS);
    }

    synchronized void arm(long ms) {
      if (pending != null) {
        pending.cancel(false);
      }
      pending =
          watchdogTimer.schedule(
              () -> {
                fired = true;
                call.cancel(new IOException("no data for " + ms + " ms"));
              },
              ms,
              TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
      if (pending != null) {
        pending.cancel(false);
      }
    }
  }
}
