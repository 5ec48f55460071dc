#!/usr/bin/env python3
"""Makes the demo's simulated printers print: raises the page counters of the .snmprec
recordings that a running snmpsim 0.4.5 serves, without restarting it.

    print_pages.py pad SRC_DIR DST_DIR
        copies SRC_DIR/*.snmprec to DST_DIR with every known page counter written as a
        fixed-width, zero-padded number (snmpsim parses "0000009321" as 9321)
    print_pages.py run DATA_DIR [--every S] [--for S] [--watch-pid PID] [--seed N]
        every S seconds, prints a few pages on each recording under DATA_DIR (recursively):
        adds them to prtMarkerLifeCount and to the vendor mono/colour counters the recording
        has, so that total = mono + colour grows consistently. Stops by itself when DATA_DIR
        disappears, when process PID has exited, or after --for seconds.

Why in place: snmpsim 0.4.5 indexes each text file once (OID -> byte offset, in its cache
dir) and then reads records from the open file. A rewrite of the same byte length keeps
every offset valid, so no restart and no index problem. snmpsim notices the change only
through the file's mtime, compared in whole seconds (RecordIndex.getHandles); two writes
within the same second would leave it serving the older value from its read buffer, so
after each write the mtime is moved to a second it has not seen yet.
"""
import argparse
import os
import random
import re
import sys
import time

WIDTH = 10  # digits: a Counter32 (at most 4294967295) always fits

# Counters the demo's printers move. "total" is the standard prtMarkerLifeCount; the vendor
# ones are those scanner/profiles/*.toml read as mono/color (HP's PML page counters).
TOTAL = {"1.3.6.1.2.1.43.10.2.1.4.1.1"}
MONO = {"1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.6.0"}
COLOR = {"1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.7.0"}
COUNTERS = TOTAL | MONO | COLOR
NUMERIC_TAGS = {b"2", b"65", b"66", b"70"}
# prtMarkerColorantValue: a recording with a "cyan" colorant is a colour printer.
COLORANT = re.compile(rb"^1\.3\.6\.1\.2\.1\.43\.12\.1\.1\.4\.1\.\d+\|4\|cyan\s*$", re.M)
LINE = re.compile(rb"^([0-9.]+)\|([0-9a-z]+)\|([0-9]+)[ \t]*\r?$", re.M)


def counter_fields(data):
    """(oid, start, end) of the value of every known counter in a recording's bytes."""
    out = []
    for m in LINE.finditer(data):
        oid, tag = m.group(1).decode(), m.group(2)
        if oid in COUNTERS and tag in NUMERIC_TAGS:
            out.append((oid, m.start(3), m.end(3)))
    return out


def pad(src, dst):
    os.makedirs(dst, exist_ok=True)
    names = sorted(n for n in os.listdir(src) if n.endswith(".snmprec"))
    if not names:
        sys.exit("print_pages: no .snmprec files in %s" % src)
    for name in names:
        with open(os.path.join(src, name), "rb") as f:
            data = f.read()
        parts, last = [], 0
        for _, start, end in counter_fields(data):
            parts += [data[last:start], b"%0*d" % (WIDTH, int(data[start:end]))]
            last = end
        parts.append(data[last:])
        with open(os.path.join(dst, name), "wb") as f:
            f.write(b"".join(parts))


def recordings(root):
    for d, _, files in os.walk(root):
        for n in sorted(files):
            if n.endswith(".snmprec"):
                yield os.path.join(d, n)


def print_on(path, rng):
    """Prints a few pages on one recording; returns a description, or None."""
    with open(path, "r+b") as f:
        data = f.read()
        fields = counter_fields(data)
        if not fields:
            return None
        roles = {oid: ("total" if oid in TOTAL else "mono" if oid in MONO else "color")
                 for oid, _, _ in fields}
        colour = bool(COLORANT.search(data)) or "color" in roles.values()
        mono = rng.randint(2, 12)
        color = rng.randint(1, 6) if colour else 0
        add = {"total": mono + color, "mono": mono, "color": color}
        for oid, start, end in fields:
            old = int(data[start:end])
            new = old + add[roles[oid]]
            text = b"%0*d" % (end - start, new)
            if len(text) != end - start:  # would change every later offset: leave it
                continue
            f.seek(start)
            f.write(text)
    # snmpsim reopens the file only when int(mtime) differs from what it saw last.
    before = int(os.stat(path).st_mtime)
    t = max(int(time.time()), before + 1)
    os.utime(path, (t, t))
    return "+%d pages (%d mono, %d colour)" % (mono + color, mono, color)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run(args):
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.for_s
    next_tick = time.monotonic() + args.every

    def should_stop():
        if not os.path.isdir(args.data_dir):
            return "data dir gone"
        if args.watch_pid and not alive(args.watch_pid):
            return "process %d exited" % args.watch_pid
        if time.monotonic() >= deadline:
            return "ran for %d s" % args.for_s
        return None

    while True:
        reason = should_stop()
        if reason:
            print("print_pages: stopping (%s)" % reason, flush=True)
            return
        if time.monotonic() < next_tick:
            time.sleep(min(1.0, next_tick - time.monotonic()))
            continue
        next_tick += args.every
        for path in recordings(args.data_dir):
            try:
                what = print_on(path, rng)
            except FileNotFoundError:
                continue  # the demo is being torn down; should_stop() ends the loop
            if what:
                print("%s %s: %s" % (time.strftime("%H:%M:%S"), os.path.basename(path), what),
                      flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("pad")
    sp.add_argument("src")
    sp.add_argument("dst")
    sr = sub.add_parser("run")
    sr.add_argument("data_dir")
    sr.add_argument("--every", type=float, default=15.0, help="seconds between print jobs")
    sr.add_argument("--for", dest="for_s", type=float, default=24 * 3600.0,
                    help="stop after this many seconds")
    sr.add_argument("--watch-pid", type=int, default=0, help="stop when this process exits")
    sr.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    if a.cmd == "pad":
        pad(a.src, a.dst)
    else:
        if a.every <= 0:
            sys.exit("print_pages: --every must be > 0")
        run(a)


if __name__ == "__main__":
    main()
