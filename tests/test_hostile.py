#!/usr/bin/env python3
"""
Hostile input and failure, on the real binary: targets of extreme shape
(65,000 VMAs, a 100 TiB reservation) keep the viewer responsive and
pmtop's memory bounded; a closed stdin and a hung-up terminal end pmtop
cleanly; names with invalid UTF-8 and double-width characters keep the
columns in place. Targets are started here (tests/util/shape, a python
child); only they are ever signalled.

Prints one line per check and "N passed, N failed". Standard library.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pmtest import LineReader, Skip, check, run_checks  # noqa: E402
from test_tui import (PMTOP, Resources, Tmux, comm_of,  # noqa: E402
                      pmtop_pane, selected_line, table_rows,
                      wait_process_view, wait_until)

SHAPE = os.environ.get("PMTOP_SHAPE") or os.path.join(
    os.path.dirname(PMTOP), "tests", "shape")
MEMORY_LIMIT_KIB = 64 * 1024        # what bench/ holds pmtop to

# Under ASan or UBSan pmtop's memory is the sanitizer's (shadow, a
# quarantine of freed memory), and valgrind cannot run it: the plain
# build's run checks those.
SANITIZED = os.environ.get("PMTOP_SANITIZED", "none") not in ("", "none")


def check_memory(kib, what):
    if SANITIZED:
        print("  %s: peak RSS %d KiB, not held to %d KiB under sanitizers"
              % (what, kib, MEMORY_LIMIT_KIB))
        return
    check(kib < MEMORY_LIMIT_KIB, "%s: peak RSS %d KiB" % (what, kib))


class Shape:
    """tests/util/shape MODE N: its pid and the range it made."""

    def __init__(self, mode, n):
        self.proc = subprocess.Popen([SHAPE, mode, str(n)],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE)
        line = LineReader(self.proc.stdout).readline(60).decode()
        f = line.split()
        check(len(f) == 3 and f[0] == "ready", "shape said %r" % line)
        self.pid = self.proc.pid
        self.start, self.end = int(f[1], 16), int(f[2], 16)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class Named:
    """A python child whose comm and argv hold hostile bytes."""

    CODE = (
        "import ctypes, sys\n"
        "ctypes.CDLL(None).prctl(15, sys.argv[1].encode('utf-8',"
        " 'surrogateescape'), 0, 0, 0)\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n")

    def __init__(self, comm, arg):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.CODE, comm, arg],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = LineReader(self.proc.stdout).readline(60)
        check(line == b"ready\n", "child said %r" % line)
        self.pid = self.proc.pid

    def close(self):
        self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            f.close()


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def max_rss_kib(argv, **kw):
    """Run argv to its end: (exit status, stdout, its peak RSS in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = subprocess.run(argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest so far: only a rise is ours.
    check(after > before or before < MEMORY_LIMIT_KIB or SANITIZED,
          "cannot tell pmtop's peak RSS apart from an earlier child's")
    return r.returncode, r.stdout, after


def test_hostile_65000_vmas_batch():
    """Right counts for 65,000 VMAs; memory stays bounded."""
    with Resources() as res:
        s = res.add(Shape("vmas", 65000))
        rc, out, rss = max_rss_kib([PMTOP, "--batch", "--json", "-n", "2",
                                    "-d", "0.1", "-p", str(s.pid)])
        check(rc == 0, "exit status %d" % rc)
        docs = [json.loads(l) for l in out.splitlines()]
        check(len(docs) == 2, "%d documents" % len(docs))
        ours = [v for v in docs[-1]["vmas"]
                if s.start <= int(v["start"], 16) < s.end]
        check(len(ours) == 65000, "%d VMAs in the range" % len(ours))
        written = sum(v["present"] for v in ours if v["perms"][1] == "w")
        check(written == 32500, "present pages %d" % written)
        check_memory(rss, "batch, 65,000 VMAs")
        print("  65,000 VMAs: peak RSS %d KiB" % rss)


def test_hostile_65000_vmas_viewer_responsive():
    """Keys move the selection at once, however long a refresh takes."""
    with Resources() as res:
        s = res.add(Shape("vmas", 65000))
        t = pmtop_pane(res, "many", ["-p", str(s.pid), "-d", "0.1"])
        wait_process_view(t, s.pid)
        first = wait_until(lambda: selected_line(t.lines(True)),
                           "a selected row")
        t0 = time.monotonic()
        t.repeat("Down", 5)
        t.wait_for(lambda ls: selected_line(t.lines(True)) == first + 5,
                   "the selection to move 5 rows")
        took = time.monotonic() - t0
        check(took < 3, "5 keys took %.2f s" % took)
        t.repeat("NPage", 50)
        t.wait_for(lambda ls: any(r for r in table_rows(ls)),
                   "table rows after 50 pages")
        hwm = vm_hwm_kib(t.pmtop_pid())
        check_memory(hwm, "viewer, 65,000 VMAs")
        t.keys("q")
        check(t.wait_exit() == 0, "exit status")
        print("  65,000 VMAs in the viewer: keys in %.2f s, peak RSS %d KiB"
              % (took, hwm))


def test_hostile_100tib_reservation_viewer():
    """The 100 TiB VMA opens, zooms all the way in, and stays light."""
    with Resources() as res:
        s = res.add(Shape("reserve", 100))
        t = pmtop_pane(res, "reserve", ["-p", str(s.pid)])
        wait_process_view(t, s.pid)
        t.wait_for("100T", "the 100 TiB VMA in the table")
        rows = [(i, m) for i, m in table_rows(t.lines())
                if int(m.group("start"), 16) == s.start]
        check(rows, "no row for the reservation")
        # Home, then down to the row, and open it.
        t.keys("Home")
        idx = [int(m.group("start"), 16) for _, m in
               table_rows(t.lines())].index(s.start)
        t.repeat("Down", idx)
        t.keys("Enter")
        t.wait_for("pages a cell", "the VMA view")
        t.repeat("+", 40)
        t.wait_for("1 page a cell", "the closest zoom")
        t.keys("End")
        t.wait_for(lambda ls: any("1 page:" in l for l in ls),
                   "the cursor line at the end")
        check_memory(vm_hwm_kib(t.pmtop_pid()), "viewer, 100 TiB")
        t.keys("q")
        check(t.wait_exit() == 0, "exit status")


def test_hostile_closed_stdin():
    """No terminal on stdin: a clear line and status 2; batch still works."""
    with Resources() as res:
        s = res.add(Shape("vmas", 10))
        r = subprocess.run("exec %s -p %d 0<&-" % (PMTOP, s.pid), shell=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        check(r.returncode == 2, "viewer exit %d" % r.returncode)
        check(b"--batch" in r.stderr and r.stderr.count(b"\n") == 1,
              "stderr %r" % r.stderr)
        r = subprocess.run("exec %s --batch -p %d 0<&-" % (PMTOP, s.pid),
                           shell=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        check(r.returncode == 0 and b"total" in r.stdout,
              "batch with stdin closed: %r" % r.stderr)


def test_hostile_terminal_hangup():
    """The terminal goes away: pmtop ends instead of spinning."""
    with Resources() as res:
        s = res.add(Shape("vmas", 10))
        t = pmtop_pane(res, "hangup", ["-p", str(s.pid)])
        wait_process_view(t, s.pid)
        pid = t.pmtop_pid()
        t.run("kill-server", check_rc=False)
        wait_until(lambda: comm_of(pid) != b"pmtop",
                   "pmtop to end after the hangup", timeout=10)


def test_hostile_wide_and_invalid_names():
    """Invalid UTF-8 and double-width names keep the picker's columns."""
    comm = "\u8868\u793a\udcff\x1b[7m"       # 2 wide chars, 0xff, ESC
    arg = "wide-\u8868\u793a-\udcfe-" + "x" * 20
    with Resources() as res:
        n = res.add(Named(comm, arg))
        plain = res.add(Named("plainname", "plain"))
        t = pmtop_pane(res, "wide", [])
        t.wait_for("choose a process", "the picker")
        t.keys("\\")
        t.type("wide-")
        t.keys("Enter")

        def rows(ls):
            return [l for l in ls if l.lstrip(" !").startswith(str(n.pid))]
        row = t.wait_for(rows, "our row")[0]
        lines = t.lines()
        check("\\xff" in row and "\\e[7m" in row, "row %r" % row)
        check("\u8868\u793a" in row, "wide characters lost: %r" % row)
        # The COMMAND column starts where the header says, wide or not.
        col = [l for l in lines if "COMMAND" in l][0].index("COMMAND")
        pos = row.find(sys.executable)
        check(pos > 0, "no command line in %r" % row)
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1
                    for ch in row[:pos])
        check(width == col, "COMMAND at column %d, not %d: %r"
              % (width, col, row))
        check(plain.pid > 0, "plain child")
        t.keys("q")
        check(t.wait_exit() == 0, "exit status")


def test_hostile_viewer_under_valgrind():
    """The viewer, walked through every view, is clean under valgrind."""
    if SANITIZED:
        raise Skip("valgrind cannot run a sanitized pmtop; the plain "
                   "build's run checks this")
    with Resources() as res:
        logdir = tempfile.mkdtemp(prefix="pmtop-vg-")
        supp = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "valgrind.supp")
        vg = ["valgrind", "-q", "--error-exitcode=99",
              "--child-silent-after-fork=yes", "--leak-check=full",
              "--errors-for-leak-kinds=definite,indirect",
              "--show-leak-kinds=definite,indirect",
              "--suppressions=" + supp,
              "--log-file=%s/vg.%%p.log" % logdir]
        try:
            t = res.add(Tmux("valgrind", vg + [PMTOP, "--demo"],
                             status=True))
            t.wait_for("Address", "the process view", timeout=60)
            t.repeat("Down", 8)
            t.keys("Enter")
            t.wait_for("a cell", "the VMA view", timeout=30)
            t.keys("+", "-", "Right", "Down", "h", "i", "m")
            t.keys("Escape")
            t.wait_for("Address", "the table again", timeout=30)
            t.keys("F1")
            t.wait_for("pmtop keys", "the help", timeout=30)
            t.keys("x", "Escape")
            t.wait_for("choose a process", "the picker", timeout=30)
            t.keys("q")
            status = t.wait_exit(timeout=60)
            logs = ""
            for f in os.listdir(logdir):
                with open(os.path.join(logdir, f)) as fh:
                    logs += fh.read()
            check(status == 0, "exit status %d; valgrind said:\n%s"
                  % (status, logs[-4000:]))
        finally:
            shutil.rmtree(logdir, ignore_errors=True)


def main():
    if not os.access(SHAPE, os.X_OK):
        print("tests/util/shape not built: %s" % SHAPE)
        print("0 passed, 1 failed")
        return 1
    return run_checks("test_hostile_", globals(), sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
