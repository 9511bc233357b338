#!/usr/bin/env python3
"""
Interactive tests for pmtop: drive the real viewer (path in $PMTOP) in
tmux as a person would, and read what the screen shows.

Each check runs its own tmux server on a private socket (-L, a unique name
per check, -f /dev/null, 120x40, remain-on-exit on), types keys with
send-keys and reads the screen with capture-pane -p (text) or -p -e (with
the colour and attribute escapes). The screen is polled until the expected
text shows (about 10 s at most) rather than slept on: machines are loaded.
Every check kills its tmux server and every process it started when it
ends, whatever happened.

Every check is a function named test_tui_<behaviour>. Prints one line per
check, then exactly one line "N passed, N failed", and exits 1 if any check
failed. Standard library only.

    test_tui.py [--update-golden] [NAME...]

--update-golden rewrites tests/golden/*.txt from this run instead of
comparing (look at them before committing); NAME selects the checks whose
name contains it.
"""

import os
import re
import shlex
import shutil
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
PMTOP = os.path.abspath(os.environ.get("PMTOP") or
                        os.path.join(HERE, "..", "build", "pmtop"))
GOLDEN_DIR = os.path.join(HERE, "golden")
PAGE = os.sysconf("SC_PAGE_SIZE")
UPDATE_GOLDEN = False
# The demo workload to watch: unsanitized where the build gives one (a
# fork of a sanitized pmtop carries terabytes of shadow mappings).
DEMO_WORKLOAD = ([os.environ["PMTOP_DEMO_WORKLOAD"]]
                 if os.environ.get("PMTOP_DEMO_WORKLOAD")
                 else [PMTOP, "--demo-workload"])

COLS, ROWS = 120, 40
WAIT = 10               # seconds to wait for something to show on screen
READY_TIMEOUT = 60      # for the demo workload to map its regions
TMUX_TIMEOUT = 20       # for one tmux command

# The environment of every program run in a pane: a fixed terminal and
# locale, and nothing from the caller's environment that would change
# either (NO_COLOR, LC_ALL, LINES...).
BASE_ENV = ["-u", "NO_COLOR", "-u", "LC_ALL", "-u", "LC_CTYPE",
            "-u", "LC_MESSAGES", "-u", "LINES", "-u", "COLUMNS",
            "-u", "TERMINFO", "TERM=tmux-256color", "LANG=C.UTF-8"]

# The demo's regions whose pages do not depend on time or on swap.
STABLE_REGIONS = ["striped", "zero", "thp", "file", "memfd", "guard",
                  "reserve"]

# A row of the process view's VMA table.
ROW_RE = re.compile(
    r"^(?P<start>[0-9a-f]{12,16})-(?P<end>[0-9a-f]{12,16}) "
    r"(?P<perms>\S{4}) +(?P<size>\S+) +(?P<present>\S+) +(?P<swapped>\S+) "
    r"+(?P<file>\S+) +(?P<zero>\S+) +(?P<huge>\S+) +(?P<written>\S+) "
    r"(?P<name>.*)$")
# A row of the process picker.
PICK_RE = re.compile(r"^[ !] *(?P<pid>\d+) ")
SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")
HEX_RE = re.compile(r"(?<![0-9a-f])[0-9a-f]{8,16}(?![0-9a-f])")

SHADES_UTF8 = "\u2591\u2592\u2593\u2588"
HALF_BLOCK = "\u2580"
MIDDOT = "\u00b7"
CAT_KEYS = "pfszhgwya"   # the category letters of --no-color heatmaps


# Failures that do not stop a check: it goes on to test the rest, and
# fails at the end with all of them.
SOFT = []


def expect(cond, msg):
    if not cond:
        SOFT.append(msg)
        print("  soft failure: %s" % msg.splitlines()[0], flush=True)
    return cond


# --- screens ----------------------------------------------------------------

def strip_sgr(line):
    return SGR_RE.sub("", line)


class Cell:
    __slots__ = ("ch", "bold", "dim", "rev", "fg", "bg")

    def __init__(self, ch, st):
        self.ch = ch
        self.bold, self.dim, self.rev, self.fg, self.bg = st

    def __repr__(self):
        return "Cell(%r b=%d d=%d r=%d fg=%r bg=%r)" % (
            self.ch, self.bold, self.dim, self.rev, self.fg, self.bg)


def parse_screen(elines):
    """
    The cells of capture-pane -e lines, each with its attributes. tmux
    writes only what changes from one cell to the next, across line ends
    too: the attributes carry over from the end of one line to the next.
    """
    bold = dim = rev = False
    fg = bg = None
    screen = []
    for line in elines:
        cells = []
        pos = 0
        for m in list(SGR_RE.finditer(line)) + [None]:
            end = m.start() if m else len(line)
            for ch in line[pos:end]:
                cells.append(Cell(ch, (bold, dim, rev, fg, bg)))
            if m is None:
                break
            pos = m.end()
            ps = [int(p) if p else 0 for p in re.split(r"[;:]", m.group(1))]
            i = 0
            while i < len(ps):
                p = ps[i]
                if p == 0:
                    bold = dim = rev = False
                    fg = bg = None
                elif p == 1:
                    bold = True
                elif p == 2:
                    dim = True
                elif p == 7:
                    rev = True
                elif p == 22:
                    bold = dim = False
                elif p == 27:
                    rev = False
                elif 30 <= p <= 37:
                    fg = p - 30
                elif 90 <= p <= 97:
                    fg = p - 90 + 8
                elif 40 <= p <= 47:
                    bg = p - 40
                elif 100 <= p <= 107:
                    bg = p - 100 + 8
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                elif p in (38, 48) and i + 1 < len(ps):
                    if ps[i + 1] == 5 and i + 2 < len(ps):
                        val = ps[i + 2]
                        i += 2
                    elif ps[i + 1] == 2 and i + 4 < len(ps):
                        val = tuple(ps[i + 2:i + 5])
                        i += 4
                    else:
                        val = None
                        i += 1
                    if p == 38:
                        fg = val
                    else:
                        bg = val
                i += 1
        screen.append(cells)
    return screen


def cells_text(cells):
    return "".join(c.ch for c in cells)


def rle(cells):
    """
    A line of cells as runs of equal cells, for goldens a person can read:
    "120'X'[fg255,bg255]" is 120 cells of X in colour 255 on 255.
    """
    out = []
    key = lambda c: (c.ch, c.bold, c.dim, c.rev, c.fg, c.bg)  # noqa: E731
    i = 0
    while i < len(cells):
        j = i
        while j < len(cells) and key(cells[j]) == key(cells[i]):
            j += 1
        c = cells[i]
        attrs = [a for a in ("rev", "bold", "dim") if getattr(c, a)]
        attrs += ["fg%s" % (c.fg,)] if c.fg is not None else []
        attrs += ["bg%s" % (c.bg,)] if c.bg is not None else []
        out.append("%d%r%s" % (j - i, c.ch, "[%s]" % ",".join(attrs)
                                if attrs else ""))
        i = j
    return " ".join(out)


def colour_params(line):
    """The SGR parameter lists of line that set a colour (not defaults)."""
    out = []
    for m in SGR_RE.finditer(line):
        ps = [int(p) if p else 0 for p in re.split(r"[;:]", m.group(1))]
        if any(30 <= p <= 38 or 40 <= p <= 48 or 90 <= p <= 107
               for p in ps):
            out.append(m.group(0))
    return out


def numbered(lines):
    return "\n".join("%2d|%s" % (i, l) for i, l in enumerate(lines))


# --- processes and tmux ------------------------------------------------------

class Resources:
    """What a check started; all of it is ended on exit, in reverse."""

    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        while self.items:
            item = self.items.pop()
            try:
                item.close()
            except Exception as e:      # keep cleaning up
                print("  cleanup of %r failed: %s" % (item, e), flush=True)


class TempDir:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="pmtop-tui-")

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


class Workload:
    """pmtop --demo-workload: the demo child's pid and its regions."""

    def __init__(self):
        self.proc = subprocess.Popen(DEMO_WORKLOAD,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pid = None
        self.regions = {}
        self.order = []
        r = LineReader(self.proc.stdout)
        try:
            while True:
                line = r.readline(READY_TIMEOUT).decode()
                check(line != "", "demo workload ended before ready: %r" %
                      self.proc.stderr.read(2000) if self.proc.poll()
                      is not None else "demo workload closed stdout")
                f = line.split()
                if line == "ready\n":
                    break
                if line.startswith("pmtop-demo running as pid "):
                    self.pid = int(f[-1])
                elif len(f) == 2 and "-" in f[1]:
                    s, e = f[1].split("-")
                    self.regions[f[0]] = (int(s, 16), int(e, 16))
                    self.order.append(f[0])
            check(self.pid and len(self.regions) == 9,
                  "demo workload said no pid or not 9 regions")
        except BaseException:
            self.close()
            raise

    def range(self, name):
        return self.regions[name]

    def close(self):
        # The demo child dies with its parent (PR_SET_PDEATHSIG); kill it
        # first all the same, while the parent, blocked in waitpid() on
        # it, keeps its pid from being reused.
        if self.proc.poll() is None and self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()

    def __repr__(self):
        return "Workload(%s)" % self.pid


class Tmux:
    """One tmux server on a private socket with one 120x40 session."""

    count = 0

    def __init__(self, tag, command, env=(), width=COLS, height=ROWS,
                 status=False):
        """
        Run the argv command in the pane under sh (pane_pid), which
        prints "PMTOP-EXIT=status" after it if status is true. tmux 3.3a
        does not always reap a pane's process (#{pane_dead_status} then
        stays empty), so the exit status comes from that shell, which
        kill-server ends.
        """
        Tmux.count += 1
        self.sock = "pmtop-tui-%d-%d-%s" % (os.getpid(), Tmux.count, tag)
        self.closed = False
        argv = ["env"] + BASE_ENV + list(env) + list(command)
        inner = " ".join(shlex.quote(a) for a in argv)
        if status:
            # The shell stays: tmux 3.3a scrolls away what a dead pane
            # showed last when it writes its "Pane is dead" line.
            inner += "; echo PMTOP-EXIT=$?; exec sleep 3600"
        else:
            inner = "exec " + inner
        self.command = "exec sh -c " + shlex.quote(inner)
        self.socket_path = None
        try:
            self.run("start-server", ";",
                     "set-option", "-g", "remain-on-exit", "on", ";",
                     "new-session", "-d", "-s", "s", "-x", str(width),
                     "-y", str(height), self.command)
            self.socket_path = self.display("#{socket_path}")
        except BaseException:
            self.close()
            raise

    def run(self, *args, check_rc=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] +
                           list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TMUX_TIMEOUT)
        if check_rc and r.returncode != 0:
            raise AssertionError("tmux %s failed: %s" % (
                " ".join(args[:3]), r.stderr.decode(errors="replace")))
        return r.stdout

    def close(self):
        if not self.closed:
            self.closed = True
            self.run("kill-server", check_rc=False)
            # tmux leaves its socket behind.
            if self.socket_path and os.path.basename(
                    self.socket_path) == self.sock:
                try:
                    os.unlink(self.socket_path)
                except OSError:
                    pass

    def __repr__(self):
        return "Tmux(%s)" % self.sock

    # Input.
    def keys(self, *keys):
        self.run("send-keys", "-t", "s", *keys)

    def repeat(self, key, n):
        if n > 0:
            self.run("send-keys", "-t", "s", "-N", str(n), key)

    def type(self, text):
        self.run("send-keys", "-t", "s", "-l", text)

    def line(self, text):
        """Type a shell command line and Enter."""
        self.type(text)
        self.keys("Enter")

    # Output.
    def capture_bytes(self, escapes=False):
        return self.run("capture-pane", "-p", "-t", "s",
                        *(["-e"] if escapes else []))

    def lines(self, escapes=False):
        text = self.capture_bytes(escapes).decode("utf-8", "surrogateescape")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    def display(self, fmt):
        return self.run("display-message", "-p", "-t", "s",
                        fmt).decode().rstrip("\n")

    def pane_pid(self):
        return int(self.display("#{pane_pid}"))

    def dead(self):
        return self.display("#{pane_dead}") == "1"

    def wait_for(self, cond, what, timeout=WAIT, escapes=False):
        """
        Poll the screen until cond(lines) is true (a string: until some
        line holds it) and return its value; fail with the screen.
        """
        if isinstance(cond, str):
            text = cond
            cond = lambda ls: ls if any(text in l for l in ls) \
                else None                                   # noqa: E731
        deadline = time.monotonic() + timeout
        next_dead_check = time.monotonic() + 0.5
        while True:
            lines = self.lines(escapes)
            v = cond(lines)
            if v:
                return v
            now = time.monotonic()
            dead = False
            if now >= next_dead_check:
                dead = self.dead()
                next_dead_check = now + 0.5
            if dead or now > deadline:
                lines = self.lines()
                raise AssertionError(
                    "%s %s; the screen:\n%s" % (
                        "the pane's program ended while waiting for" if dead
                        else "timed out after %ds waiting for" % timeout,
                        what, numbered(lines)))
            time.sleep(0.05)

    def wait_exit(self, timeout=WAIT):
        """pmtop's exit status, once the pane's shell printed it."""
        def status(ls):
            for l in ls:
                m = re.match(r"^PMTOP-EXIT=(\d+)$", l)
                if m:
                    return m.group(1)
            return None
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            st = status(lines)
            if st is not None:
                return int(st)
            if time.monotonic() > deadline:
                raise AssertionError("pmtop did not exit; the screen:\n%s"
                                     % numbered(lines))
            time.sleep(0.05)

    def pmtop_pid(self):
        """The pid of pmtop, the child of the pane's shell."""
        sh = self.pane_pid()
        pids = wait_until(lambda: [p for p in children(sh)
                                   if comm_of(p) == b"pmtop"], "pmtop's pid")
        check(len(pids) == 1, "pmtop pids %r" % pids)
        return pids[0]


def pmtop_pane(res, tag, args, env=()):
    return res.add(Tmux(tag, [PMTOP] + list(args), env, status=True))


def shell_pane(res, tag, env=()):
    """A pane running an interactive sh with the prompt "PROMPT$ "."""
    t = res.add(Tmux(tag, ["sh"], ["PS1=PROMPT$ "] + list(env)))
    t.wait_for("PROMPT$", "the shell prompt")
    return t


def children(pid):
    """Pids of pid's children, from /proc."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read()
        except OSError:
            continue
        rp = st.rindex(b")")
        if int(st[rp + 2:].split()[1]) == pid:
            out.append(int(d))
    return out


def comm_of(pid):
    try:
        with open("/proc/%d/comm" % pid, "rb") as f:
            return f.read().rstrip(b"\n")
    except OSError:
        return None


def wait_until(fn, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        check(time.monotonic() < deadline, "timed out waiting for " + what)
        time.sleep(0.05)


# --- pmtop's views -----------------------------------------------------------

def table_rows(lines):
    """[(line number, match)] of the process view's VMA table rows."""
    rows = []
    for i, l in enumerate(lines):
        m = ROW_RE.match(strip_sgr(l))
        if m:
            rows.append((i, m))
    return rows


def selected_line(elines, row_re=ROW_RE):
    """
    Index of the table row (a line matching row_re) drawn in reverse
    video, or None. (The process view's heatmap marks the selected VMA's
    cells in reverse video too: those lines are no table rows.)
    """
    for i, cells in enumerate(parse_screen(elines)):
        if len(cells) > 2 and cells[0].rev and cells[1].rev and \
                row_re.match(cells_text(cells)):
            return i
    return None


def row_for(lines, start):
    for i, m in table_rows(lines):
        if int(m.group("start"), 16) == start:
            return i, m
    return None


def select_vma(t, start, end):
    """Move the process view's selection onto the VMA start-end."""
    stuck = 0
    for _ in range(40):
        el = t.wait_for(lambda ls: ls if table_rows(ls) and
                        selected_line(ls) is not None else None,
                        "a table with a selected row", escapes=True)
        lines = [strip_sgr(l) for l in el]
        rows = table_rows(lines)
        sel = selected_line(el)
        target = row_for(lines, start)
        if target is not None:
            check(int(target[1].group("end"), 16) == end,
                  "VMA at %x ends at %s, want %x" % (
                      start, target[1].group("end"), end))
            if target[0] == sel:
                return lines
            delta = target[0] - sel
            t.repeat("Down" if delta > 0 else "Up", abs(delta))
            goal = lambda ls: selected_line(ls) == target[0]  # noqa: E731
        else:
            # PgDn first moves the selection to the last row shown, then
            # scrolls: wait for either to change.
            def where(ls):
                sl = selected_line(ls)
                return (table_rows(ls)[0][1].group("start") if
                        table_rows(ls) else None,
                        strip_sgr(ls[sl]).split("-")[0] if sl is not None
                        else None)
            later = start > int(rows[-1][1].group("start"), 16)
            before = where(el)
            t.keys("NPage" if later else "PPage")
            goal = lambda ls: where(ls) != before  # noqa: E731
        try:
            t.wait_for(goal, "the selection to move", escapes=True)
            stuck = 0
        except AssertionError:
            # Look again (the table may have changed), but not forever.
            stuck += 1
            if stuck == 2:
                raise
    raise AssertionError("could not select the VMA %x-%x:\n%s" % (
        start, end, numbered(t.lines())))


def open_vma(t, start, end):
    """From the process view, open the VMA start-end; the screen."""
    select_vma(t, start, end)
    t.keys("Enter")
    head = "%x-%x " % (start, end)
    return t.wait_for(lambda ls: ls if len(ls) > ROWS - 2 and
                      ls[3].startswith(head) and "a cell" in ls[3] and
                      ls[4] != "reading..." and
                      re.match(r"^[0-9a-f]+-[0-9a-f]+ \d+ pages?:",
                               ls[ROWS - 2]) else None,
                      "the VMA view of %s" % head.strip())


def picker_selected_pid(el):
    """The pid of the picker's selected row (-e lines), or None."""
    i = selected_line(el, PICK_RE)
    if i is None:
        return None
    m = PICK_RE.match(strip_sgr(el[i]))
    return int(m.group("pid")) if m else None


def picker_select(t, text, pid):
    """
    In the picker, search for text and move to pid's row (F3 to the next
    match: others may match too); the screen once the search has ended.
    """
    t.keys("/")
    t.wait_for("search: _", "the search prompt")
    t.type(text)
    t.wait_for("search: %s_" % text, "the typed search")
    for _ in range(40):
        sel = t.wait_for(picker_selected_pid, "a selected row",
                         escapes=True)
        if sel == pid:
            break
        t.keys("F3")
        t.wait_for(lambda el: picker_selected_pid(el) != sel,
                   "the next match", escapes=True)
    t.keys("Enter")
    lines = t.wait_for(lambda ls: ls if not any("search:" in l for l in ls)
                       else None, "the search prompt to close")
    check(picker_selected_pid(t.lines(escapes=True)) == pid,
          "could not select pid %d by searching %r:\n%s" % (
              pid, text, numbered(lines)))
    return lines


def wait_process_view(t, pid, what="the process view"):
    return t.wait_for(lambda ls: ls if ls and ls[0].startswith(
        "pmtop  pid %d (" % pid) and any(l.startswith("Address ")
                                         for l in ls) and table_rows(ls)
        else None, what)


def normalise(line, regions):
    """Addresses as region+offset (or <addr>) in a line of text."""
    def repl(m):
        a = int(m.group(0), 16)
        for name, (s, e) in regions.items():
            if s <= a <= e:
                return "<%s+%#x>" % (name, a - s)
        return "<addr>"
    return HEX_RE.sub(repl, line)


def golden(name, lines):
    """
    Compare lines with tests/golden/name (or write it). A difference is
    a soft failure: the other goldens are compared too.
    """
    path = os.path.join(GOLDEN_DIR, name)
    text = "\n".join(lines) + "\n"
    if UPDATE_GOLDEN:
        os.makedirs(GOLDEN_DIR, exist_ok=True)
        with open(path, "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(text)
        print("  wrote %s" % os.path.relpath(path), flush=True)
        return
    if not expect(os.path.exists(path), "no golden %s: run with "
                  "--update-golden" % path):
        return
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        want = f.read()
    if want != text:
        wl, gl = want.split("\n"), text.split("\n")
        diff = ["line %d:\n  want %r\n  got  %r" % (i + 1, w, g)
                for i, (w, g) in enumerate(zip(wl, gl)) if w != g][:6]
        if len(wl) != len(gl):
            diff.append("want %d lines, got %d" % (len(wl), len(gl)))
        expect(False, "screen differs from golden %s:\n%s\nthe screen:\n%s"
               % (name, "\n".join(diff), text))


def thp_enabled():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


# --- the checks -------------------------------------------------------------

def test_tui_walk():
    """Picker, search, process view, THP VMA, zoom, filter, back, quit."""
    with Resources() as res:
        w = res.add(Workload())
        t = pmtop_pane(res, "walk", [])
        t.wait_for("choose a process", "the process picker")
        t.keys("/")
        t.wait_for("search: _", "the search prompt")
        t.type("pmtop-demo")
        t.wait_for("search: pmtop-demo_", "the typed search")
        selected_pid = picker_selected_pid

        # Other pmtop-demos may run on this machine: F3 finds the next.
        for _ in range(20):
            pid = t.wait_for(selected_pid, "a selected row", escapes=True)
            if pid == w.pid:
                break
            t.keys("F3")
            t.wait_for(lambda el: selected_pid(el) != pid,
                       "the next match", escapes=True)
        t.keys("Enter")
        t.wait_for(lambda ls: not any("search:" in l for l in ls),
                   "the search prompt to close")
        el = t.lines(escapes=True)
        check(selected_pid(el) == w.pid,
              "the selected row is not the demo (pid %d):\n%s" % (
                  w.pid, numbered([strip_sgr(l) for l in el])))
        row = strip_sgr(el[selected_line(el, PICK_RE)])
        # The command is cut at the screen's edge: a deep checkout
        # leaves only the start of its path in sight.
        check(DEMO_WORKLOAD[0][:32] in row and "pmtop-demo" in row,
              "the demo's row does not show its name and command: %r" % row)

        # Enter opens it: the table has the memfd and the THP VMA.
        t.keys("Enter")
        s, e = w.range("thp")
        ms = w.range("memfd")[0]

        def table_ready(ls):
            if not ls or not ls[0].startswith("pmtop  pid %d (pmtop-demo)"
                                              % w.pid):
                return None
            thp = row_for(ls, s)
            memfd = row_for(ls, ms)
            if thp and memfd and "/memfd:pmtop demo" in memfd[1].group(
                    "name") and (thp[1].group("huge") == "8.0M" or
                                 not thp_enabled()):
                return ls
            return None
        lines = t.wait_for(table_ready, "the table with the demo's memfd "
                           "and a THP VMA of 8.0M huge")
        thp = row_for(lines, s)[1]
        check(int(thp.group("end"), 16) == e and thp.group("size") == "8.0M"
              and thp.group("perms") == "rw-p",
              "THP row %r" % thp.group(0))

        # Down to the THP row, Enter: its VMA view.
        select_vma(t, s, e)
        el = t.lines(escapes=True)
        check(row_for([strip_sgr(l) for l in el], s)[0] ==
              selected_line(el), "THP row not highlighted")
        t.keys("Enter")
        lines = t.wait_for(lambda ls: ls if ls[3].startswith(
            "%x-%x rw-p 8.0 MiB, " % (s, e)) and re.search(
            r", 1 pages? a cell", ls[3]) and ls[4] != "reading..." else None,
            "the THP VMA view header")
        check("1 page a cell" in lines[3], "header %r" % lines[3])

        # 2048 pages fit on the screen at one page a cell: + cannot zoom
        # in, and - cannot zoom out past what fits. (The keys after these
        # show when they were handled.)
        t.keys("+")
        t.wait_for("one page a cell: the closest zoom", "the zoom message")
        t.keys("-")
        t.keys("+")

        # h takes huge out of the filter: the legend item loses its bold,
        # and the cells, huge pages all, look different.
        def legend_bold(el, item):
            cells = parse_screen(el)[2]
            i = cells_text(cells).find(item)
            return None if i < 0 else cells[i].bold

        def heat_rows(el):
            return [rle(cells) for cells in parse_screen(el)[4:ROWS - 2]]
        el = t.wait_for(lambda el: el if legend_bold(el, "h:huge") else None,
                        "h:huge in bold in the legend", escapes=True)
        before = heat_rows(el)
        check("fg51" in before[0],
              "THP cells not in the huge colour 51: %r" % before[0])
        t.keys("h")
        el = t.wait_for(lambda el: el if legend_bold(el, "h:huge") is False
                        else None, "h:huge no longer bold", escapes=True)
        check(legend_bold(el, "p:present"), "p:present lost its bold too")
        check("rw-p 8.0 MiB, 1 page a cell" in strip_sgr(el[3]),
              "after +, - and +: %r" % strip_sgr(el[3]))
        try:
            # Three refreshes (every 1 s) are enough.
            t.wait_for(lambda el: heat_rows(el) != before,
                       "the THP cells to change after h", timeout=4,
                       escapes=True)
        except AssertionError:
            expect(False, "pressing h (huge out of the filter) did not "
                   "change the THP VMA's cells: they keep the huge colour "
                   "(51), though the help says a cell's colour is 'the "
                   "chosen category most pages of the cell have'; first "
                   "row: %s" % before[0])
        t.keys("h")
        t.wait_for(lambda el: legend_bold(el, "h:huge"),
                   "h:huge bold again", escapes=True)

        # Esc: back to the table, selection still on the THP row.
        t.keys("Escape")
        lines = wait_process_view(t, w.pid, "the table after Esc")
        el = t.lines(escapes=True)
        r = row_for([strip_sgr(l) for l in el], s)
        check(r is not None and r[0] == selected_line(el),
              "THP row not selected after Esc:\n%s" % numbered(lines))

        # q: pmtop exits 0.
        t.keys("q")
        st = t.wait_exit()
        check(st == 0, "pmtop's exit status after q: %d" % st)


HOSTILE_COMM = b"h\x1b[31mX\tY"
HOSTILE_FILE = b"\x1b[31m\x1b]0;pwned\x07\x1b[2J\t\n"
HOSTILE_ARG = "\x1b]0;pwned\x07\x1b[31m\tA"

# Sets its comm, maps the file named in argv[2] and blocks on stdin.
HOSTILE_CODE = r"""
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
name = ctypes.create_string_buffer(bytes.fromhex(sys.argv[3]))
if libc.prctl(15, name, 0, 0, 0) != 0:
    sys.exit("prctl: errno %d" % ctypes.get_errno())
with open(os.fsencode(sys.argv[2]), "rb") as f:
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ)
m[0]
print("ready", flush=True)
sys.stdin.buffer.read()
"""


class Hostile:
    """A python child with a hostile comm, cmdline and mapped file."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pt", dir="/tmp")
        self.path = os.fsencode(self.dir) + b"/" + HOSTILE_FILE
        with open(self.path, "wb") as f:
            f.write(b"x" * (2 * PAGE))
        with open(os.path.join(self.dir, "c"), "w") as f:
            f.write(HOSTILE_CODE)
        # argv[0] "python3" and a relative script keep the cmdline short
        # enough for the hostile argument to show in the picker.
        self.proc = subprocess.Popen(
            ["python3", "c", HOSTILE_ARG, os.fsdecode(self.path),
             HOSTILE_COMM.hex()], executable=sys.executable, cwd=self.dir,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pid = self.proc.pid
        line = LineReader(self.proc.stdout).readline(READY_TIMEOUT)
        if line != b"ready\n":
            self.close()
            raise AssertionError("hostile child did not start: %r" % line)
        self.start = self.end = None
        with open("/proc/%d/maps" % self.pid, "rb") as f:
            for l in f:
                if l.rstrip(b"\n").endswith(b"\\012") and b"pwned" in l:
                    s, e = l.split()[0].split(b"-")
                    self.start, self.end = int(s, 16), int(e, 16)
        if self.start is None:
            self.close()
            raise AssertionError("hostile mapping not in maps")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def esc_visible(b):
    """escape_visible() of ASCII bytes, as pmtop writes it."""
    out = []
    for c in b:
        out.append({0x5c: "\\\\", 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r",
                    0x1b: "\\e"}.get(c) or (
            "\\x%02x" % c if c < 0x20 or c == 0x7f else chr(c)))
    return "".join(out)


def test_tui_hostile_names():
    """Escapes in comm, cmdline and a mapped file's name stay visible."""
    with Resources() as res:
        h = res.add(Hostile())
        t = pmtop_pane(res, "hostile", ["-p", str(h.pid)])
        title = t.display("#{pane_title}")
        comm = esc_visible(HOSTILE_COMM)
        lines = wait_process_view(t, h.pid)
        check(lines[0].startswith("pmtop  pid %d (%s)  rss " % (h.pid, comm)),
              "header does not show the escaped comm %r: %r" % (comm,
                                                                lines[0]))
        # The file's row: its name escaped (cut at the screen's edge).
        path = esc_visible(h.path)
        select_vma(t, h.start, h.end)
        lines = t.lines()
        name = row_for(lines, h.start)[1].group("name")
        check(name and path.startswith(name) and "\\e[31m" in name,
              "table row name %r, want the start of %r" % (name, path))
        # Its VMA view shows the whole name.
        lines = open_vma(t, h.start, h.end)
        check(lines[3].endswith("a cell  " + path),
              "VMA header %r does not end with %r" % (lines[3], path))
        for want in ("\\e[31m", "\\e]0;pwned\\x07", "\\e[2J", "\\t\\n"):
            check(want in lines[3], "%r not on screen" % want)
        check(lines[0].startswith("pmtop  pid %d (%s)" % (h.pid, comm)),
              "header gone: %r" % lines[0])
        el = t.lines(escapes=True)
        check(not any("\x1b[31m" in l for l in el),
              "red (SGR 31) reached the screen:\n%s" % "\n".join(el[:5]))

        # The picker's row: the escaped cmdline (libproc2 turns the
        # newline inside an argument into a space).
        t.keys("Escape")
        wait_process_view(t, h.pid, "the process view after Esc")
        t.keys("Escape")
        t.wait_for("choose a process", "the picker")
        t.keys("\\")
        t.wait_for("filter: _", "the filter prompt")
        t.type(str(h.pid))
        t.keys("Enter")
        prompt = t.wait_for(lambda ls: ls[ROWS - 2] if ls[ROWS - 2].startswith(
            "filter: %d " % h.pid) else None, "the filter line")
        # The prompt's own hint is not untrusted text to escape.
        expect(prompt.endswith("(\\ to change, Esc to clear)"),
               "the filter line's hint shows a doubled backslash: %r"
               % prompt)
        arg = esc_visible(HOSTILE_ARG.encode())
        # (Rows whose command holds the pid match too.)

        def our_row(ls):
            for l in ls[2:]:
                m = PICK_RE.match(l)
                if m and int(m.group("pid")) == h.pid and \
                        "filter: %d " % h.pid in ls[ROWS - 2]:
                    return ls, l
            return None
        lines, row = t.wait_for(our_row, "pid %d in the filtered picker"
                                % h.pid)
        want = "python3 c %s %s" % (arg, esc_visible(h.path[:8]))
        check(want in row, "picker row does not show the escaped cmdline "
              "%r: %r" % (want, row))
        check("\\e]0;pwned\\x07\\e[31m\\tA" in row,
              "escaped argument not in the picker row %r" % row)

        # Nothing took effect: title unchanged, screen not cleared.
        check(t.display("#{pane_title}") == title and
              "pwned" not in t.display("#{pane_title}"),
              "the pane title changed: %r -> %r" % (
                  title, t.display("#{pane_title}")))
        check(lines[0].startswith("pmtop  choose a process") and
              lines[1].lstrip().startswith("PID USER"),
              "picker header garbled:\n%s" % numbered(lines))
        el = t.lines(escapes=True)
        check(not any("\x1b[31m" in l for l in el),
              "red (SGR 31) reached the screen")
        t.keys("q")
        st = t.wait_exit()
        check(st == 0, "pmtop's exit status after q: %d" % st)


GOLDEN_VMAS = ["zero", "striped", "guard", "thp"]


def vma_golden_lines(lines, w):
    """The VMA view's totals, info line, heatmap and cursor line."""
    out = [lines[1], normalise(lines[3], w.regions)]
    out += lines[4:ROWS - 2]
    out.append(normalise(lines[ROWS - 2], w.regions))
    return out


def test_tui_golden_screens():
    """Heatmaps of the demo's fixed regions and their table rows."""
    if PAGE != 4096:
        raise Skip("goldens are for 4 KiB pages")
    if not thp_enabled():
        raise Skip("goldens are for a kernel with THP")
    with Resources() as res:
        w = res.add(Workload())
        # Letters (--no-color): the plain text shows each cell's category
        # and fullness; with colour it would be half-blocks only.
        t = pmtop_pane(res, "golden", ["--no-color", "-p", str(w.pid)])
        wanted = {w.regions[n][0]: n for n in STABLE_REGIONS}

        def all_rows(ls):
            got = {int(m.group("start"), 16): m for _, m in table_rows(ls)}
            if all(a in got for a in wanted) and \
                    got[w.regions["thp"][0]].group("huge") != "-" and \
                    got[w.regions["file"][0]].group("present") != "-":
                return [got[a] for a in sorted(wanted)]
            return None
        rows = t.wait_for(all_rows, "every demo region in the table")
        table = []
        for m in rows:
            name = wanted[int(m.group("start"), 16)]
            line = "<%s>%s" % (name, m.group(0)[m.end("end"):])
            table.append(re.sub(r"(pmtop demo file\.)\S*", r"\1XXXXXX",
                                line))
        golden("procview-demo-rows.txt", table)

        for name in GOLDEN_VMAS:
            s, e = w.range(name)
            lines = open_vma(t, s, e)
            golden("vma-%s.txt" % name, vma_golden_lines(lines, w))
            if name == "guard":
                # The cursor is on a guard page (the first of every 16):
                # a guard marker is no swapped page, as the VMA's totals
                # line (swapped 0 B) and the table (Swapped -) say.
                expect(re.search(r" 1 page:.* swapped 0 .* guard 1$",
                                 lines[ROWS - 2]) is not None,
                       "the cursor line counts a guard page as swapped, "
                       "the totals line above does not: %r / %r" % (
                           lines[ROWS - 2], lines[1]))
            t.keys("Escape")
            wait_process_view(t, w.pid, "the table after Esc")

        # With colour (-e): the zero page's colour, and the guard pages'.
        t2 = pmtop_pane(res, "golden256", ["-p", str(w.pid)])
        wait_process_view(t2, w.pid)
        for name in ("zero", "guard"):
            s, e = w.range(name)
            open_vma(t2, s, e)
            el = t2.lines(escapes=True)
            scr = parse_screen(el)
            lines = [cells_text(c) for c in scr]
            golden("vma-%s-256.txt" % name, [
                lines[1], normalise(lines[3], w.regions)] +
                [rle(c) for c in scr[4:ROWS - 2]] +
                [normalise(lines[ROWS - 2], w.regions)])
            if name == "zero":
                cells = [(c.fg, c.bg) for row in scr[4:ROWS - 2]
                         for c in row if c.ch == HALF_BLOCK]
                # The cursor's half takes the cursor colour (201 on white).
                cursor = [fb for fb in cells if 201 in fb]
                fgs = {fb for fb in cells if 201 not in fb}
                check(len(cursor) == 1, "cursor cells %r" % cursor)
                check(fgs and fgs <= {(255, 255), (255, None)},
                      "zero page cells are not the zero page colour 255: "
                      "%r" % fgs)
            t2.keys("Escape")
            wait_process_view(t2, w.pid, "the table after Esc")


def test_tui_zoom():
    """+ halves the pages a cell down to one, - doubles up to the fit."""
    with Resources() as res:
        w = res.add(Workload())
        t = pmtop_pane(res, "zoom", ["--no-color", "-p", str(w.pid)])
        wait_process_view(t, w.pid)
        s, e = w.range("striped")
        lines = open_vma(t, s, e)
        # 4096 pages, 4080 cells at 120x34: 2 pages a cell.
        check("rw-p 16.0 MiB, 2 pages a cell" in lines[3], lines[3])
        stripe = "P" * 8 + MIDDOT * 8
        check(lines[4] == stripe * 7 + "P" * 8, "row %r" % lines[4])
        t.keys("+")
        lines = t.wait_for(lambda ls: ls if "1 page a cell" in ls[3] and
                           ls[4].startswith("P" * 16 + MIDDOT * 16) and
                           re.match(r".* 1 page:", ls[ROWS - 2]) else None,
                           "one page a cell after +")
        check(lines[4] == ("P" * 16 + MIDDOT * 16) * 3 + "P" * 16 +
              MIDDOT * 8, "row %r" % lines[4])
        t.keys("Right")
        t.wait_for(lambda ls: normalise(ls[ROWS - 2], w.regions).startswith(
            "<striped+0x1000>-<striped+0x2000> 1 page:"),
            "the cursor on the second page")
        t.keys("+")
        t.wait_for("one page a cell: the closest zoom", "the zoom message")
        t.keys("-")
        lines = t.wait_for(lambda ls: ls if "2 pages a cell" in ls[3] and
                           ls[4] == stripe * 7 + "P" * 8 else None,
                           "two pages a cell after -")
        t.keys("-")
        t.wait_for(lambda ls: "2 pages a cell" in ls[3] or None,
                   "still two pages a cell (the fit) after another -")


def run_pmtop_in_shell(t, mark, args=()):
    """Start pmtop from the pane's shell; its pid once it drew."""
    t.line("echo BEFORE''%s; %s %s; echo EXIT''%s=$?" % (
        mark, shlex.quote(PMTOP), " ".join(args), mark))
    t.wait_for("choose a process", "pmtop's picker (%s)" % mark)
    check(t.display("#{alternate_on}") == "1",
          "pmtop is not on the alternate screen")
    return t.pmtop_pid()


def check_restored(t, mark):
    """pmtop exited: the shell's screen is back, the tty modes too."""
    lines = t.wait_for("EXIT%s=" % mark, "pmtop to exit (%s)" % mark)
    status = [l for l in lines if l.startswith("EXIT%s=" % mark)][0]
    check(t.display("#{alternate_on}") == "0",
          "still on the alternate screen after pmtop (%s)" % mark)
    check(any(l == "BEFORE%s" % mark for l in lines) and
          not any("choose a process" in l for l in lines),
          "the shell's screen is not back (%s):\n%s" % (mark,
                                                        numbered(lines)))
    t.line("stty -a; echo STTY''%s" % mark)
    lines = t.wait_for("STTY%s" % mark, "stty's output")
    words = set(" ".join(lines).replace(";", " ").split())
    for flag in ("echo", "icanon", "isig", "icrnl"):
        check(flag in words and "-" + flag not in words,
              "tty mode %s not restored after %s:\n%s" % (
                  flag, mark, numbered(lines)))
    t.line("clear")
    t.wait_for(lambda ls: ls[0].startswith("PROMPT$") and
               not any("STTY" in l for l in ls), "a cleared screen")
    return status.split("=", 1)[1]


def test_tui_signals_restore_terminal():
    """SIGINT, SIGTERM, SIGHUP and ^C: pmtop exits, the terminal is back."""
    with Resources() as res:
        t = shell_pane(res, "signals")
        statuses = {}
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            pid = run_pmtop_in_shell(t, sig.name)
            os.kill(pid, sig)
            statuses[sig.name] = check_restored(t, sig.name)
        pid = run_pmtop_in_shell(t, "CTRLC")
        t.keys("C-c")
        statuses["^C"] = check_restored(t, "CTRLC")
        print("  exit statuses: %s" % " ".join(
            "%s=%s" % kv for kv in statuses.items()), flush=True)


def test_tui_resize():
    """A burst of SIGWINCH and resizes; the screen fits each new size."""
    with Resources() as res:
        t = pmtop_pane(res, "resize", ["--demo"])
        lines = t.wait_for(lambda ls: ls if ls[0].startswith("pmtop  pid ")
                           and table_rows(ls) else None,
                           "the demo's process view")
        pid = t.pmtop_pid()
        demo = int(lines[0].split()[2])

        def fits(w, h):
            # The table's title row moves with the height: LINES - 4
            # rows, a third of them (2 to 12) heatmap, after 3 lines.
            table_y = 3 + min(12, max(2, (h - 4) // 3))

            def cond(ls):
                return ls if (len(ls) == h and ls[0].startswith(
                    "pmtop  pid %d (pmtop-demo)" % demo) and
                    ls[table_y].startswith("Address ") and
                    re.match(r"^[0-9a-f]{12,16}-[0-9a-f]{12,16} ",
                             ls[table_y + 1]) and
                    ls[h - 1].startswith(" F1 help") and
                    all(len(l) <= w for l in ls)) else None
            return cond

        for i in range(10):
            if i % 2:
                t.run("resize-window", "-t", "s", "-x", str(COLS),
                      "-y", str(ROWS))
            else:
                t.run("resize-window", "-t", "s", "-x", "80", "-y", "24")
            for _ in range(5):
                os.kill(pid, signal.SIGWINCH)
        for _ in range(50):
            os.kill(pid, signal.SIGWINCH)
        t.run("resize-window", "-t", "s", "-x", "80", "-y", "24")
        t.wait_for(fits(80, 24), "a redraw at 80x24")
        t.run("resize-window", "-t", "s", "-x", str(COLS), "-y", str(ROWS))
        t.wait_for(fits(COLS, ROWS), "a redraw at 120x40")
        check(comm_of(pid) == b"pmtop" and not t.dead(), "pmtop died")
        t.keys("q")
        st = t.wait_exit()
        check(st == 0, "pmtop's exit status after q: %d" % st)


def heatmap_cells(el, first=3, last=15):
    """The cells of the process view's heatmap rows (-e lines)."""
    return [c for row in parse_screen(el)[first:last] for c in row]


def demo_view(res, tag, args=(), env=()):
    t = pmtop_pane(res, tag, ["--demo"] + list(args), env)
    t.wait_for(lambda ls: ls if ls[0].startswith("pmtop  pid ") and
               table_rows(ls) and ls[3].strip() else None,
               "the demo's process view (%s)" % tag)
    return t


def test_tui_no_colour():
    """NO_COLOR=1 and --no-color: letters, no colour escapes."""
    for tag, args, env in (("nocolorenv", [], ["NO_COLOR=1"]),
                           ("nocoloropt", ["--no-color"], [])):
        with Resources() as res:
            t = demo_view(res, tag, args, env)
            el = t.lines(escapes=True)
            check(not any(colour_params(l) for l in el),
                  "%s: colour escapes on screen: %r" % (tag, sorted({
                      p for l in el for p in colour_params(l)})))
            lines = [strip_sgr(l) for l in el]
            heat = "".join(lines[3:15])
            allowed = set(CAT_KEYS + CAT_KEYS.upper() + MIDDOT + "? ")
            check(set(heat) <= allowed, "%s: heatmap has %r" % (
                tag, sorted(set(heat) - allowed)))
            check("P" in heat or "p" in heat, "%s: no P in the heatmap"
                  % tag)
            check(lines[2].startswith("Pp:present Ss:swapped"),
                  "%s: legend %r" % (tag, lines[2]))


def make_16color_terminfo(dirname):
    """A private screen-16color (ncurses's definition) if tic works."""
    src = os.path.join(dirname, "screen-16color.src")
    with open(src, "w") as f:
        f.write("screen-16color|GNU Screen with 16 colors,\n"
                "\tcolors#16, pairs#256,\n"
                "\tsetab=\\E[%?%p1%{8}%<%t%p1%{40}%+%e%p1%{92}%+%;%dm,\n"
                "\tsetaf=\\E[%?%p1%{8}%<%t%p1%{30}%+%e%p1%{82}%+%;%dm,\n"
                "\tuse=screen,\n")
    r = subprocess.run(["tic", "-o", dirname, src], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return r.returncode == 0


def check_basic_colours(tag, t, colours):
    el = t.lines(escapes=True)
    cells = heatmap_cells(el)
    glyphs = {c.ch for c in cells}
    check(glyphs <= set(SHADES_UTF8 + MIDDOT + "? "),
          "%s: heatmap glyphs %r" % (tag, sorted(glyphs)))
    check(glyphs & set(SHADES_UTF8), "%s: no shaded glyph" % tag)
    shaded = [c for c in cells if c.ch in SHADES_UTF8]
    fgs = {c.fg for c in shaded}
    check(fgs and all(isinstance(f, int) and 0 <= f < 8 for f in fgs),
          "%s: shaded cells' colours %r, want basic 0-7" % (tag, fgs))
    check(not any("38;5;" in l or "48;5;" in l for l in el),
          "%s: 256-colour escapes on screen" % tag)
    if colours == 16:
        full = [c for c in shaded if c.ch == SHADES_UTF8[-1]]
        check(full and all(c.bold for c in full),
              "%s: full cells not bold with 16 colours" % tag)


def test_tui_basic_colours():
    """TERM=screen (8) and screen-16color: shades in basic colours."""
    with Resources() as res:
        t = demo_view(res, "screen8", env=["TERM=screen"])
        check_basic_colours("TERM=screen", t, 8)
    tdir = None
    env = []
    try:
        if subprocess.run(["infocmp", "screen-16color"],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            tdir = tempfile.mkdtemp(prefix="pmtop-tui-terminfo-")
            if not shutil.which("tic") or not make_16color_terminfo(tdir):
                print("  no screen-16color terminfo: 16 colours not tested",
                      flush=True)
                return
            env = ["TERMINFO=" + tdir]
            print("  screen-16color from a private terminfo", flush=True)
        with Resources() as res:
            t = demo_view(res, "screen16", env=env + ["TERM=screen-16color"])
            check_basic_colours("TERM=screen-16color", t, 16)
    finally:
        if tdir:
            shutil.rmtree(tdir, ignore_errors=True)


def test_tui_ascii_locale():
    """LANG=C: nothing but ASCII on the screen, in every view."""
    with Resources() as res:
        w = res.add(Workload())
        t = pmtop_pane(res, "ascii", ["-p", str(w.pid)], ["LANG=C"])

        def ascii_only(what):
            data = t.capture_bytes()
            bad = [i for i, b in enumerate(data) if b > 0x7f]
            check(not bad, "%s: byte > 0x7f at %d: %r" % (
                what, bad[0] if bad else 0,
                data[max(0, bad[0] - 40):bad[0] + 40] if bad else b""))
        lines = wait_process_view(t, w.pid)
        ascii_only("process view")
        check(lines[2].startswith("#p:present #s:swapped"),
              "legend %r" % lines[2])
        heat = "".join(lines[3:15])
        check(set(heat) <= set(".:+*#? ") and "#" in heat,
              "heatmap %r" % sorted(set(heat)))
        s, e = w.range("zero")
        lines = open_vma(t, s, e)
        ascii_only("VMA view")
        check(lines[4] == "#" * COLS, "zero heatmap row %r" % lines[4])
        t.keys("F1")
        t.wait_for("pmtop keys", "the help")
        ascii_only("help")
        t.keys("q")
        st = t.wait_exit()
        check(st == 0, "pmtop's exit status after q: %d" % st)


def test_tui_help():
    """F1 and ? show the keys; any key closes the help; q quits from it."""
    with Resources() as res:
        t = pmtop_pane(res, "help", [])
        t.wait_for("choose a process", "the picker")

        def help_shown(ls):
            return ls if ls[0] == "pmtop keys" and any(
                l.startswith("  F1 ?") and "this help" in l for l in ls) \
                and any(l.startswith("  q F10") and l.endswith("quit")
                        for l in ls) and any(l.startswith("  + -")
                                             for l in ls) else None
        t.keys("F1")
        lines = t.wait_for(help_shown, "the help after F1")
        check(lines[ROWS - 1].startswith(" arrows/PgUp/PgDn scroll"),
              lines[ROWS - 1])
        for section in ("Everywhere", "Process list", "Process", "VMA"):
            check(section in lines, "no section %r in the help" % section)
        t.keys("x")
        t.wait_for(lambda ls: ls[0].startswith("pmtop  choose a process"),
                   "the picker after a key")
        t.keys("?")
        t.wait_for(help_shown, "the help after ?")
        t.keys("q")
        st = t.wait_exit()
        check(st == 0, "pmtop's exit status after q in the help: %d" % st)


def test_tui_not_a_terminal():
    """pmtop -p PID > file: exit 2, a message suggesting --batch."""
    with Resources() as res:
        out = os.path.join(res.add(TempDir()).path, "out")
        t = shell_pane(res, "notty")
        t.line("%s -p %d > %s; echo EXIT''1=$?" % (
            shlex.quote(PMTOP), os.getpid(), shlex.quote(out)))
        lines = t.wait_for("EXIT1=", "pmtop to exit")
        msg = "pmtop: not a terminal: use --batch to print what pmtop sees"
        check(msg in lines, "no %r:\n%s" % (msg, numbered(lines)))
        check("EXIT1=2" in lines, "exit status:\n%s" % numbered(lines))
        check(os.path.getsize(out) == 0, "pmtop wrote %d bytes to stdout"
              % os.path.getsize(out))
        check(t.display("#{alternate_on}") == "0", "alternate screen on")
        # stdin not a terminal either.
        t.line("%s -p %d < /dev/null; echo EXIT''2=$?" % (
            shlex.quote(PMTOP), os.getpid()))
        lines = t.wait_for("EXIT2=", "pmtop to exit")
        check("EXIT2=2" in lines and lines.count(msg) == 2,
              "stdin from /dev/null:\n%s" % numbered(lines))


def test_tui_write_tracking():
    """
    pmtop -- CMD: the header says tracking is on with a rate, the Written
    cell of the region the command writes gives its pages a second, W
    shows write heat, and t stops tracking, leaving no registration.
    """
    target = os.environ.get("PMTOP_TRACK_TARGET") or os.path.join(
        HERE, "..", "build", "tests", "track_target")
    with Resources() as res:
        # 4 pages of a 64-page region, written every millisecond.
        t = pmtop_pane(res, "track", ["-d", "0.3", "--", target, "-q",
                                      "-W", "0,5,9,63"])
        lines = t.wait_for(lambda ls: ls if ls and "tracking on," in ls[0]
                           else None, "tracking on, with a rate")
        pid = int(lines[0].split()[2])

        def region(ls):
            for _, m in table_rows(ls):
                if m.group("size") == "256K" and \
                        m.group("perms") == "rw-p" and \
                        m.group("written").endswith("/s") and \
                        m.group("written") != "0/s":
                    return m
            return None
        m = t.wait_for(region, "the region's pages written a second")
        rate = float(m.group("written")[:-2])
        check(8 <= rate <= 20, "4 pages every 0.3 s shown as %r" %
              m.group("written"))
        with open("/proc/%d/smaps" % pid) as f:
            check(" uw" in f.read(), "not registered while tracked")

        t.keys("W")
        t.wait_for("writes: pages written lately", "the writes legend")
        t.keys("W")
        t.wait_for("p:present", "the categories legend")

        t.keys("t")
        t.wait_for(lambda ls: ls if "tracking off" in ls[0] else None,
                   "tracking off")
        t.wait_for("write tracking off", "the message saying so")
        with open("/proc/%d/smaps" % pid) as f:
            check(" uw" not in f.read(), "registered after t")
        t.keys("q")
        check(t.wait_exit() == 0, "pmtop's exit status")
        wait_until(lambda: comm_of(pid) != b"track_target",
                   "the command to end with pmtop")


class TrackTarget:
    """
    tests/util/track_target, which says ready and then sleeps reading
    its input; killed on close.
    """

    def __init__(self):
        path = os.environ.get("PMTOP_TRACK_TARGET") or os.path.join(
            HERE, "..", "build", "tests", "track_target")
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.pid = self.proc.pid
        f = LineReader(self.proc.stdout).readline(READY_TIMEOUT).split()
        if not f or f[0] != b"ready":
            self.close()
            raise AssertionError("track_target did not start: %r" % f)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()

    def __repr__(self):
        return "TrackTarget(%d)" % self.pid


def test_tui_track_pagemap_refused():
    """
    t and T on the pagemap backend: the status line says why write
    tracking cannot start, and the target is never touched (never
    registered, given a userfaultfd, stopped or woken).
    """
    need = ("write tracking needs PAGEMAP_SCAN (Linux 6.7+); the pagemap "
            "backend cannot track writes")
    for args, env, msg in ((["--backend=pagemap"], [],
                            need + " (--backend=ioctl can)"),
                           ([], ["PMTOP_FAKE_KERNEL=no-ioctl"], need)):
        with Resources() as res:
            target = res.add(TrackTarget())
            before = asleep(target.pid, READY_TIMEOUT)
            t = pmtop_pane(res, "trackpm", args + ["-p", str(target.pid)],
                           env)
            wait_process_view(t, target.pid)
            for key in ("t", "T"):
                # Another message first: the refusal must be a new one.
                t.keys("]")
                t.wait_for(lambda ls: ls if ls[-1].startswith(
                    "refresh every") else None, "the interval's message")
                t.keys(key)
                lines = t.wait_for(lambda ls: ls if ls[-1].rstrip() == msg
                                   else None, "the refusal after " + key)
                check("tracking on" not in lines[0], "%r: header %r" % (
                    args, lines[0]))
                check(uffd_state(target.pid) == (0, 0), "%r: target "
                      "registered: %r" % (args, uffd_state(target.pid)))
            t.keys("q")
            t.wait_exit()
            check(switches(target.pid) == before, "%r: target %d was "
                  "stopped or woken" % (args, target.pid))


# --- processes pmtop cannot read ---------------------------------------------

NOBODY = 65534


class Sleeper:
    """A sleep of our own named comm (through a symlink), killed on exit."""

    def __init__(self, comm):
        self.dir = tempfile.mkdtemp(prefix="pmtop-tui-")
        path = os.path.join(self.dir, comm)
        os.symlink(shutil.which("sleep"), path)
        self.proc = subprocess.Popen([path, "600"],
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        wait_until(lambda: comm_of(self.pid) == comm.encode(),
                   "the sleeper's comm")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def pmtop_pane_as_nobody(res, tag, args):
    """pmtop run as nobody, who may not read a process of root's."""
    if os.geteuid() != 0:
        raise Skip("needs root to run pmtop as another user")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise Skip("no setpriv to run pmtop as nobody")
    return res.add(Tmux(tag, [setpriv, "--reuid=%d" % NOBODY,
                              "--regid=%d" % NOBODY, "--clear-groups",
                              PMTOP] + list(args), status=True))


def kthreadd():
    """Pid 2 if it is kthreadd here (only read, never signalled)."""
    if comm_of(2) != b"kthreadd":
        raise Skip("pid 2 is not kthreadd here")
    return 2


def header_reason(lines):
    """The lines after the process view's first, up to a blank, as one."""
    n = 1
    while n < len(lines) - 1 and lines[n].strip():
        n += 1
    return " ".join(l.strip() for l in lines[1:n]), n


def check_unread_header(t, pid, comm, state, why):
    """
    The process view of a process pmtop cannot read: pid, comm and
    state on the first line, why (in full) under it, and no figures: no
    "rss 0 B", no "0 vmas", no totals, table or heatmap under them.
    """
    lines = t.wait_for(lambda ls: ls if len(ls) == ROWS and
                       why in header_reason(ls)[0] else None,
                       "why pid %d cannot be read" % pid)
    head = "pmtop  pid %d (%s)  %s" % (pid, comm, state)
    check(lines[0].startswith(head), "header %r, want it to start with "
          "%r" % (lines[0], head))
    for claim in (" 0 B", "rss", "swap", "virt", "vmas"):
        check(claim not in lines[0], "the header of an unread process "
              "claims %r: %r" % (claim, lines[0]))
    check(not any(l.strip() for l in lines[header_reason(lines)[1]:
                                            ROWS - 1]),
          "content under the header of an unread process:\n%s"
          % numbered(lines))
    check(lines[ROWS - 1].startswith(" F1 help"), "hints %r"
          % lines[ROWS - 1])


def test_tui_unreadable_header_kthread():
    """pmtop -p 2: kthreadd's state, no memory figures."""
    pid = kthreadd()
    with Resources() as res:
        t = pmtop_pane(res, "kthread", ["-p", str(pid)])
        check_unread_header(t, pid, "kthreadd", "kernel thread",
                            "is a kernel thread: it has no user memory")
        t.keys("q")
        check(t.wait_exit() == 0, "pmtop's exit status after q")


def test_tui_unreadable_header_denied():
    """pmtop as nobody on a process of root's: denied, no figures."""
    with Resources() as res:
        s = res.add(Sleeper("pmtdeny%d" % (os.getpid() % 100000)))
        t = pmtop_pane_as_nobody(res, "denied", ["-p", str(s.pid)])
        check_unread_header(t, s.pid, comm_of(s.pid).decode(),
                            "permission denied", "CAP_SYS_PTRACE")
        t.keys("q")
        check(t.wait_exit() == 0, "pmtop's exit status after q")


def check_picker_reason(t, pid, why):
    """
    The picker, its selection on pid's '!' row, says why pmtop cannot
    read it on the line above the hints, with nothing opened.
    """
    lines = t.wait_for(lambda ls: ls if why in ls[ROWS - 2] else None,
                       "why pid %d cannot be read, above the hints" % pid)
    check(lines[0].startswith("pmtop  choose a process"),
          "not the picker any more:\n%s" % numbered(lines))
    check(lines[ROWS - 2].startswith("! pid %d: " % pid),
          "the reason line %r is not about pid %d" % (lines[ROWS - 2], pid))
    el = t.lines(escapes=True)
    row = strip_sgr(el[selected_line(el, PICK_RE)])
    check(row.startswith("!") and picker_selected_pid(el) == pid,
          "the selected row is not pid %d's marked row: %r" % (pid, row))
    check(lines[ROWS - 1].startswith(" F1 help"), "hints %r"
          % lines[ROWS - 1])


def test_tui_unreadable_picker_kthread():
    """The picker says why kthreadd cannot be read, and only for it."""
    pid = kthreadd()
    with Resources() as res:
        t = pmtop_pane(res, "pickkthread", [])
        t.wait_for("choose a process", "the picker")
        picker_select(t, "kthreadd", pid)
        check_picker_reason(t, pid, "kernel thread: it has no user memory")

        # pmtop itself, which it can read: nothing to explain.
        me = t.pmtop_pid()
        picker_select(t, str(me), me)
        lines = t.wait_for(lambda ls: ls if not ls[ROWS - 2].strip()
                           else None, "the reason line to clear")
        check(lines[0].startswith("pmtop  choose a process"), lines[0])
        t.keys("q")
        check(t.wait_exit() == 0, "pmtop's exit status after q")


def test_tui_unreadable_picker_denied():
    """pmtop as nobody: the picker says why a process of root's is '!'."""
    with Resources() as res:
        s = res.add(Sleeper("pmtpick%d" % (os.getpid() % 100000)))
        t = pmtop_pane_as_nobody(res, "pickdenied", [])
        t.wait_for("choose a process", "the picker")
        picker_select(t, comm_of(s.pid).decode(), s.pid)
        check_picker_reason(t, s.pid, "permission denied: it takes the "
                            "same user and a dumpable process, or "
                            "CAP_SYS_PTRACE")
        t.keys("q")
        check(t.wait_exit() == 0, "pmtop's exit status after q")


# --- runner -----------------------------------------------------------------

def soft_failures():
    """Fail a check that went on past soft failures, with all of them."""
    if SOFT:
        msg = "; ".join(SOFT)
        del SOFT[:]
        raise AssertionError(msg)


def main():
    global UPDATE_GOLDEN
    args = sys.argv[1:]
    if "--update-golden" in args:
        UPDATE_GOLDEN = True
        args.remove("--update-golden")
    if not os.access(PMTOP, os.X_OK) or not shutil.which("tmux"):
        print("pmtop (%s) or tmux not found" % PMTOP)
        print("0 passed, 1 failed")
        return 1
    return run_checks("test_tui_", globals(), args, soft_failures)


if __name__ == "__main__":
    sys.exit(main())
