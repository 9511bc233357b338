"""
What pmtop's Python test scripts share: failing a check, reading lines
from a child within a timeout, what write tracking leaves in a target,
and the runner that prints one line per check and the closing "N passed,
N failed" line that CI reads.
"""

import os
import select
import sys
import time
import traceback


class Skip(Exception):
    """A check that cannot run here (not root, no kthreadd...)."""


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


class LineReader:
    """Lines from a pipe, each within a timeout; keeps what it read ahead."""

    def __init__(self, f):
        self.fd = f.fileno()
        self.buf = b""

    def readline(self, timeout):
        """One line, or what is left (maybe b"") at EOF."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            check(left > 0, "timed out reading a line, got %r"
                  % self.buf[:300])
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 65536)
            if chunk == b"":
                line, self.buf = self.buf, b""
                return line
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"


def uffd_state(pid):
    """(VMAs registered with a userfaultfd, userfaultfds in its fd table)."""
    uw = 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            if line.startswith("VmFlags:") and " uw" in line.split(":")[1]:
                uw += 1
    fds = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if "userfaultfd" in os.readlink("/proc/%d/fd/%s" % (pid, fd)):
                fds += 1
        except OSError:
            pass
    return uw, fds


def switches(pid):
    """How many times pid was scheduled out, voluntarily or not."""
    n = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("voluntary_ctxt_switches",
                     "nonvoluntary_ctxt_switches"):
                n += int(v)
    return n


def asleep(pid, timeout):
    """
    Wait until pid sleeps and stays asleep, as a target blocked reading
    an input nobody writes to does: nothing but a stop, a signal or code
    run in it by ptrace wakes it then. Returns its switches() so far, to
    compare with later.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        state = stat[stat.rindex(b")") + 2:][:1]
        n = switches(pid)
        if state == b"S" and n == last:
            return n
        check(time.monotonic() < deadline, "pid %d never slept: %r"
              % (pid, state))
        last = n
        time.sleep(0.1)


def run_one(fn, after_each):
    """
    fn, then after_each whatever fn did (so nothing carries over to the
    next check); fn's own failure is the one raised.
    """
    err = None
    try:
        fn()
    except Exception as e:
        err = e
    if after_each is not None:
        try:
            after_each()
        except Exception as e:
            err = err or e
    if err is not None:
        raise err


def run_checks(prefix, namespace, only=(), after_each=None):
    """
    Run every function in namespace named prefix... (those whose names
    hold one of only, if given); after_each() may raise to fail a check
    that otherwise passed. Returns the exit status.
    """
    tests = [(n, f) for n, f in sorted(namespace.items())
             if n.startswith(prefix) and callable(f)
             and (not only or any(o in n for o in only))]
    passed = failed = 0
    start = time.monotonic()
    for name, fn in tests:
        t0 = time.monotonic()
        try:
            run_one(fn, after_each)
        except Skip as e:
            print("skip %s: %s" % (name, e), flush=True)
            continue
        except Exception as e:
            failed += 1
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - t0, e),
                  flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
            continue
        passed += 1
        print("ok   %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
    print("total %.1fs" % (time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
