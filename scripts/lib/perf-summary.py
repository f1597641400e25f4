#!/usr/bin/env python3
"""Summarizes `perf script` output of one JVM (call chains, JIT symbols from /tmp/perf-<pid>.map).

usage: perf script -i FILE | perf-summary.py [TOP]
Prints the share of samples per thread group, per shared object, the top leaf symbols, and the inclusive share of
a fixed list of AeroDB/Ratis/RocksDB/kernel frames (a frame anywhere on the stack: inlined Java frames do not show).
"""
import collections
import re
import sys

WATCH = [
    ("RocksDB (native)", r"librocksdb"),
    ("RocksDB point get", r"RocksDB\.get|RocksKvStore\.get"),
    ("RocksDB iterator (seek)", r"RocksKvStore\.seek|RocksDB\.newIterator|RocksIterator"),
    ("RocksDB write", r"RocksKvStore\.write|RocksDB\.write"),
    ("Engine.applyBatch", r"Engine\.applyBatch"),
    ("JSON parse (JsonReader)", r"JsonReader\.parse"),
    ("canonical JSON", r"CanonicalJson"),
    ("futex (park/unpark)", r"futex"),
    ("context switch in", r"finish_task_switch"),
    ("write syscalls", r"ksys_write|__x64_sys_write"),
    ("epoll_wait", r"epoll_wait"),
    ("Ratis log CRC (PureJavaCrc32C)", r"PureJavaCrc32C"),
]


def main():
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    samples = []
    cur = None
    for line in sys.stdin:
        if not line.strip():
            if cur:
                samples.append(cur)
            cur = None
            continue
        if not line[0].isspace():
            comm = re.split(r"\s+\d+(?:/\d+)?\s", line.strip(), maxsplit=1)[0]
            cur = (re.sub(r"\d+", "N", comm), [])
        elif cur is not None:
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                cur[1].append(re.sub(r"\+0x[0-9a-f]+ ", " ", parts[1]))
    if cur:
        samples.append(cur)
    n = len(samples)
    print(f"samples: {n}")
    if not n:
        return

    def show(title, counter, k):
        print(f"\n{title}")
        for key, c in counter.most_common(k):
            print(f"  {100 * c / n:5.1f}%  {key[:150]}")

    show("by thread group", collections.Counter(s[0] for s in samples), 12)
    dso = collections.Counter()
    leaf = collections.Counter()
    for _, frames in samples:
        if frames:
            m = re.search(r"\(([^)]*)\)\s*$", frames[0])
            dso[(m.group(1).rsplit("/", 1)[-1] if m else "?")] += 1
            leaf[re.sub(r"\s*\([^)]*\)\s*$", "", frames[0])] += 1
    show("by shared object (leaf frame)", dso, 8)
    show("top leaf frames", leaf, top)
    print("\ninclusive (a matching frame anywhere on the stack), and the thread groups it runs on")
    for name, pattern in WATCH:
        r = re.compile(pattern)
        hit = [s for s in samples if any(r.search(f) for f in s[1])]
        by = collections.Counter(s[0] for s in hit)
        where = ", ".join(f"{c} {100 * v / n:.1f}" for c, v in by.most_common(3))
        print(f"  {100 * len(hit) / n:5.1f}%  {name:32s} {where}")


if __name__ == "__main__":
    main()
