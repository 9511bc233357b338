#!/usr/bin/env python3
"""
Command-line tests for pmtop: drive the real binary (path in $PMTOP) on
processes this script starts, and check its exit codes, its stderr, and
its text and JSON output.

Every check is a function named test_cli_<behaviour>. Each target is a
child of this script that blocks reading its stdin, so it also goes away
if this script dies; only processes started here are ever signalled.

Prints one line per check, then exactly one line "N passed, N failed",
and exits 1 if any check failed. Standard library only.
"""

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pmtest import (  # noqa: E402
    LineReader, Skip, asleep, check, run_checks, switches, uffd_state)

HERE = os.path.dirname(os.path.abspath(__file__))
PMTOP = os.environ.get("PMTOP") or os.path.join(HERE, "..", "build", "pmtop")
PAGE = os.sysconf("SC_PAGE_SIZE")

# Generous: a loaded 2-core machine must not fail these.
RUN_TIMEOUT = 90
READY_TIMEOUT = 60

JSON_TOP = {"pid", "comm", "time", "page_size", "backend", "supported",
            "vmas", "totals"}
JSON_COUNTS = ["present", "swapped", "file", "pfnzero", "huge", "wpallowed",
               "written", "soft_dirty", "guard"]
JSON_VMA = {"start", "end", "offset", "perms", "dev", "inode", "name", "kind",
            "deleted", "pages"} | set(JSON_COUNTS)
JSON_TOTALS = {"pages"} | set(JSON_COUNTS)
HEX_RE = re.compile(r"^0x[0-9a-f]+$")


# A command to run pmtop under, such as valgrind (scripts/test sets it).
WRAPPER = os.environ.get("PMTOP_WRAPPER", "").split()


def run_pmtop(args, timeout=RUN_TIMEOUT, **kw):
    """Run pmtop to completion; stdout and stderr as bytes."""
    return subprocess.run(WRAPPER + [PMTOP] + list(args),
                          stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, **kw)


def show(r):
    """A CompletedProcess, for failure messages."""
    return "rc=%r stdout=%r stderr=%r" % (
        r.returncode, r.stdout[:2000], r.stderr[:2000])


def stderr_one_line(r):
    """stderr is exactly one line; return it decoded (surrogateescape)."""
    check(r.stderr.endswith(b"\n") and r.stderr.count(b"\n") == 1,
          "want exactly one line on stderr: " + show(r))
    return r.stderr[:-1].decode("utf-8", "surrogateescape")


def no_control_bytes(data, what):
    """No byte < 0x20 but '\\n', and no DEL: nothing a terminal obeys."""
    for i, b in enumerate(data):
        if (b < 0x20 and b != 0x0a) or b == 0x7f:
            raise AssertionError("%s: raw control byte 0x%02x at %d: %r" % (
                what, b, i, data[max(0, i - 40):i + 40]))


def parse_json_lines(data):
    """Every line of data as JSON; data must end with a newline."""
    check(data == b"" or data.endswith(b"\n"),
          "stdout does not end with a newline: %r" % data[-200:])
    docs = []
    for n, line in enumerate(data.splitlines()):
        try:
            docs.append(json.loads(line.decode("utf-8")))
        except ValueError as e:
            raise AssertionError("line %d is not JSON (%s): %r" % (
                n + 1, e, line[:300]))
    return docs


# --- target processes -------------------------------------------------------

# The target: optionally sets its comm, maps a file, allocates and touches
# anonymous memory, then says "ready PID ADDR" and blocks on stdin. At EOF
# it sleeps --linger seconds and exits.
CHILD_CODE = r"""
import ctypes, mmap, os, sys, time
opts = dict(zip(sys.argv[1::2], sys.argv[2::2]))
keep = []
addr = 0
if "--comm" in opts:
    libc = ctypes.CDLL(None, use_errno=True)
    name = ctypes.create_string_buffer(bytes.fromhex(opts["--comm"]))
    if libc.prctl(15, name, 0, 0, 0) != 0:     # PR_SET_NAME
        sys.exit("prctl: errno %d" % ctypes.get_errno())
if "--map" in opts:
    with open(bytes.fromhex(opts["--map"]), "rb") as f:
        m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ)
    m[0]
    keep.append(m)
if "--alloc" in opts:
    size = int(opts["--alloc"])
    m = mmap.mmap(-1, size)
    m.write(b"\x01" * size)
    cell = ctypes.c_char.from_buffer(m)
    addr = ctypes.addressof(cell)
    keep.append((m, cell))
sys.stdout.write("ready %d %x\n" % (os.getpid(), addr))
sys.stdout.flush()
sys.stdin.buffer.read()
time.sleep(float(opts.get("--linger", "0")))
"""


class Child:
    """A target process; use as a context manager, it is killed on exit."""

    def __init__(self, argv0=None, comm=None, map_path=None, alloc=None,
                 linger=None, preexec_fn=None):
        args = [argv0 or sys.executable, "-c", CHILD_CODE]
        if comm is not None:
            args += ["--comm", comm.hex()]
        if map_path is not None:
            args += ["--map", map_path.hex()]
        if alloc is not None:
            args += ["--alloc", str(alloc)]
        if linger is not None:
            args += ["--linger", str(linger)]
        self.proc = subprocess.Popen(args, executable=sys.executable,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        line = LineReader(self.proc.stdout).readline(READY_TIMEOUT)
        fields = line.split()
        if len(fields) != 3 or fields[0] != b"ready":
            self.kill()
            raise AssertionError("target did not start: %r" % line)
        check(int(fields[1]) == self.pid, "target pid mismatch")
        self.addr = int(fields[2], 16)

    def release(self):
        """Close its stdin: it lingers, then exits."""
        self.proc.stdin.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if not f.closed:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def unique_name(prefix):
    return "%s%x%04x" % (prefix, os.getpid() & 0xfff,
                         int.from_bytes(os.urandom(2), "little"))


def reaped_pid():
    """The pid of a process that has exited and been reaped."""
    for _ in range(10):
        p = subprocess.Popen(["true"])
        p.wait()
        if not os.path.exists("/proc/%d" % p.pid):
            return p.pid
    raise Skip("pids are reused too fast to find a free one")


def proc_state(pid):
    """(comm, state letter) of pid, or None if it does not exist."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    lp, rp = stat.index(b"("), stat.rindex(b")")
    return stat[lp + 1:rp], stat[rp + 2:rp + 3].decode()


# --- JSON document checks ---------------------------------------------------

def is_count(v):
    return v is None or (type(v) is int and v >= 0)


def check_doc(doc, pid, tracked=False):
    """
    The schema and invariants of one JSON refresh of pid; written is null
    everywhere unless pmtop tracks it.
    """
    check(set(doc) == JSON_TOP, "top-level fields: %s" % sorted(doc))
    check(doc["pid"] == pid, "pid %r, want %d" % (doc["pid"], pid))
    check(isinstance(doc["comm"], str), "comm not a string")
    check(type(doc["time"]) in (int, float) and doc["time"] > 1e9,
          "time %r" % doc["time"])
    check(doc["page_size"] == PAGE, "page_size %r" % doc["page_size"])
    check(doc["backend"] == "ioctl", "backend %r" % doc["backend"])
    check(isinstance(doc["supported"], list) and
          all(isinstance(s, str) for s in doc["supported"]),
          "supported %r" % doc["supported"])
    no_soft_dirty = "soft_dirty" not in doc["supported"]

    vmas = doc["vmas"]
    check(isinstance(vmas, list) and vmas, "no vmas")
    prev_end = -1
    for v in vmas:
        check(set(v) == JSON_VMA, "vma fields: %s" % sorted(v))
        for f in ("start", "end", "offset"):
            check(isinstance(v[f], str) and HEX_RE.match(v[f]),
                  "vma %s %r" % (f, v[f]))
        start, end = int(v["start"], 16), int(v["end"], 16)
        check(start < end, "vma start >= end: %r" % v)
        check(start >= prev_end, "vmas overlap or are unsorted at %s"
              % v["start"])
        prev_end = end
        check(isinstance(v["perms"], str) and len(v["perms"]) == 4,
              "perms %r" % v["perms"])
        check(isinstance(v["dev"], str) and
              re.match(r"^[0-9a-f]+:[0-9a-f]+$", v["dev"]),
              "dev %r" % v["dev"])
        check(type(v["inode"]) is int and v["inode"] >= 0, "inode")
        check(isinstance(v["name"], str), "name")
        check(isinstance(v["kind"], str) and v["kind"], "kind")
        check(type(v["deleted"]) is bool, "deleted")
        check(type(v["pages"]) is int and
              v["pages"] == (end - start) // PAGE,
              "pages %r for %s-%s" % (v["pages"], v["start"], v["end"]))
        for c in JSON_COUNTS:
            check(is_count(v[c]), "vma %s %r is not a count" % (c, v[c]))
            check(v[c] is None or v[c] <= v["pages"],
                  "vma %s %r > pages %r" % (c, v[c], v["pages"]))
        check(tracked or v["written"] is None,
              "written %r without tracking" % v["written"])
        if no_soft_dirty:
            check(v["soft_dirty"] is None,
                  "soft_dirty %r but not supported" % v["soft_dirty"])

    t = doc["totals"]
    check(isinstance(t, dict) and set(t) == JSON_TOTALS,
          "totals fields: %r" % t)
    check(t["pages"] == sum(v["pages"] for v in vmas),
          "totals.pages %r != sum %r" % (t["pages"],
                                         sum(v["pages"] for v in vmas)))
    for c in JSON_COUNTS:
        check(is_count(t[c]), "totals %s %r" % (c, t[c]))
        if t[c] is not None:
            want = sum(v[c] for v in vmas if v[c] is not None)
            check(t[c] == want, "totals.%s %r != sum %r" % (c, t[c], want))
    check(tracked or t["written"] is None,
          "totals.written %r" % t["written"])
    if no_soft_dirty:
        check(t["soft_dirty"] is None, "totals.soft_dirty %r" %
              t["soft_dirty"])


def vma_at(doc, addr):
    for v in doc["vmas"]:
        if int(v["start"], 16) <= addr < int(v["end"], 16):
            return v
    return None


# --- the checks -------------------------------------------------------------

def test_cli_json_batch():
    size = 8 << 20
    with Child(alloc=size) as c:
        r = run_pmtop(["--batch", "--json", "-n", "3", "-d", "0.2",
                       "-p", str(c.pid)])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        check(len(docs) == 3, "want 3 lines, got %d" % len(docs))
        for d in docs:
            check_doc(d, c.pid)
            check(d["comm"] == "python3", "comm %r" % d["comm"])
            v = vma_at(d, c.addr)
            check(v is not None, "no vma holds the allocation at %x" % c.addr)
            check(v["present"] is not None and v["present"] >= size // PAGE,
                  "allocation of %d pages shows present %r" %
                  (size // PAGE, v["present"]))
        times = [d["time"] for d in docs]
        for a, b in zip(times, times[1:]):
            check(0.1 <= b - a <= 3.0,
                  "refreshes %.3f s apart, want ~0.2: %r" % (b - a, times))


def test_cli_text_batch():
    with Child() as c:
        r = run_pmtop(["--batch", "-n", "2", "-d", "0.1", "-p", str(c.pid)])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        no_control_bytes(r.stdout, "text output")
        # Two tables, separated by one blank line.
        tables = r.stdout.decode().split("\n\n")
        check(len(tables) == 2, "want 2 tables: %r" % r.stdout[:500])
        for t in tables:
            lines = t.rstrip("\n").split("\n")
            check(lines[0].startswith("pid %d (python3)  backend ioctl"
                                      % c.pid), "header %r" % lines[0])
            check(lines[1].split() == ["Address", "Perm", "KiB", "Present",
                                       "Swapped", "File", "Zero", "Huge",
                                       "Name"], "titles %r" % lines[1])
            check(lines[-1].split()[0] == "total", "last %r" % lines[-1])


def test_cli_pid_by_comm():
    name = unique_name("pmtc")
    with Child(comm=name.encode()) as c:
        r = run_pmtop(["--batch", "--json", "-p", name])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        check(len(docs) == 1, "want 1 line")
        check(docs[0]["pid"] == c.pid, "resolved to %r, want %d"
              % (docs[0]["pid"], c.pid))
        check(docs[0]["comm"] == name, "comm %r" % docs[0]["comm"])


def test_cli_pid_by_argv0():
    # Longer than comm's 15 bytes: only the argv[0] basename matches.
    name = unique_name("pmtop-cli-argv0-")
    with Child(argv0=name) as c:
        r = run_pmtop(["--batch", "--json", "-p", name])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        check(len(docs) == 1 and docs[0]["pid"] == c.pid,
              "resolved to %r, want %d" % ([d["pid"] for d in docs], c.pid))


def test_cli_name_not_found():
    name = unique_name("pmtop-none-")
    r = run_pmtop(["--batch", "-p", name])
    check(r.returncode == 1, show(r))
    check(r.stdout == b"", "stdout not empty: " + show(r))
    msg = stderr_one_line(r)
    check(msg.startswith("pmtop: ") and name in msg, "message %r" % msg)


def test_cli_name_ambiguous():
    name = unique_name("pmtd")
    with Child(comm=name.encode()) as a, Child(comm=name.encode()) as b:
        r = run_pmtop(["--batch", "-p", name])
        check(r.returncode == 1, show(r))
        check(r.stdout == b"", "stdout not empty: " + show(r))
        msg = stderr_one_line(r)
        check(msg.startswith("pmtop: "), "message %r" % msg)
        pids = set(re.findall(r"\d+", msg))
        check(str(a.pid) in pids and str(b.pid) in pids,
              "message does not list pids %d and %d: %r"
              % (a.pid, b.pid, msg))


def test_cli_missing_pid():
    pid = reaped_pid()
    for args in (["--batch", "-p", str(pid)],
                 ["--batch", "--json", "-p", str(pid)]):
        r = run_pmtop(args)
        check(r.returncode == 1, show(r))
        check(r.stdout == b"", "stdout not empty: " + show(r))
        msg = stderr_one_line(r)
        check(msg.startswith("pmtop: ") and str(pid) in msg,
              "message %r" % msg)


def test_cli_zombie_pid():
    p = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 30
        while proc_state(p.pid) is None or proc_state(p.pid)[1] != "Z":
            check(time.monotonic() < deadline, "child never became a zombie")
            time.sleep(0.05)
        r = run_pmtop(["--batch", "-p", str(p.pid)])
    finally:
        p.wait()
    check(r.returncode == 1, show(r))
    check(r.stdout == b"", "stdout not empty: " + show(r))
    msg = stderr_one_line(r)
    check(msg.startswith("pmtop: ") and "zombie" in msg, "message %r" % msg)


def test_cli_kernel_thread():
    try:
        with open("/proc/2/comm") as f:
            comm = f.read().strip()
    except OSError:
        comm = None
    if comm != "kthreadd":
        raise Skip("pid 2 is not kthreadd here")
    r = run_pmtop(["--batch", "-p", "2"])
    check(r.returncode == 1, show(r))
    check(r.stdout == b"", "stdout not empty: " + show(r))
    msg = stderr_one_line(r)
    check(msg.startswith("pmtop: ") and "kernel thread" in msg,
          "message %r" % msg)


def drop_to_nobody():
    # A working directory nobody may enter: python reads it at start.
    os.chdir("/")
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def test_cli_permission_denied():
    if os.geteuid() != 0:
        raise Skip("needs root to run pmtop as another user")
    with Child() as c:
        r = run_pmtop(["--batch", "-p", str(c.pid)], preexec_fn=drop_to_nobody)
        check(r.returncode == 1, show(r))
        check(r.stdout == b"", "stdout not empty: " + show(r))
        msg = stderr_one_line(r)
        check(msg.startswith("pmtop: ") and "CAP_SYS_PTRACE" in msg,
              "message %r" % msg)


def test_cli_usage_errors():
    me = str(os.getpid())
    cases = [
        ["--batch"],                                    # no -p
        ["--batch", "--json", "-n", "2"],               # no -p
        ["--batch", "-p"],                              # -p without value
        ["--batch", "-n", "abc", "-p", me],
        ["--batch", "-n", "-1", "-p", me],
        ["--batch", "-n", "3x", "-p", me],
        ["--batch", "-n", "", "-p", me],
        ["--batch", "-d", "0", "-p", me],
        ["--batch", "-d", "abc", "-p", me],
        ["--batch", "-d", "-1", "-p", me],
        ["--batch", "-d", "0.001", "-p", me],
        ["--batch", "-d", "nan", "-p", me],
        ["--batch", "-d", "1e9", "-p", me],
        ["--batch", "--bogus", "-p", me],
        ["--batch", "-x", "-p", me],
        ["--batch", "-p", me, "extra"],
    ]
    for args in cases:
        r = run_pmtop(args)
        check(r.returncode == 2, "%r: %s" % (args, show(r)))
        check(r.stdout == b"", "%r: stdout not empty: %s" % (args, show(r)))
        check(b"usage: pmtop" in r.stderr,
              "%r: no usage message: %s" % (args, show(r)))
        no_control_bytes(r.stderr, "stderr of %r" % args)


def test_cli_no_batch():
    with Child() as c:
        for args in (["-p", str(c.pid)], ["--json", "-p", str(c.pid)]):
            r = run_pmtop(args)
            check(r.returncode == 2, "%r: %s" % (args, show(r)))
            check(r.stdout == b"", "%r: stdout not empty" % args)
            msg = stderr_one_line(r)
            check(msg.startswith("pmtop: ") and "--batch" in msg,
                  "message %r" % msg)


def test_cli_help():
    r = run_pmtop(["--help"])
    check(r.returncode == 0 and r.stderr == b"", show(r))
    check(r.stdout.startswith(b"usage: pmtop") and b"--batch" in r.stdout
          and b"--demo" in r.stdout, show(r))
    r2 = run_pmtop(["-h"])
    check(r2.returncode == 0 and r2.stdout == r.stdout, show(r2))


def test_cli_version():
    for opt in ("--version", "-V"):
        r = run_pmtop([opt])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        check(re.match(rb"^pmtop \d+\.\d+(\.\d+)?\S*\n$", r.stdout),
              "version %r" % r.stdout)


def test_cli_target_exits():
    with Child(linger=0.5) as c:
        pm = subprocess.Popen(WRAPPER + [PMTOP, "--batch", "--json", "-n",
                                         "0", "-d", "0.1", "-p", str(c.pid)],
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # Let it exit only once pmtop is watching it.
            out = LineReader(pm.stdout)
            first = out.readline(READY_TIMEOUT)
            check(first.endswith(b"\n"), "no first refresh: %r" % first)
            c.release()
            c.proc.wait(timeout=READY_TIMEOUT)
            exited = time.monotonic()
            rest, err = pm.communicate(timeout=RUN_TIMEOUT)
            lag = time.monotonic() - exited
        finally:
            if pm.poll() is None:
                pm.kill()
                pm.wait()
        check(pm.returncode == 1, "rc=%r stderr=%r" % (pm.returncode, err))
        check(lag < 3.0, "pmtop took %.1f s to notice the exit" % lag)
        r = subprocess.CompletedProcess(pm.args, pm.returncode,
                                        first + out.buf + rest, err)
        msg = stderr_one_line(r)
        check(msg.startswith("pmtop: ") and "exited" in msg,
              "message %r" % msg)
        docs = parse_json_lines(r.stdout)
        check(len(docs) >= 2, "only %d refreshes" % len(docs))
        for d in docs:
            check_doc(d, c.pid)


# A path that tries everything on a terminal: colours, a title change,
# tab, newline, carriage return, a backslash, spaces, invalid UTF-8 (and
# one valid two-byte character that must come through as is).
HOSTILE_FILE = (b"evil \x1b[31mred\x1b[0m \x1b]0;title\x07 tab\there"
                b" nl\nline cr\rret back\\slash caf\xc3\xa9 bad\xff end")
HOSTILE_COMM = b"ev\x1b[1mil\tc"


def escape_visible(raw):
    """What the man page says text output shows for raw name bytes."""
    out = []
    for ch in raw.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff:
            out.append("\\x%02x" % (o - 0xdc00))
        elif ch in "\\\t\n\r\x1b":
            out.append({"\\": "\\\\", "\t": "\\t", "\n": "\\n",
                        "\r": "\\r", "\x1b": "\\e"}[ch])
        elif o < 0x20 or 0x7f <= o <= 0x9f:
            out.append("".join("\\x%02x" % b for b in ch.encode()))
        else:
            out.append(ch)
    return "".join(out)


TEXT_LINE_RE = re.compile(
    r"^[0-9a-f]+-[0-9a-f]+ \S{4} +\d+( +(\d+|n/a)){5}( (?P<name>.*))?$")


def test_cli_hostile_names():
    tmp = tempfile.mkdtemp(prefix="pmtop-cli-")
    path = os.fsencode(tmp) + b"/" + HOSTILE_FILE
    try:
        with open(path, "wb") as f:
            f.write(b"x" * (4 * PAGE))
        with Child(comm=HOSTILE_COMM, map_path=path) as c:
            text = run_pmtop(["--batch", "-p", str(c.pid)])
            js = run_pmtop(["--batch", "--json", "-p", str(c.pid)])
    finally:
        os.unlink(path)
        os.rmdir(tmp)

    # Text: nothing raw, everything escaped, the name last on its line.
    check(text.returncode == 0 and text.stderr == b"", show(text))
    no_control_bytes(text.stdout, "text output")
    out = text.stdout.decode("utf-8")
    check("\\e[31m" in out and "\\n" in out and "\\e]0;title\\x07" in out,
          "name not escaped: %r" % out)
    lines = out.rstrip("\n").split("\n")
    check(lines[0].startswith("pid %d (%s)  backend"
                              % (c.pid, escape_visible(HOSTILE_COMM))),
          "header %r" % lines[0])
    check(lines[1].rstrip().endswith(" Name"), "titles %r" % lines[1])
    check(lines[-1].split()[0] == "total", "totals %r" % lines[-1])
    want = escape_visible(path)
    found = 0
    for line in lines[2:-1]:
        m = TEXT_LINE_RE.match(line)
        check(m, "table line not address, perms, 6 numbers, name: %r" % line)
        if m.group("name") == want:
            found += 1
    check(found == 1, "%d lines end with the escaped name %r:\n%s"
          % (found, want, out))

    # JSON: the exact bytes come back through surrogateescape.
    check(js.returncode == 0 and js.stderr == b"", show(js))
    no_control_bytes(js.stdout, "JSON output")
    docs = parse_json_lines(js.stdout)
    check(len(docs) == 1, "want 1 line")
    check_doc(docs[0], c.pid)
    comm = docs[0]["comm"].encode("utf-8", "surrogateescape")
    check(comm == HOSTILE_COMM, "comm %r, want %r" % (comm, HOSTILE_COMM))
    names = [v["name"].encode("utf-8", "surrogateescape")
             for v in docs[0]["vmas"]]
    check(path in names, "no vma named %r in %r" % (path, names))
    v = docs[0]["vmas"][names.index(path)]
    check(v["kind"] == "file" and v["deleted"] is False and
          v["pages"] == 4 and v["present"] is not None and v["present"] >= 1,
          "vma %r" % v)


def wait_gone(pid, comm, timeout):
    """True once pid is gone, reused by another command, or a zombie."""
    deadline = time.monotonic() + timeout
    while True:
        st = proc_state(pid)
        if st is None or st[0] != comm or st[1] in "ZX":
            return st
        if time.monotonic() > deadline:
            return st
        time.sleep(0.05)


def test_cli_demo():
    r = run_pmtop(["--demo", "--batch", "-n", "1", "--json"],
                  timeout=RUN_TIMEOUT * 2)
    check(r.returncode == 0 and r.stderr == b"", show(r))
    docs = parse_json_lines(r.stdout)
    check(len(docs) == 1, "want 1 line, got %d" % len(docs))
    d = docs[0]
    check_doc(d, d["pid"])
    check(d["comm"] == "pmtop-demo", "comm %r" % d["comm"])
    vmas = d["vmas"]
    check(any(v["kind"] == "memfd" for v in vmas), "no memfd vma")
    check(any(v["kind"] == "file" and v["deleted"] for v in vmas),
          "no deleted file vma")
    # 64 GiB; 4 GiB where the demo cannot have that (under valgrind).
    size = (4 if WRAPPER else 64) << 30
    big = [v for v in vmas
           if int(v["end"], 16) - int(v["start"], 16) == size]
    check(big and big[0]["present"] == 0,
          "no %d GiB vma with 0 present: %r" % (size >> 30, big))
    # pmtop killed and reaped its child: no trace of it, not even a zombie.
    st = wait_gone(d["pid"], b"pmtop-demo", 10)
    check(st is None or st[0] != b"pmtop-demo",
          "demo child %d still there after pmtop exited: %r" % (d["pid"], st))


def test_cli_demo_dies_with_pmtop():
    pm = subprocess.Popen(WRAPPER + [PMTOP, "--demo", "--batch", "--json",
                           "-n", "0"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    try:
        first = LineReader(pm.stdout).readline(RUN_TIMEOUT)
        check(first.endswith(b"\n"), "no first refresh: %r" % first)
        pid = json.loads(first)["pid"]
    finally:
        pm.kill()
        pm.communicate(timeout=RUN_TIMEOUT)
    # Reparented to init: a zombie until init reaps it is fine, running not.
    st = wait_gone(pid, b"pmtop-demo", 10)
    check(st is None or st[0] != b"pmtop-demo" or st[1] in "ZX",
          "demo child %d still running after pmtop was killed: %r"
          % (pid, st))


# --- scan backends and the PMTOP_FAKE_KERNEL seam ---------------------------

COMPARED = ["present", "swapped", "file", "pfnzero", "huge", "guard",
            "soft_dirty"]


def check_doc_backend(doc, pid, backend):
    """check_doc() for a refresh made with the given backend."""
    check(doc["backend"] == backend, "backend %r, want %r"
          % (doc["backend"], backend))
    check_doc(dict(doc, backend="ioctl"), pid)


def fake_env(spec):
    return dict(os.environ, PMTOP_FAKE_KERNEL=spec)


def one_doc(args, pid=None, backend="ioctl", **kw):
    """Run pmtop --batch --json once; its one document, checked."""
    r = run_pmtop(["--batch", "--json", "-n", "1"] + args, **kw)
    check(r.returncode == 0 and r.stderr == b"", show(r))
    docs = parse_json_lines(r.stdout)
    check(len(docs) == 1, "want 1 line, got %d" % len(docs))
    check_doc_backend(docs[0], pid if pid is not None else docs[0]["pid"],
                      backend)
    return docs[0]


# A target for the backend checks: 1024 pages only read (the zero page)
# and 64 written pages, every 4th a guard page where the kernel has them.
# A plain Python process: pmtop --demo under a sanitizer would fork a demo
# with terabytes of shadow, which the pagemap backend reads page by page.
BACKEND_CHILD_CODE = r"""
import ctypes, mmap, os, sys
P = mmap.PAGESIZE
def addr(m):
    return ctypes.addressof(ctypes.c_char.from_buffer(m))
zero = mmap.mmap(-1, 1024 * P, flags=mmap.MAP_PRIVATE)
n = sum(zero[i] for i in range(0, len(zero), P))
guard = mmap.mmap(-1, 64 * P, flags=mmap.MAP_PRIVATE)
guard.write(b"g" * len(guard))
ok = 1
try:
    for i in range(0, 64, 4):
        guard.madvise(102, i * P, P)
except (OSError, ValueError):
    ok = 0
keep = (addr(zero), addr(guard))
print("ready %d %x %x %d" % (os.getpid(), keep[0], keep[1], ok), flush=True)
sys.stdin.buffer.read()
"""


class BackendChild:
    """The target above; a context manager, killed on exit."""

    def __init__(self, preexec_fn=None):
        # Another user cannot run a python under /root: take the system's.
        python = sys.executable if preexec_fn is None else "/usr/bin/python3"
        self.proc = subprocess.Popen([python, "-c", BACKEND_CHILD_CODE],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     preexec_fn=preexec_fn)
        line = LineReader(self.proc.stdout).readline(READY_TIMEOUT)
        f = line.split()
        if len(f) != 5 or f[0] != b"ready":
            self.__exit__()
            raise AssertionError("target did not start: %r" % line)
        self.pid = int(f[1])
        self.zero, self.guard = int(f[2], 16), int(f[3], 16)
        self.has_guard = f[4] == b"1"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


def test_cli_backend_usage():
    me = str(os.getpid())
    for args in (["--batch", "--backend", "foo", "-p", me],
                 ["--batch", "--backend=", "-p", me],
                 ["--batch", "-p", me, "--backend"]):
        r = run_pmtop(args)
        check(r.returncode == 2 and r.stdout == b"", "%r: %s" % (args,
                                                                 show(r)))
        check(b"usage: pmtop" in r.stderr, "%r: %s" % (args, show(r)))
    r = run_pmtop(["--help"])
    check(b"--backend ioctl|pagemap" in r.stdout, show(r))


def test_cli_backend_pagemap_agrees():
    """The same stopped target through both backends: the same counts."""
    with Child(alloc=8 << 20) as c:
        os.kill(c.pid, signal.SIGSTOP)
        try:
            io = one_doc(["-p", str(c.pid)], c.pid)
            pm = one_doc(["--backend=pagemap", "-p", str(c.pid)], c.pid,
                         "pagemap")
        finally:
            os.kill(c.pid, signal.SIGCONT)
    check(len(io["vmas"]) == len(pm["vmas"]), "VMAs %d vs %d"
          % (len(io["vmas"]), len(pm["vmas"])))
    for a, b in zip(io["vmas"], pm["vmas"]):
        check(a["start"] == b["start"], "VMA %s vs %s" % (a["start"],
                                                          b["start"]))
        for k in COMPARED:
            check(a[k] == b[k], "%s %s: ioctl %r, pagemap %r"
                  % (a["start"], k, a[k], b[k]))
    for k in COMPARED:
        check(io["totals"][k] == pm["totals"][k], "totals.%s" % k)
    v = vma_at(pm, c.addr)
    check(v["present"] >= (8 << 20) // PAGE, "allocation %r" % v)


def test_cli_backend_pagemap_text():
    with BackendChild() as c:
        r = run_pmtop(["--batch", "--backend", "pagemap", "-p", str(c.pid)])
    check(r.returncode == 0 and r.stderr == b"", show(r))
    first = r.stdout.split(b"\n", 1)[0].decode()
    check(re.match(r"^pid %d \(python3\)  backend pagemap  " % c.pid,
                   first), "header %r" % first)


def test_cli_backend_pagemap_as_nobody():
    """Unprivileged: no frame numbers, zero and huge from smaps."""
    if os.geteuid() != 0:
        raise Skip("needs root to run pmtop as another user")
    with BackendChild(preexec_fn=drop_to_nobody) as c:
        d = one_doc(["--backend", "pagemap", "-p", str(c.pid)], c.pid,
                    "pagemap", preexec_fn=drop_to_nobody)
    check("pfnzero" not in d["supported"] and "huge" not in d["supported"],
          "supported %r: zero and huge are per VMA here" % d["supported"])
    v = vma_at(d, c.zero)
    check(v["pfnzero"] is not None and v["pfnzero"] >= 1024 and
          v["huge"] is not None, "zero pages %r" % v)
    check(d["totals"]["pfnzero"] is not None and
          d["totals"]["huge"] is not None, "totals %r" % d["totals"])


def test_cli_seam_no_ioctl():
    """A kernel without PAGEMAP_SCAN: pmtop runs on the pagemap backend."""
    env = fake_env("no-ioctl")
    with BackendChild() as c:
        d = one_doc(["-p", str(c.pid)], c.pid, "pagemap", env=env)
        r = run_pmtop(["--batch", "--backend", "ioctl", "-p", str(c.pid)],
                      env=env)
    v = vma_at(d, c.zero)
    check(v["pfnzero"] is not None and v["pfnzero"] >= 1024,
          "zero pages %r" % v)
    check(r.returncode == 1 and r.stdout == b"", show(r))
    msg = stderr_one_line(r)
    check("PAGEMAP_SCAN" in msg and "--backend=pagemap" in msg,
          "message %r" % msg)


def test_cli_seam_no_bits():
    """No SOFT_DIRTY or GUARD: null in JSON, n/a in text, never 0."""
    env = fake_env("no-bits=soft_dirty,guard")
    with BackendChild() as c:
        for backend in ("ioctl", "pagemap"):
            args = ["--backend", backend, "-p", str(c.pid)]
            d = one_doc(args, c.pid, backend, env=env)
            check("guard" not in d["supported"] and
                  "soft_dirty" not in d["supported"], "supported %r"
                  % d["supported"])
            for v in d["vmas"] + [d["totals"]]:
                # Swapped too: guard markers would count as swap.
                for k in ("guard", "soft_dirty", "swapped"):
                    check(v[k] is None, "%s: %s %r" % (backend, k, v[k]))
            v = vma_at(d, c.guard)
            check(v["present"] is not None and v["present"] >= 48,
                  "guarded VMA %r" % v)
            r = run_pmtop(["--batch"] + args, env=env)
            check(r.returncode == 0 and r.stderr == b"", show(r))
            for line in r.stdout.decode().splitlines()[2:]:
                if TEXT_LINE_RE.match(line):
                    check(line.split()[4] == "n/a", "swapped in %r" % line)


def test_cli_seam_misspelt():
    r = run_pmtop(["--demo", "--batch"], env=fake_env("no-ioctls"))
    check(r.returncode == 1 and r.stdout == b"", show(r))
    msg = stderr_one_line(r)
    check("PMTOP_FAKE_KERNEL" in msg and "no-ioctls" in msg,
          "message %r" % msg)


def test_cli_backend_pagemap_denied():
    if os.geteuid() != 0:
        raise Skip("needs root to run pmtop as another user")
    with Child() as c:
        r = run_pmtop(["--batch", "--backend", "pagemap", "-p", str(c.pid)],
                      preexec_fn=drop_to_nobody)
        check(r.returncode == 1 and r.stdout == b"", show(r))
        msg = stderr_one_line(r)
        check("CAP_SYS_PTRACE" in msg, "message %r" % msg)


# --- write tracking ---------------------------------------------------------

TRACK_TARGET = os.environ.get("PMTOP_TRACK_TARGET") or os.path.join(
    HERE, "..", "build", "tests", "track_target")

# The pages the target writes every millisecond (-W), of its 64-page
# region, which is a VMA of its own between PROT_NONE guard pages.
TRACK_PAGES = [0, 5, 9, 63]
TRACK_W = ",".join(str(p) for p in TRACK_PAGES)


def need_injection():
    """pmtop under valgrind (3.19) has no pidfd_open: it cannot inject."""
    if WRAPPER:
        raise Skip("valgrind has no pidfd_open/pidfd_getfd, so pmtop "
                   "cannot take the target's userfaultfd under it "
                   "(tests/test_track.c runs the tracker under valgrind)")


class TrackTarget:
    """track_target started here; killed on exit."""

    def __init__(self, *args, preexec_fn=None):
        self.proc = subprocess.Popen([TRACK_TARGET] + list(args),
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        self.out = LineReader(self.proc.stdout)
        f = self.out.readline(READY_TIMEOUT).split()
        if not f or f[0] != b"ready":
            self.kill()
            raise AssertionError("track_target did not start: %r" % f)
        self.addr = int(f[2], 16) if len(f) > 2 else 0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if not f.closed:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def check_tracked_doc(doc, pid, region):
    """
    A refresh while tracked: written is non-null exactly in the VMAs
    armed since the previous refresh (all their pages write-protect
    allowed), and in the region it is exactly the pages written.
    Returns the region's written count.
    """
    check_doc(doc, pid, tracked=True)
    for v in doc["vmas"]:
        armed = v["wpallowed"] is not None and v["wpallowed"] == v["pages"]
        check((v["written"] is not None) == armed,
              "written %r with wpallowed %r of %r pages at %s" % (
                  v["written"], v["wpallowed"], v["pages"], v["start"]))
        if v["perms"].startswith("---"):
            check(v["written"] is None and not v["wpallowed"],
                  "PROT_NONE VMA tracked: %r" % v)
    v = vma_at(doc, region)
    check(v is not None and v["pages"] == 64, "no region: %r" % v)
    return v["written"]


def test_cli_track_launch_json():
    need_injection()
    r = run_pmtop(["--batch", "--json", "-n", "5", "-d", "0.3", "--",
                   TRACK_TARGET, "-q", "-W", TRACK_W])
    check(r.returncode == 0 and r.stderr == b"", show(r))
    docs = parse_json_lines(r.stdout)
    check(len(docs) == 5, "want 5 lines, got %d" % len(docs))
    pid = docs[0]["pid"]
    region = [int(v["start"], 16) for v in docs[-1]["vmas"]
              if v["pages"] == 64 and v["perms"] == "rw-p"]
    check(len(region) == 1, "no 64-page region in %r" % docs[-1]["vmas"])
    written = [check_tracked_doc(d, pid, region[0]) for d in docs[1:]]

    # Mapped after exec: armed by the first refresh, exact from then on.
    check(written[1:] == [len(TRACK_PAGES)] * 3,
          "region written %r, want %d a refresh" % (written,
                                                     len(TRACK_PAGES)))
    # pmtop ended the command it started.
    st = wait_gone(pid, b"track_target", 10)
    check(st is None or st[0] != b"track_target" or st[1] in "ZX",
          "command %d still running after pmtop: %r" % (pid, st))


def test_cli_track_attach_json():
    need_injection()
    with TrackTarget("-W", TRACK_W) as t:
        r = run_pmtop(["--batch", "--json", "-n", "4", "-d", "0.3",
                       "--track", "-p", str(t.pid)])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        check(len(docs) == 4, "want 4 lines, got %d" % len(docs))

        # Attached: armed before the first refresh, counted from the next.
        check(all(v["written"] is None for v in docs[0]["vmas"]),
              "written in the first refresh: %r" % docs[0]["totals"])
        written = [check_tracked_doc(d, t.pid, t.addr) for d in docs[1:]]
        check(written == [len(TRACK_PAGES)] * 3,
              "region written %r, want %d a refresh" % (
                  written, len(TRACK_PAGES)))
        check(uffd_state(t.pid) == (0, 0),
              "registered after pmtop ended: %r" % (uffd_state(t.pid),))
        check(t.proc.poll() is None, "target died")


def test_cli_track_text():
    need_injection()
    with TrackTarget("-W", TRACK_W) as t:
        r = run_pmtop(["--batch", "-n", "2", "-d", "0.3", "--track", "-p",
                       str(t.pid)])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        last = r.stdout.decode().split("\n\n")[-1].splitlines()
        check("Written" in last[1].split(), "no Written column: %r" %
              last[1])
        row = [l for l in last
               if re.match(r"^0*%x-" % t.addr, l) is not None]
        check(row and row[0].split()[8] == str(len(TRACK_PAGES)),
              "region row %r" % row)


def test_cli_track_as_nobody():
    """An unprivileged user tracks a process of its own."""
    need_injection()
    if os.geteuid() != 0:
        raise Skip("needs root to run as another user")
    with TrackTarget("-W", TRACK_W, preexec_fn=drop_to_nobody) as t:
        r = run_pmtop(["--batch", "--json", "-n", "3", "-d", "0.3",
                       "--track", "-p", str(t.pid)],
                      preexec_fn=drop_to_nobody)
        if r.returncode != 0 and b"ptrace_scope" in r.stderr:
            raise Skip("Yama allows only descendants: %r" % r.stderr)
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        written = [check_tracked_doc(d, t.pid, t.addr) for d in docs[1:]]
        check(written == [len(TRACK_PAGES)] * 2, "written %r" % written)


def expect_refusal(args, words, target=None):
    r = run_pmtop(["--batch", "--json"] + args)
    check(r.returncode == 1 and r.stdout == b"", show(r))
    msg = stderr_one_line(r)
    check(words in msg, "refusal %r does not say %r" % (msg, words))
    if target is not None:
        check(target.proc.poll() is None, "target died")
        return uffd_state(target.pid)
    return None


def test_cli_track_refusals():
    expect_refusal(["--track", "-p", "2"], "kernel thread")
    with TrackTarget("-s") as t:
        state = expect_refusal(["--track", "-p", str(t.pid)], "seccomp", t)
        check(state == (0, 0), "seccomp target touched: %r" % (state,))
    with TrackTarget("-b") as t:
        state = expect_refusal(["--track", "-p", str(t.pid)],
                               "already uses a userfaultfd", t)
        check(state == (1, 1), "busy target changed: %r" % (state,))
    r = run_pmtop(["--batch", "--", "/nonexistent/command"])
    check(r.returncode == 1 and r.stdout == b"", show(r))
    check("No such file" in stderr_one_line(r), show(r))


def test_cli_track_force_seccomp():
    need_injection()
    with TrackTarget("-s", "-W", TRACK_W) as t:
        r = run_pmtop(["--batch", "--json", "-n", "3", "-d", "0.3",
                       "--track=force", "-p", str(t.pid)])
        check(r.returncode == 0 and r.stderr == b"", show(r))
        docs = parse_json_lines(r.stdout)
        written = [check_tracked_doc(d, t.pid, t.addr) for d in docs[1:]]
        check(written == [len(TRACK_PAGES)] * 2, "written %r" % written)


def test_cli_track_usage():
    for args, words in ((["--batch", "--track"], "--track"),
                        (["--batch", "--track=bogus", "-p", "1"], "force"),
                        (["--batch", "-p", "1", "--", "true"], "not both"),
                        (["--batch", "--"], "no command"),
                        (["--demo", "--", "true"], "not both")):
        r = run_pmtop(args)
        check(r.returncode == 2 and r.stdout == b"", show(r))
        check(words in r.stderr.decode(), "%r: %r" % (args, r.stderr))


def track_until_killed(t, sig):
    """
    pmtop tracks the self-checking target t until sig; returns pmtop's
    exit status, once the target is seen registered.
    """
    pm = subprocess.Popen(WRAPPER + [PMTOP, "--batch", "--json", "-n", "0",
                                     "-d", "0.1", "--track", "-p",
                                     str(t.pid)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    try:
        out = LineReader(pm.stdout)
        for _ in range(3):
            check(out.readline(RUN_TIMEOUT).endswith(b"\n"),
                  "pmtop stopped early")
        check(uffd_state(t.pid)[0] > 0, "target not registered")
        pm.send_signal(sig)
        pm.stdout.close()
        return pm.wait(timeout=RUN_TIMEOUT)
    finally:
        if pm.poll() is None:
            pm.kill()
            pm.wait()
        pm.stderr.close()


def test_cli_batch_signals():
    """SIGINT, SIGTERM and SIGHUP end a batch run cleanly, as 128 + N."""
    with Child() as c:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            pm = subprocess.Popen(WRAPPER + [PMTOP, "--batch", "--json",
                                             "-n", "0", "-d", "0.1", "-p",
                                             str(c.pid)],
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            first = LineReader(pm.stdout).readline(RUN_TIMEOUT)
            pm.send_signal(sig)
            out, err = pm.communicate(timeout=RUN_TIMEOUT)
            check(first.endswith(b"\n"), "no first refresh: %r" % first)
            check(pm.returncode == 128 + sig and err == b"",
                  "signal %d: rc %r stderr %r" % (sig, pm.returncode, err))


def test_cli_track_signals_detach():
    """
    A target that checks its own data, with pmtop ended by each signal
    (SIGKILL too: the kernel closes pmtop's userfaultfd, the only one):
    no registration left, the target runs on and its data is right.
    """
    need_injection()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                signal.SIGKILL):
        with TrackTarget("-c", "3") as t:
            rc = track_until_killed(t, sig)
            want = -sig if sig == signal.SIGKILL else 128 + sig
            check(rc == want, "pmtop exit %r after signal %d" % (rc, sig))
            check(uffd_state(t.pid) == (0, 0),
                  "registered after signal %d: %r" % (sig,
                                                     uffd_state(t.pid)))
            line = t.out.readline(RUN_TIMEOUT)
            check(line.startswith(b"pass "), "self-check after signal "
                  "%d: %r" % (sig, line))


# --- write tracking refused on the pagemap backend --------------------------

# The refusal, on stderr after "pmtop: ": on a kernel without the ioctl,
# and on one with it when --backend=pagemap chose the classic pagemap.
TRACK_NO_IOCTL = ("write tracking needs PAGEMAP_SCAN (Linux 6.7+); the "
                  "pagemap backend cannot track writes")
TRACK_PAGEMAP_CHOSEN = TRACK_NO_IOCTL + " (--backend=ioctl can)"

# How pmtop is put on the pagemap backend: (arguments, environment, the
# refusal that follows).
PAGEMAP_WAYS = ((["--backend=pagemap"], None, TRACK_PAGEMAP_CHOSEN),
                (["--backend", "pagemap"], None, TRACK_PAGEMAP_CHOSEN),
                ([], fake_env("no-ioctl"), TRACK_NO_IOCTL))


def watch_refusal(args, env=None, target=None, tty=False,
                  timeout=RUN_TIMEOUT):
    """
    Run pmtop with args (stdin and stdout a pseudo-terminal if tty),
    looking at target every 20 ms while it runs; pmtop is killed after
    timeout. Returns (exit status, stdout, stderr, the uffd_state()s the
    target was seen in, whether it ever woke up).
    """
    before = (asleep(target.pid, READY_TIMEOUT) if target is not None
              else None)
    if tty:
        master, slave = pty.openpty()
        io = {"stdin": slave, "stdout": slave}
    else:
        master = slave = None
        io = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE}
    pm = subprocess.Popen(WRAPPER + [PMTOP] + list(args), env=env,
                          stderr=subprocess.PIPE, **io)
    seen = set()
    out = b""
    try:
        if tty:
            os.close(slave)
        deadline = time.monotonic() + timeout
        while pm.poll() is None and time.monotonic() < deadline:
            if target is not None:
                seen.add(uffd_state(target.pid))
            if tty and select.select([master], [], [], 0.02)[0]:
                try:
                    out += os.read(master, 65536)
                except OSError:         # EIO: pmtop closed the terminal
                    pass
            elif not tty:
                time.sleep(0.02)
        if pm.poll() is None:
            pm.kill()
        if tty:
            pm.wait()
            err = pm.stderr.read()
            while select.select([master], [], [], 0)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        else:
            so, err = pm.communicate()
            out += so
    finally:
        if pm.poll() is None:
            pm.kill()
            pm.wait()
        if tty:
            os.close(master)
        pm.stderr.close()
    if target is not None:
        seen.add(uffd_state(target.pid))
    woke = target is not None and switches(target.pid) != before
    return pm.returncode, out, err, seen, woke


def expect_track_refused(args, env, msg, target=None, tty=False,
                         timeout=RUN_TIMEOUT):
    """
    pmtop refuses with exactly one line, msg, exit 1 and nothing on
    stdout, and target, if any, was never touched: never registered nor
    given a userfaultfd while pmtop ran, never woken (stopped, signalled
    or made to run a system call).
    """
    rc, out, err, seen, woke = watch_refusal(args, env, target, tty,
                                             timeout)
    what = "%r: rc=%r stdout=%r stderr=%r" % (args, rc, out[:300], err)
    check(rc == 1 and out == b"", what)
    check(err == ("pmtop: %s\n" % msg).encode(), what)
    if target is not None:
        check(seen == {(0, 0)}, "%r: target registered or given a "
              "userfaultfd: %r" % (args, seen))
        check(not woke, "%r: target %d was stopped or woken" % (
            args, target.pid))


def test_cli_track_pagemap_refused():
    """--track on the pagemap backend: refused, the target untouched."""
    for way, env, msg in PAGEMAP_WAYS:
        for track in ("--track", "--track=force"):
            with TrackTarget() as t:
                expect_track_refused(["--batch", "--json", "-n", "3", "-d",
                                      "0.3"] + way + [track, "-p",
                                                       str(t.pid)],
                                     env, msg, t)


def test_cli_track_pagemap_launch_refused():
    """pmtop -- CMD tracks CMD: on the pagemap backend it never starts."""
    with tempfile.TemporaryDirectory() as d:
        for i, (way, env, msg) in enumerate(PAGEMAP_WAYS):
            mark = os.path.join(d, "ran%d" % i)
            expect_track_refused(["--batch", "-n", "3", "-d", "0.3"] +
                                 way + ["--", "/bin/sh", "-c",
                                        'echo ran > "$1"', "sh", mark],
                                 env, msg)
            check(not os.path.exists(mark), "%r started the command" % way)


def test_cli_track_pagemap_viewer_refused():
    """The viewer refuses at startup, before it takes the terminal."""
    timeout = RUN_TIMEOUT if WRAPPER else 10
    with tempfile.TemporaryDirectory() as d:
        for i, (way, env, msg) in enumerate(PAGEMAP_WAYS):
            mark = os.path.join(d, "ran%d" % i)
            with TrackTarget() as t:
                expect_track_refused(way + ["--track", "-p", str(t.pid)],
                                     env, msg, t, tty=True, timeout=timeout)
            expect_track_refused(way + ["--", "/bin/sh", "-c",
                                        'echo ran > "$1"', "sh", mark],
                                 env, msg, tty=True, timeout=timeout)
            check(not os.path.exists(mark), "%r started the command" % way)


# --- runner -----------------------------------------------------------------

def main():
    if not os.access(PMTOP, os.X_OK):
        print("pmtop binary not found: %s (set PMTOP)" % PMTOP)
        print("0 passed, 1 failed")
        return 1
    return run_checks("test_cli_", globals(), sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
