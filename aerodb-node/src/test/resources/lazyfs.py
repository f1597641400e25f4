#!/usr/bin/python3
"""A power-failure disk for AeroDB's fault harness (issue 18, docs/TESTING.md, docs/adr/0006).

A FUSE passthrough file system over a backing directory that forgets, on a "power cut", everything that was not
made durable:

  * bytes written to a file (and size changes) survive a cut only once that file was fsynced or fdatasynced;
  * --strict: a created, renamed or deleted name (file or directory) survives a cut only once its parent
    directory was fsynced (a new directory's own entry needs its parent fsynced too);
  * --lie: a disk whose volatile cache lies about fsync (a red gate): an fsync of a file is honoured only if that
    file's last honoured one is at least --lie-window-ms (default 3000) old; the others return at once and
    change nothing, so a cut also drops up to that long of "synced" data;
  * --fsync-delay-ms N: every fsync waits N ms before it starts (a slow disk; data written meanwhile is
    included, which a real disk may do too); with --fsync-delay-only S only the fsyncs of files whose path
    contains S wait (e.g. "/log_": the Raft log's segments).

Writes go through to the backing file at once (reads are plain passthrough), and each file keeps an undo journal
of what an unsynced write overwrote and the size it had when it was last synced. A cut (SIGUSR1) rolls every
journal back, in reverse order, then answers with one JSON line in the --report file:
{"cut": N, "files": F, "bytes": B, "names": K} (files touched, bytes dropped, names undone). The harness kills
the node first, cuts, then unmounts (the kernel's page cache of the mount goes with it) and mounts again.
SIGUSR2 is the instant the power goes: every change from then on is refused (EIO) and an fsync still in flight does
not complete, so the harness sends it to every disk of a cut before it kills the nodes.

usage: lazyfs.py BACKING MOUNTPOINT --report FILE [--strict] [--lie [--lie-window-ms W]] [--fsync-delay-ms N [--fsync-delay-only S]]
Runs in the foreground until unmounted. Needs /usr/bin/python3 with Debian's python3-fusepy (libfuse2).
"""

import errno
import json
import os
import shutil
import signal
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations


class Journal:
    """What one file's unsynced writes changed: the size it had when last synced and the overwritten bytes."""

    def __init__(self, synced_size):
        self.synced_size = synced_size
        self.undo = []  # (offset, old bytes) in write order, only within synced_size
        self.dropped = 0  # bytes written since the last sync


class LazyFS(Operations):
    def __init__(self, backing, report, strict, lie, lie_window_s, fsync_delay_s, fsync_delay_only):
        self.backing = os.path.realpath(backing)
        self.report = report
        self.strict = strict
        self.lie = lie
        self.lie_window_s = lie_window_s
        self.fsync_delay_s = fsync_delay_s
        self.fsync_delay_only = fsync_delay_only  # "" = every file
        self.honoured = {}  # --lie: inode -> monotonic time of its last honoured fsync
        self.mutex = threading.RLock()
        self.journals = {}  # inode -> Journal
        self.fds_by_inode = {}  # inode -> an fd kept open for rolling back
        self.names = []  # strict mode: (parent dir, undo action) in order
        self.trash = os.path.join(self.backing, ".lazyfs-trash")
        self.cuts = 0
        self.trash_seq = 0
        self.powered_off = False  # after a cut, until the harness unmounts: every change is refused
        shutil.rmtree(self.trash, ignore_errors=True)  # a previous mount's, whose undo is gone
        os.makedirs(self.trash)

    # ------------------------------------------------------------------------------------------------- helpers

    def _full(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def _parent(self, path):
        return os.path.dirname(self._full(path).rstrip("/"))

    def _journal(self, fh, path):
        """The file's journal, started at its first unsynced change with a read-write fd of its own (the caller's
        fd may be write-only; the own fd also keeps the inode from being reused while the journal lives)."""
        st = os.fstat(fh)
        j = self.journals.get(st.st_ino)
        if j is None:
            j = Journal(st.st_size)
            self.journals[st.st_ino] = j
            self.fds_by_inode[st.st_ino] = os.open(self._full(path), os.O_RDWR)
        return j, self.fds_by_inode[st.st_ino]

    def _keep_pre_image(self, fd, j, offset, length):
        # Within the file's current size (not only its synced size): an fsync makes the state at its start
        # durable, so a later write into bytes that were appended before it must be undoable too.
        end = min(offset + length, os.fstat(fd).st_size)
        if offset < end:
            j.undo.append((offset, os.pread(fd, end - offset, offset)))

    def _to_trash(self, full):
        self.trash_seq += 1
        kept = os.path.join(self.trash, str(self.trash_seq))
        os.rename(full, kept)
        return kept

    def _name_op(self, parent, undo, forget=None):
        """Strict mode: a name operation in directory `parent`, with `undo` for a cut and `forget` to run when it
        became durable (it deletes what the trash kept for the undo)."""
        if self.strict:
            self.names.append((parent, undo, forget))

    def _powered(self):
        if self.powered_off:
            raise FuseOSError(errno.EIO)

    @staticmethod
    def _remove(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)

    # -------------------------------------------------------------------------------------------------- the cut

    def _report(self, record):
        with open(self.report, "a") as out:
            out.write(json.dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def power_off(self):
        """The instant the power goes (SIGUSR2): from here on every change is refused and no fsync still in
        flight completes, so nothing becomes durable after it; the harness then kills the node and cuts."""
        with self.mutex:
            self.powered_off = True
            self._report({"off": self.cuts + 1})

    def cut(self):
        with self.mutex:
            files = 0
            dropped = 0
            for ino, j in self.journals.items():
                fd = self.fds_by_inode.pop(ino)
                try:
                    size = os.fstat(fd).st_size
                    for offset, old in reversed(j.undo):
                        os.pwrite(fd, old, offset)
                    os.ftruncate(fd, j.synced_size)
                    os.fsync(fd)
                    if j.dropped or size != j.synced_size:
                        files += 1
                        dropped += max(j.dropped, abs(size - j.synced_size))
                finally:
                    os.close(fd)
            self.journals.clear()
            names = 0
            for parent, undo, forget in reversed(self.names):
                try:
                    undo()
                    names += 1
                except OSError as e:
                    print("lazyfs: could not undo a name operation in %s: %s" % (parent, e), file=sys.stderr)
            self.names.clear()
            self.powered_off = True
            self.cuts += 1
            self._report({"cut": self.cuts, "files": files, "bytes": dropped, "names": names})

    # --------------------------------------------------------------------------------------- file system calls

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        return os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._full(path), uid, gid)

    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in (
            "st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid", "st_ino")}

    def readdir(self, path, fh):
        entries = [".", ".."] + os.listdir(self._full(path))
        if path == "/":
            entries = [e for e in entries if e != ".lazyfs-trash"]
        return entries

    def readlink(self, path):
        return os.readlink(self._full(path))

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in (
            "f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize",
            "f_namemax")}

    def mkdir(self, path, mode):
        with self.mutex:
            self._powered()
            full = self._full(path)
            os.mkdir(full, mode)
            self._name_op(self._parent(path), lambda: shutil.rmtree(full, ignore_errors=True))

    def rmdir(self, path):
        with self.mutex:
            self._powered()
            full = self._full(path)
            if self.strict:
                if os.listdir(full):
                    raise FuseOSError(errno.ENOTEMPTY)
                kept = self._to_trash(full)
                self._name_op(self._parent(path), lambda: os.rename(kept, full), lambda: self._remove(kept))
            else:
                os.rmdir(full)

    def unlink(self, path):
        with self.mutex:
            self._powered()
            full = self._full(path)
            if self.strict:
                kept = self._to_trash(full)
                self._name_op(self._parent(path), lambda: os.rename(kept, full), lambda: self._remove(kept))
            else:
                st = os.lstat(full)
                os.unlink(full)
                if st.st_nlink == 1 and st.st_ino in self.journals:
                    # Gone for good (lazy mode keeps names as they are): nothing of it can come back.
                    del self.journals[st.st_ino]
                    os.close(self.fds_by_inode.pop(st.st_ino))
                    self.honoured.pop(st.st_ino, None)

    def symlink(self, target, source):
        with self.mutex:
            self._powered()
            full = self._full(target)
            os.symlink(source, full)
            self._name_op(self._parent(target), lambda: os.unlink(full))

    def link(self, target, source):
        with self.mutex:
            self._powered()
            full = self._full(target)
            os.link(self._full(source), full)
            self._name_op(self._parent(target), lambda: os.unlink(full))

    def rename(self, old, new):
        with self.mutex:
            self._powered()
            full_old = self._full(old)
            full_new = self._full(new)
            if full_old == full_new:
                return 0
            replaced = None
            if self.strict and os.path.lexists(full_new):
                if os.path.isdir(full_new) and os.listdir(full_new):
                    raise FuseOSError(errno.ENOTEMPTY)
                replaced = self._to_trash(full_new)
            try:
                os.rename(full_old, full_new)
            except OSError:
                if replaced is not None:
                    os.rename(replaced, full_new)  # put the target back: the rename did not happen
                raise

            def undo():
                os.rename(full_new, full_old)
                if replaced is not None:
                    os.rename(replaced, full_new)

            # Kept until the new name's directory is fsynced (a simplification: POSIX needs the old
            # name's directory fsynced too for the old name to be gone for sure).
            self._name_op(self._parent(new), undo, None if replaced is None else lambda: self._remove(replaced))

    def utimens(self, path, times=None):
        return os.utime(self._full(path), times)

    def open(self, path, flags):
        if flags & (os.O_WRONLY | os.O_RDWR):
            self._powered()
        fd = os.open(self._full(path), flags & ~os.O_TRUNC)
        if flags & os.O_TRUNC:
            try:
                self.truncate(path, 0, fd)
            except BaseException:
                os.close(fd)
                raise
        return fd

    def create(self, path, mode, fi=None):
        with self.mutex:
            self._powered()
            full = self._full(path)
            existed = os.path.lexists(full)
            fd = os.open(full, os.O_RDWR | os.O_CREAT, mode)
            if not existed:
                self._name_op(self._parent(path), lambda: os.unlink(full))
            return fd

    def read(self, path, length, offset, fh):
        return os.pread(fh, length, offset)

    def write(self, path, data, offset, fh):
        with self.mutex:
            self._powered()
            j, own = self._journal(fh, path)
            self._keep_pre_image(own, j, offset, len(data))
            j.dropped += len(data)
            return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self._powered()
            fd = fh if fh is not None else os.open(self._full(path), os.O_RDWR)
            try:
                j, own = self._journal(fd, path)
                size = os.fstat(fd).st_size
                if length < size:
                    self._keep_pre_image(own, j, length, size - length)
                os.ftruncate(fd, length)
            finally:
                if fh is None:
                    os.close(fd)

    def flush(self, path, fh):
        return 0  # close() is not a sync

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, datasync, fh):
        """Makes durable what the file held when the call began (not what is written while it waits)."""
        with self.mutex:
            self._powered()
            ino = os.fstat(fh).st_ino
            j = self.journals.get(ino)
            mark = (len(j.undo), os.fstat(fh).st_size, j.dropped) if j is not None else None
        if self.fsync_delay_s and self.fsync_delay_only in path:
            time.sleep(self.fsync_delay_s)
        with self.mutex:
            self._powered()  # the power went while it waited: nothing became durable
            if self.lie:
                now = time.monotonic()
                if now - self.honoured.get(ino, -1e9) < self.lie_window_s:
                    return 0  # "done", and nothing became durable
                self.honoured[ino] = now
            if datasync:
                os.fdatasync(fh)
            else:
                os.fsync(fh)
            if j is not None and self.journals.get(ino) is j:
                undo_done, size_then, dropped_then = mark
                j.undo = j.undo[undo_done:]
                j.synced_size = size_then
                j.dropped -= dropped_then
                if not j.undo and j.dropped == 0 and os.fstat(fh).st_size == size_then:
                    del self.journals[ino]
                    os.close(self.fds_by_inode.pop(ino))
        return 0

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            self._powered()  # after the power went, no fsync makes anything durable
            if not self.lie:
                full = self._full(path).rstrip("/")
                kept = []
                for (p, undo, forget) in self.names:
                    if p.rstrip("/") != full:
                        kept.append((p, undo, forget))
                    elif forget is not None:
                        forget()
                self.names = kept
        return 0

    # No "lock" attribute at all: fusepy then leaves the operation out and the kernel keeps POSIX locks itself
    # (RocksDB's LOCK, aerodb.lock).

    def opendir(self, path):
        return 0

    def releasedir(self, path, fh):
        return 0


def main():
    args = sys.argv[1:]
    if len(args) < 4 or "--report" not in args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)

    def value(flag, default):
        return args[args.index(flag) + 1] if flag in args else default

    with_values = {"--report", "--lie-window-ms", "--fsync-delay-ms", "--fsync-delay-only"}
    positional = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] not in with_values)]
    backing, mountpoint = os.path.abspath(positional[0]), os.path.abspath(positional[1])
    report = os.path.abspath(value("--report", ""))  # libfuse changes the working directory to /
    fs = LazyFS(backing, report, "--strict" in args, "--lie" in args,
                int(value("--lie-window-ms", "3000")) / 1000.0, int(value("--fsync-delay-ms", "0")) / 1000.0,
                value("--fsync-delay-only", ""))
    # The main thread sits in libfuse's C loop, where Python signal handlers never run: block SIGUSR1 in every
    # thread (the mask is inherited) and take it with sigwait in a thread of its own.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})

    def cutter():
        while True:
            sig = signal.sigwait({signal.SIGUSR1, signal.SIGUSR2})
            try:
                if sig == signal.SIGUSR2:
                    fs.power_off()
                else:
                    fs.cut()
            except Exception as e:  # reported, and the harness sees no report line: its cut fails loudly
                print("lazyfs: the cut failed: %r" % (e,), file=sys.stderr, flush=True)

    threading.Thread(target=cutter, daemon=True, name="cutter").start()
    FUSE(fs, mountpoint, foreground=True, nothreads=False, allow_other=True, direct_io=True,
         fsname="lazyfs")


if __name__ == "__main__":
    main()
