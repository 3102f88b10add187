#!/usr/bin/env python3
"""End-to-end tests for latch.

Usage: python3 tests/e2e/e2e.py LATCH_BINARY [SUBSTRING...]

Builds the target programs of tests/targets into build/targets (or
$LATCH_E2E_TARGETS), then runs latch against them at -O0 and -O2, in launch
mode and in attach mode, and compares what latch reports with what each
target printed about its own calls.  With SUBSTRINGs, only the tests whose
name contains one of them run.

Prints "ok NAME", "FAIL NAME: reason" or "SKIP NAME: reason" per test, lines
starting with "  #" for details, and one closing line
"e2e: N passed, M failed"; exits 1 if any test failed.

Environment (all optional):
  LATCH_E2E_TARGETS    target directory (default build/targets)
  LATCH_E2E_PREBUILT=1 do not build the targets (no compiler needed): use
                       those already in LATCH_E2E_TARGETS, e.g. cross-built
                       with tests/targets/build.sh for an emulated guest
  LATCH_E2E_SCALE=K    the threads target was built with the same variable
                       (tests/targets/build.sh): expect 100000/K calls
  LATCH_E2E_LOOP_ITER  iterations of the loop target (default 300000)
  LATCH_E2E_TIMEOUT    seconds per process (default 60)
  LATCH_E2E_FILTER     substrings as on the command line (when none is given)
  LATCH_E2E_STATIC     latch-static, for faults.py's static-* tests (skipped
                       without it; `make e2e` sets it)
  LATCH_OTLP_PY        the compiled OTLP definitions (tests/otlp/protos.sh's
                       output); without it otlp.py runs protos.sh
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = int(os.environ.get("LATCH_E2E_TIMEOUT", "60"))  # seconds, per process
OPTS = ("O0", "O2")
LOOP_ITER = int(os.environ.get("LATCH_E2E_LOOP_ITER", "300000"))  # still running when traced
SCALE = int(os.environ.get("LATCH_E2E_SCALE", "1"))
THREADS = 4
THREAD_PER = 25000 // SCALE              # work() calls per thread (threads.c PER)
THREAD_CALLS = THREADS * THREAD_PER


class TestFail(Exception):
    pass


class TestSkip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFail(msg)


# ---------------------------------------------------------------- processes

class Proc:
    """A process in its own session, stdout/stderr to files (no pipes to
    fill up while the suite waits for something else)."""

    def __init__(self, ctx, argv, name, env=None):
        self.ctx = ctx
        self.argv = [str(a) for a in argv]
        self.outpath = os.path.join(ctx.tmp, name + ".out")
        self.errpath = os.path.join(ctx.tmp, name + ".err")
        with open(self.outpath, "wb") as o, open(self.errpath, "wb") as e:
            self.p = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=o,
                                      stderr=e, start_new_session=True, env=env)
        self.start = time.monotonic()
        self.rc = None
        ctx.procs.append(self)

    def cmd(self):
        return " ".join(shq(a) for a in self.argv)

    def wait(self, timeout=TIMEOUT):
        left = max(0.1, timeout - (time.monotonic() - self.start))
        try:
            self.rc = self.p.wait(left)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TestFail("timed out after %d s: %s" % (timeout, self.cmd()))
        self.elapsed = time.monotonic() - self.start
        return self.rc

    def poll(self):
        return self.p.poll()

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def out(self):
        return readtext(self.outpath)

    def err(self):
        return readtext(self.errpath)

    def wait_pid_line(self, timeout=20, path=None):
        """The target's first line is "pid N": wait for it."""
        path = path or self.outpath
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = readtext(path) if os.path.exists(path) else ""
            m = re.match(r"pid (\d+)\n", text)
            if m:
                pid = int(m.group(1))
                self.ctx.note_target(pid)
                return pid
            if self.p.poll() is not None and not m:
                time.sleep(0.05)
                text = readtext(path) if os.path.exists(path) else ""
                m = re.match(r"pid (\d+)\n", text)
                if m:
                    self.ctx.note_target(int(m.group(1)))
                    return int(m.group(1))
                raise TestFail("%s exited (status %s) before printing its pid; stderr: %s"
                               % (self.cmd(), self.p.returncode, short(self.err())))
            time.sleep(0.01)
        raise TestFail("no 'pid N' line from %s within %d s" % (self.cmd(), timeout))


def readtext(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def shq(s):
    return s if re.match(r"^[\w./:=+-]+$", s) else "'" + s.replace("'", "'\\''") + "'"


def short(s, n=400):
    s = s.strip()
    return s if len(s) <= n else s[:n] + "...(%d more chars)" % (len(s) - n)


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError):
        return False


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2]
    except (OSError, ValueError):
        return "?"


def tracer_pid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def wait_until(fn, timeout, step=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


class Ctx:
    """Per-test scratch directory and the processes to clean up."""

    def __init__(self, suite, name):
        self.suite = suite
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="latch-e2e-%s-" % name)
        self.procs = []
        self.targets = set()

    def note_target(self, pid):
        self.targets.add(pid)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def cleanup(self):
        for p in self.procs:
            p.kill()
            m = re.match(r"pid (\d+)\n", readtext(p.outpath)) if os.path.exists(p.outpath) else None
            if m:
                self.targets.add(int(m.group(1)))
        tdir = os.path.realpath(self.suite.tdir)
        for pid in self.targets:
            try:
                exe = os.path.realpath("/proc/%d/exe" % pid)
            except OSError:
                continue
            if exe.startswith(tdir + os.sep) and pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- latch output

STATS_RE = re.compile(r"^latch: (\d+) calls seen, (\d+) (?P<word>printed|counted), (\d+) filtered"
                      r"(?: \((\d+) (unreadable|invalid)(?:, (\d+) invalid)?\))?, (\d+) dropped; "
                      r"(\d+) returns, (\d+) unwinds, (\d+) stops$")


def stats(err, required=True):
    lines = [l for l in err.splitlines() if STATS_RE.match(l)]
    if not lines:
        if required:
            raise TestFail("no 'latch: N calls seen, N printed, N filtered, N dropped; "
                           "N returns, N unwinds, N stops' line on stderr: %s"
                           % short(err))
        return None
    check(len(lines) == 1, "%d statistics lines on stderr" % len(lines))
    m = STATS_RE.match(lines[0])
    g = m.groups()[:2] + m.groups()[3:]
    n = lambda i: int(g[i]) if g[i] else 0
    return {"seen": n(0), "calls": n(1), "filtered": n(2),
            "unreadable": n(3) if g[4] == "unreadable" else 0,
            "invalid": n(3) if g[4] == "invalid" else n(5),
            "dropped": n(6), "returns": n(7), "unwinds": n(8), "stops": n(9),
            "word": m.group("word")}


def check_stats(err, calls, returns, unwinds):
    s = stats(err)
    got = (s["calls"], s["returns"], s["unwinds"])
    check(got == (calls, returns, unwinds),
          "statistics line says %d calls, %d returns, %d unwinds; the trace has %d, %d, %d"
          % (got + (calls, returns, unwinds)))
    check(s["stops"] >= calls + returns,
          "statistics line says %d stops for %d calls and %d returns" % (s["stops"], calls, returns))
    return s


def load_json(path, module=None, pid=None, t0=None, t1=None, loads=json.loads):
    check(os.path.exists(path), "no trace file %s" % path)
    evs = []
    with open(path, "rb") as f:
        data = f.read()
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        line = raw.decode("utf-8", "surrogateescape")
        try:
            ev = loads(line)
        except ValueError as e:
            raise TestFail("trace line %d is not JSON (%s): %s" % (n, e, short(line, 200)))
        check(isinstance(ev, dict), "trace line %d is not an object" % n)
        schema(ev, n, module, pid, t0, t1)
        evs.append(ev)
    return evs


def isint(v):
    return isinstance(v, int) and not isinstance(v, bool)


# Process records: their keys besides type, ts, pid and tid.
PROCESS_KEYS = {"exec": {"exe": str, "command_line": str}, "fork": {"ppid": int},
                "exit": {"status": int, "signal": str}}


def process_schema(ev):
    keys = PROCESS_KEYS[ev["type"]]
    problems = ["%r is not an integer" % k for k in ("ts", "pid", "tid") if not isint(ev.get(k))]
    extra = set(ev) - {"type", "ts", "pid", "tid"}
    if ev["type"] == "exit":
        if len(extra) != 1 or not extra <= set(keys):
            problems.append("an exit has one of status or signal")
    elif extra != set(keys):
        problems.append("keys %s, expected %s" % (sorted(extra), sorted(keys)))
    problems += ["%r is not a %s" % (k, ty.__name__) for k, ty in keys.items()
                 if k in ev and not isinstance(ev[k], ty)]
    return problems


def schema(ev, n, module, pid, t0, t1):
    t = ev.get("type")
    problems = []
    if t in PROCESS_KEYS:
        problems = process_schema(ev)
        if problems:
            raise TestFail("trace line %d (%s): %s" % (n, short(json.dumps(ev), 300), "; ".join(problems)))
        return
    if t not in ("call", "return", "unwind", "hit"):
        problems.append("bad type")
    for k in ("ts", "pid", "tid", "depth"):
        if not isint(ev.get(k)):
            problems.append("%r is not an integer" % k)
    for k in ("func", "module"):
        if not isinstance(ev.get(k), str):
            problems.append("%r is not a string" % k)
    if t == "call":
        if not isinstance(ev.get("args"), dict):
            problems.append("no args object")
    elif t == "hit":
        if not (isinstance(ev.get("args"), dict) and isinstance(ev.get("locals"), dict)):
            problems.append("a hit without args and locals objects")
        if not (isinstance(ev.get("where"), str) and isinstance(ev.get("addr"), str)):
            problems.append("a hit without where and addr")
        if "dur_ns" in ev:
            problems.append("a hit with a duration")
    elif not (isint(ev.get("dur_ns")) and ev["dur_ns"] >= 0):
        problems.append("bad dur_ns")
    if t == "unwind" and "ret" in ev:
        problems.append("unwind with a ret")
    if module is not None and ev.get("module") != module:
        problems.append("module is not %s" % module)
    if pid is not None and ev.get("pid") != pid:
        problems.append("pid is not %d" % pid)
    if t0 is not None and isint(ev.get("ts")) and not (t0 - 5e9 <= ev["ts"] <= t1 + 5e9):
        problems.append("ts %d is not ns since the epoch during the run" % ev["ts"])
    if problems:
        raise TestFail("trace line %d (%s): %s" % (n, short(json.dumps(ev), 300), "; ".join(problems)))


def check_nesting(evs):
    """Per thread: every return closes the innermost open call (same func,
    depth = number of open calls below); every unwind closes an open call;
    every call's depth is the number of open calls below it."""
    open_ = {}
    for i, ev in enumerate(evs):
        st = open_.setdefault(ev["tid"], [])
        where = "event %d %s %s depth %d" % (i, ev["type"], ev["func"], ev["depth"])
        if ev["type"] == "call":
            check(ev["depth"] == len(st),
                  "%s: %d traced calls are open on the thread (open: %s)"
                  % (where, len(st), [e["func"] for e in st]))
            st.append(ev)
        elif ev["type"] == "return":
            check(st, "%s: no open call" % where)
            top = st[-1]
            check((top["func"], top["depth"]) == (ev["func"], ev["depth"]),
                  "%s: innermost open call is %s at depth %d" % (where, top["func"], top["depth"]))
            check(ev["ts"] >= top["ts"], "%s: returns before it was called" % where)
            st.pop()
        else:
            idx = [j for j, e in enumerate(st) if (e["func"], e["depth"]) == (ev["func"], ev["depth"])]
            check(idx, "%s: no open call to unwind" % where)
            del st[idx[-1]]
    return open_


def fmt_events(evs, n=40):
    out = []
    for ev in evs[:n]:
        if ev["type"] in PROCESS_KEYS:
            out.append("%s pid %d %s" % (ev["type"], ev["pid"], json.dumps(
                {k: v for k, v in ev.items() if k in PROCESS_KEYS[ev["type"]]})))
            continue
        s = "%s %s d%d" % (ev["type"], ev["func"], ev["depth"])
        if ev["type"] == "call":
            s += " " + json.dumps(ev["args"])
        elif "ret" in ev:
            s += " ret=" + json.dumps(ev["ret"])
        out.append(s)
    return "; ".join(out) + (" ..." if len(evs) > n else "")


# -------------------------------------------------------- value comparison

def string_forms(b):
    """Acceptable JSON renderings of the bytes b (bytes >= 0x80 are not
    UTF-8 here; any faithful rendering is fine)."""
    forms = {b.decode("latin-1"), b.decode("utf-8", "surrogateescape"),
             b.decode("utf-8", "replace"),
             "".join(chr(c) if c < 0x80 else "\\x%02x" % c for c in b)}
    return forms


def compare_value(enc, jv, strlimit):
    """enc is the target's own encoding (see tests/targets/args.c); returns
    None if jv (the JSON value latch printed) matches, else a reason."""
    kind, _, v = enc.partition(":")
    if kind == "i":
        if isint(jv) and jv == int(v):
            return None
        return "expected the number %s, got %s" % (v, json.dumps(jv))
    if kind == "p":
        if v == "NULL":
            return None if jv is None else "expected null, got %s" % json.dumps(jv)
        if isinstance(jv, dict) and "sym" in jv:
            jv = jv.get("ptr")   # a pointer into a symbol: {"ptr": ..., "sym": ...}
        m = re.match(r"0x([0-9a-fA-F]+)", jv) if isinstance(jv, str) else None
        if m and int(m.group(1), 16) == int(v, 16):
            return None
        return "expected the pointer \"%s\", got %s" % (v, json.dumps(jv))
    if kind == "s":
        if v == "NULL":
            return None if jv is None else "expected null, got %s" % json.dumps(jv)
        raw = bytes.fromhex(v)
        cut = raw[:strlimit]
        if len(raw) > strlimit:
            # a cut string says so: {"str": ..., "truncated": true}
            if isinstance(jv, dict) and jv.get("truncated") is True and set(jv) == {"str", "truncated"}:
                if jv["str"] in string_forms(cut):
                    return None
        elif isinstance(jv, str) and jv in string_forms(cut):
            return None
        return "expected the string %s (%d bytes, limit %d), got %s" % (
            json.dumps(cut.decode("latin-1")), len(raw), strlimit, json.dumps(jv))
    if kind == "e":
        return None if jv == v else "expected the enumerator \"%s\", got %s" % (v, json.dumps(jv))
    if kind == "b":
        want = v == "true"
        return None if jv is want else "expected %s, got %s" % (v, json.dumps(jv))
    if kind == "c":
        want = chr(int(v, 16))
        return None if jv == want else "expected the char %s, got %s" % (json.dumps(want), json.dumps(jv))
    if kind == "x":
        return None
    raise ValueError("bad encoding " + enc)


def parse_args_lines(text):
    """Lines "call NAME k=ENC ... -> ret=ENC|void" printed by args."""
    calls = []
    for line in text.splitlines():
        if not line.startswith("call "):
            continue
        left, _, right = line.partition(" -> ")
        toks = left.split()
        name = toks[1]
        args = dict(t.split("=", 1) for t in toks[2:])
        ret = None if right == "void" else right.split("=", 1)[1]
        calls.append((name, args, ret, line))
    return calls


# ------------------------------------------------------------------ suite

def work(i):
    """tests/targets/threads.c's work()."""
    x = (i * 2654435761) & 0xFFFFFFFF
    x ^= x >> 13
    return (x * 2246822519 + 7) & 0xFFFFFFFF


class Suite:
    def __init__(self, latch, filters):
        self.latch = os.path.abspath(latch)
        self.filters = filters
        self.tdir = os.environ.get("LATCH_E2E_TARGETS") or os.path.join(ROOT, "build", "targets")
        self.passed = 0
        self.failed = 0
        self.baseline = {}

    def bin(self, opt, name):
        return os.path.join(self.tdir, opt, name)

    def run(self, name, fn, *args):
        if self.filters and not any(f in name for f in self.filters):
            return
        ctx = Ctx(self, name)
        t = time.monotonic()
        try:
            fn(ctx, *args)
        except TestSkip as e:
            print("SKIP %s: %s" % (name, e), flush=True)
        except TestFail as e:
            self.failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
        except Exception:
            self.failed += 1
            tb = traceback.format_exc().strip().splitlines()
            print("FAIL %s: test error: %s" % (name, " | ".join(tb[-3:])), flush=True)
        else:
            self.passed += 1
            print("ok %s" % name, flush=True)
        finally:
            ctx.cleanup()
        dt = time.monotonic() - t
        if dt > 5:
            print("  # %s took %.1f s" % (name, dt), flush=True)

    # ------------------------------------------------------------ helpers

    def latch_cmd(self, *args):
        return [self.latch] + [str(a) for a in args]

    def untraced(self, ctx, opt, prog, *args):
        """Output of an untraced run, without its pid line (cached)."""
        key = (opt, prog) + args
        if key not in self.baseline:
            p = Proc(ctx, [self.bin(opt, prog)] + list(args), "untraced")
            rc = p.wait()
            self.baseline[key] = (rc, drop_pid(p.out()))
        return self.baseline[key]

    def launch(self, ctx, latch_args, argv, name="latch", timeout=TIMEOUT, env=None):
        t0 = time.time_ns()
        p = Proc(ctx, self.latch_cmd(*latch_args) + ["--"] + [str(a) for a in argv], name, env=env)
        p.wait(timeout)
        p.t0, p.t1 = t0, time.time_ns()
        pid = None
        m = re.match(r"pid (\d+)\n", p.out())
        if m:
            pid = int(m.group(1))
            ctx.note_target(pid)
        p.target_pid = pid
        return p

    def start_target(self, ctx, argv, name="target"):
        t = Proc(ctx, argv, name)
        t.t0 = time.time_ns()
        t.pid = t.wait_pid_line()
        return t

    def attach(self, ctx, argv, latch_args, timeout=TIMEOUT):
        """Start the target (it waits for the traps), attach latch, wait for
        both.  Returns (latch Proc, target Proc)."""
        t = self.start_target(ctx, argv)
        lp = Proc(ctx, self.latch_cmd("-p", t.pid, *latch_args), "latch")
        t.wait(timeout)
        lp.wait(timeout)
        lp.t0, lp.t1, lp.target_pid = t.t0, time.time_ns(), t.pid
        return lp, t


def noaddr(text):
    return re.sub(r"0x[0-9a-f]+", "0x?", text)


def drop_pid(text):
    return re.sub(r"\Apid \d+\n", "", text)


# ------------------------------------------------------------------ tests

def t_args_json(s, ctx, opt, mode):
    exe = s.bin(opt, "args")
    trace = ctx.path("trace.json")
    if mode == "launch":
        lp = s.launch(ctx, ["-f", "json", "-o", trace, ":tt_*"], [exe])
        out, rc = lp.out(), lp.rc
        check(rc == 0, "latch exited %s, expected 0 (the command's status); stderr: %s" % (rc, short(lp.err())))
    else:
        lp, t = s.attach(ctx, [exe, "-w"], ["-f", "json", "-o", trace, ":tt_*"])
        check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, short(t.err())))
        check(lp.rc == 0, "latch exited %s, expected 0; stderr: %s" % (lp.rc, short(lp.err())))
        out = t.out()
    pid = lp.target_pid
    check(pid, "no pid line in the target's output: %s" % short(out))
    _, base = s.untraced(ctx, opt, "args")
    check(noaddr(drop_pid(out)) == noaddr(base), "target output differs from an untraced run:\n%s\n--- untraced:\n%s"
          % (short(drop_pid(out)), short(base)))
    evs = load_json(trace, os.path.realpath(exe), pid, lp.t0, lp.t1)
    compare_args_trace(evs, out, pid, 64, returns=True)
    ncalls = sum(e["type"] == "call" for e in evs)
    check_stats(lp.err(), ncalls, ncalls, 0)


def compare_args_trace(evs, out, pid, strlimit, returns):
    prog = parse_args_lines(out)
    check(len(prog) == 22, "args printed %d calls, expected 22" % len(prog))
    for e in evs:
        check(e["tid"] == pid, "event on tid %d, the target is single-threaded (pid %d)" % (e["tid"], pid))
    check(not [e for e in evs if e["type"] == "unwind"], "unexpected unwind records")
    if returns:
        check_nesting(evs)
        top = [(i, e) for i, e in enumerate(evs) if e["type"] == "call" and e["depth"] == 0]
        want = prog
    else:
        # --no-returns: entries only, no nesting; tt_outer's two nested
        # tt_int calls follow it in the sequence.
        check(not [e for e in evs if e["type"] == "return"], "return records with --no-returns")
        top = [(i, e) for i, e in enumerate(evs) if e["type"] == "call"]
        want = []
        for c in prog:
            want.append(c)
            if c[0] == "tt_outer":
                want.append(("tt_int", {"a": "i:2", "b": "i:1"}, None, "(nested in tt_outer)"))
                want.append(("tt_int", {"a": "i:3", "b": "i:2"}, None, "(nested in tt_outer)"))
    check(len(top) == len(want), "%d %scalls traced, the target made %d: %s"
          % (len(top), "top-level " if returns else "", len(want), fmt_events(evs)))
    for (i, ev), (name, args, ret, line) in zip(top, want):
        check(ev["func"] == name, "call #%d is %s, the target called %s" % (i, ev["func"], name))
        check(set(ev["args"]) == set(args), "%s: argument names %s, expected %s (target: %s)"
              % (name, sorted(ev["args"]), sorted(args), short(line, 120)))
        for k, enc in args.items():
            why = compare_value(enc, ev["args"][k], strlimit)
            check(why is None, "%s argument %s: %s (target: %s)" % (name, k, why, short(line, 120)))
        if not returns:
            continue
        rets = [e for e in evs[i + 1:] if e["type"] == "return" and e["depth"] == 0]
        check(rets and rets[0]["func"] == name, "no return record for %s (target: %s)" % (name, line))
        r = rets[0]
        if ret is None:
            check("ret" not in r, "%s is void but its return record has ret %s" % (name, json.dumps(r.get("ret"))))
        else:
            check("ret" in r, "%s: return record without ret (target: %s)" % (name, line))
            why = compare_value(ret, r["ret"], strlimit)
            check(why is None, "%s return value: %s (target: %s)" % (name, why, short(line, 120)))
    if not returns:
        return
    # tt_outer(2): two nested tt_int calls at depth 1.
    i = [j for j, e in top if e["func"] == "tt_outer"][0]
    nested = [e for e in evs[i + 1:] if e["depth"] >= 1][:4]
    want = [("call", "tt_int", {"a": 2, "b": 1}), ("return", "tt_int", 3),
            ("call", "tt_int", {"a": 3, "b": 2}), ("return", "tt_int", 5)]
    got = [(e["type"], e["func"], e["args"] if e["type"] == "call" else e.get("ret")) for e in nested]
    check(got == want and all(e["depth"] == 1 for e in nested),
          "nested calls in tt_outer(2): expected %s at depth 1, got %s" % (want, fmt_events(nested)))


def t_args_options(s, ctx, opt):
    """-s 300 --no-returns -q: whole 200-byte string, no returns, quiet."""
    exe = s.bin(opt, "args")
    trace = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace, "-s", "300", "--no-returns", "-q", ":tt_*"], [exe])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    check(stats(lp.err(), required=False) is None, "-q but a statistics line on stderr")
    check(not lp.err().strip(), "-q but stderr has: %s" % short(lp.err()))
    evs = load_json(trace, os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    compare_args_trace(evs, lp.out(), lp.target_pid, 300, returns=False)
    # and -s 10 cuts "hello" not at all, the 200-byte string at 10 bytes
    trace2 = ctx.path("trace2.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace2, "-s", "10", "-q", ":tt_str"], [exe], name="latch2")
    check(lp.rc == 0, "latch -s 10 exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    evs = [e for e in load_json(trace2) if e["type"] == "call"]
    prog = [c for c in parse_args_lines(lp.out()) if c[0] == "tt_str"]
    check(len(evs) == len(prog) == 5, "-s 10: %d tt_str calls traced, expected 5" % len(evs))
    for ev, (name, args, ret, line) in zip(evs, prog):
        why = compare_value(args["s"], ev["args"].get("s"), 10)
        check(why is None, "-s 10: tt_str argument s: %s (target: %s)" % (why, short(line, 80)))


TEXT_RE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{6}) \[(\d+)\] ( *)(.*)$")
DUR = r"<\s*\d+(\.\d+)?\s*(ns|us|\u00b5s|ms|s)\s*>"


def t_args_text(s, ctx, opt):
    exe = s.bin(opt, "args")
    trace = ctx.path("trace.txt")
    lp = s.launch(ctx, ["-f", "text", "-o", trace, ":tt_*"], [exe])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    lines = readtext(trace).splitlines()
    parsed = []
    for line in lines:
        m = TEXT_RE.match(line)
        check(m, "text line does not start with 'HH:MM:SS.uuuuuu [TID] ': %r" % line)
        check(int(m.group(5)) == lp.target_pid, "text line with tid %s, target pid %s: %r"
              % (m.group(5), lp.target_pid, line))
        check(len(m.group(6)) % 2 == 0, "odd indentation: %r" % line)
        parsed.append((len(m.group(6)) // 2, m.group(7)))

    def find(pattern, depth=0):
        rx = re.compile("^" + pattern + "$")
        for i, (d, c) in enumerate(parsed):
            if d == depth and rx.match(c):
                return i
        raise TestFail("no text line matching %r at depth %d in:\n%s" % (pattern, depth, short("\n".join(lines), 3000)))

    find(r"tt_int\(a=-5, b=12\) = 7 " + DUR)
    find(r'tt_str\(s="hello"\) = 5 ' + DUR)
    find(r"tt_enum\(c=GREEN\) = BLUE " + DUR)
    find(r"tt_bool\(b=true\) = false " + DUR)
    i = find(r"tt_outer\(n=2\) \{")
    want = [(1, r"tt_int\(a=2, b=1\) = 3 " + DUR), (1, r"tt_int\(a=3, b=2\) = 5 " + DUR),
            (0, r"\} tt_outer = 8 " + DUR)]
    for k, (d, pat) in enumerate(want, 1):
        check(i + k < len(parsed) and parsed[i + k][0] == d and re.match("^" + pat + "$", parsed[i + k][1]),
              "after 'tt_outer(n=2) {' expected %r at depth %d, got: %s"
              % (pat, d, short("\n".join(lines[i:i + 4]), 600)))


def t_threads(s, ctx, opt, mode, late):
    exe = s.bin(opt, "threads")
    trace = ctx.path("trace.json")
    extra = ["late"] if late else []
    probe = {"O0": "work", "O2": ":work"}[opt] if mode == "launch" else "threads:work"
    if mode == "launch":
        lp = s.launch(ctx, ["-f", "json", "-o", trace, probe], [exe] + extra)
        check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
        out = lp.out()
    else:
        lp, t = s.attach(ctx, [exe, "-w"] + extra, ["-f", "json", "-o", trace, probe])
        check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, short(t.err())))
        check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
        out = t.out()
    pid = lp.target_pid
    _, base = s.untraced(ctx, opt, "threads")
    check(drop_pid(out) == base, "target output differs from an untraced run:\n%s\n--- untraced:\n%s"
          % (short(drop_pid(out)), short(base)))
    built = re.search(r"^calls (\d+)$", base, re.M)
    check(built and int(built.group(1)) == THREAD_CALLS,
          "the untraced threads target makes %s calls, expected %d (LATCH_E2E_SCALE=%d: build the targets"
          " with the same LATCH_E2E_SCALE)" % (built and built.group(1), THREAD_CALLS, SCALE))
    checksum = int(re.search(r"^checksum (\d+)$", base, re.M).group(1))
    evs = load_json(trace, os.path.realpath(exe), pid, lp.t0, lp.t1)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    check(len(calls) == THREAD_CALLS and len(rets) == THREAD_CALLS,
          "%d calls and %d returns traced, expected %d each" % (len(calls), len(rets), THREAD_CALLS))
    check(not [e for e in evs if e["type"] == "unwind"], "unexpected unwind records")
    for e in evs:
        check(e["func"] == "work" and e["depth"] == 0, "unexpected event %s" % fmt_events([e]))
    args = sorted(e["args"].get("i") for e in calls if isint(e["args"].get("i")))
    check(args == list(range(THREAD_CALLS)), "the traced arguments are not each of 0..%d once" % (THREAD_CALLS - 1))
    per_tid = Counter(e["tid"] for e in calls)
    check(len(per_tid) == THREADS and set(per_tid.values()) == {THREAD_PER} and pid not in per_tid,
          "calls per thread: %s (expected %d threads other than the main one, %d each)"
          % (dict(per_tid), THREADS, THREAD_PER))
    last = {}
    total = 0
    for e in evs:
        if e["type"] == "call":
            check(e["tid"] not in last, "tid %d: call while another call is open" % e["tid"])
            last[e["tid"]] = e
        else:
            c = last.pop(e["tid"], None)
            check(c is not None, "tid %d: return without a call" % e["tid"])
            check(e.get("ret") == work(c["args"]["i"]), "work(%d) returned %s, expected %d"
                  % (c["args"]["i"], e.get("ret"), work(c["args"]["i"])))
            total += e["ret"]
    check(total % 2 ** 64 == checksum, "sum of traced returns %d != target checksum %d" % (total, checksum))
    st = check_stats(lp.err(), THREAD_CALLS, THREAD_CALLS, 0)
    print("  # %s: %.1f s, %d stops, %.1f us per call" % (
        ctx.name, lp.elapsed, st["stops"], lp.elapsed * 1e6 / THREAD_CALLS), flush=True)


def t_recurse(s, ctx, opt, mode):
    exe = s.bin(opt, "recurse")
    trace = ctx.path("trace.json")
    if mode == "launch":
        lp = s.launch(ctx, ["-f", "json", "-o", trace, "recurse:rec"], [exe])
        check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
        out = lp.out()
    else:
        lp, t = s.attach(ctx, [exe, "-w"], ["-f", "json", "-o", trace, "recurse:rec"])
        check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
              % (t.rc, lp.rc, short(t.err()), short(lp.err())))
        out = t.out()
    _, base = s.untraced(ctx, opt, "recurse")
    check(drop_pid(out) == base, "target output differs from an untraced run")
    levels = [tuple(map(int, m)) for m in re.findall(r"^rec (\d+) -> (\d+)$", out, re.M)]
    check(len(levels) == 1000, "target printed %d levels" % len(levels))
    evs = load_json(trace, os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    check(len(calls) == 1000 and len(rets) == 1000 and len(evs) == 2000,
          "%d calls, %d returns, %d events; expected 1000, 1000, 2000" % (len(calls), len(rets), len(evs)))
    for d, e in enumerate(calls):
        check(e["depth"] == d and e["args"].get("n") == 999 - d,
              "call #%d: depth %s n=%s, expected depth %d n=%d" % (d, e["depth"], e["args"].get("n"), d, 999 - d))
    for j, (e, (n, v)) in enumerate(zip(rets, levels)):
        check(e["depth"] == 999 - j and e.get("ret") == v,
              "return #%d: depth %s ret %s, expected depth %d ret %d (target: rec %d -> %d)"
              % (j, e["depth"], e.get("ret"), 999 - j, v, n, v))
    check(evs[:1000] == calls, "the 1000 calls are not all before the returns")
    check_nesting(evs)
    check_stats(lp.err(), 1000, 1000, 0)


def t_longjmp(s, ctx, opt):
    exe = s.bin(opt, "longjmp")
    trace = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace, "lj_*"], [exe])
    rc, base = s.untraced(ctx, opt, "longjmp")
    check(rc == 3, "untraced longjmp exited %s, expected 3" % rc)
    check(lp.rc == 3, "latch exited %s, expected 3 (the command's exit status); stderr: %s"
          % (lp.rc, short(lp.err())))
    check(drop_pid(lp.out()) == base, "target output differs from an untraced run:\n%s" % short(lp.out()))
    evs = load_json(trace, os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    calls = [(e["func"], e["args"], e["depth"]) for e in evs if e["type"] == "call"]
    want_calls = [("lj_a", {"x": 1}, 0), ("lj_b", {"x": 2}, 1), ("lj_c", {"x": 3}, 2)] * 2 + [
        ("lj_after", {"x": 5}, 0), ("lj_mid", {"x": 10}, 0), ("lj_a", {"x": 10}, 1),
        ("lj_b", {"x": 11}, 2), ("lj_c", {"x": 12}, 3), ("lj_after", {"x": 10}, 1),
        ("lj_after", {"x": 7}, 0), ("lj_exit", {"code": 3}, 0)]
    check(calls == want_calls, "calls (func, args, depth):\n  got      %s\n  expected %s" % (calls, want_calls))
    rets = [(e["func"], e["depth"], e.get("ret")) for e in evs if e["type"] == "return"]
    want_rets = [("lj_after", 0, 50), ("lj_after", 1, 100), ("lj_mid", 0, 112), ("lj_after", 0, 70)]
    check(rets == want_rets, "returns (func, depth, ret): got %s, expected %s" % (rets, want_rets))
    unw = Counter((e["func"], e["depth"]) for e in evs if e["type"] == "unwind")
    want_unw = Counter({("lj_a", 0): 2, ("lj_b", 1): 2, ("lj_c", 2): 2, ("lj_a", 1): 1,
                        ("lj_b", 2): 1, ("lj_c", 3): 1, ("lj_exit", 0): 1})
    check(unw == want_unw, "unwind records (func, depth): got %s, expected %s"
          % (sorted(unw.items()), sorted(want_unw.items())))
    left = check_nesting(evs)
    check(not any(left.values()), "calls never closed: %s" % left)
    # the frames skipped inside lj_mid are unwound before lj_mid returns
    i_mid = [i for i, e in enumerate(evs) if e["type"] == "return" and e["func"] == "lj_mid"][0]
    check(sum(e["type"] == "unwind" for e in evs[:i_mid]) == 9,
          "the 3 frames skipped inside lj_mid are not unwound before lj_mid returns: %s" % fmt_events(evs))
    check_stats(lp.err(), 14, 4, 10)


def t_signal_handler(s, ctx, opt, mode):
    exe = s.bin(opt, "signal")
    trace = ctx.path("trace.json")
    probes = [":sig_*", ":on_*", "in_handler"]
    if mode == "launch":
        lp = s.launch(ctx, ["-f", "json", "-o", trace] + probes, [exe])
        out = lp.out()
        check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    else:
        lp, t = s.attach(ctx, [exe, "-w"], ["-f", "json", "-o", trace] + probes)
        check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
              % (t.rc, lp.rc, short(t.err()), short(lp.err())))
        out = t.out()
    _, base = s.untraced(ctx, opt, "signal")
    check(drop_pid(out) == base, "target output differs from an untraced run:\n%s\n--- untraced:\n%s"
          % (short(drop_pid(out)), short(base)))
    evs = load_json(trace, os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    usr1, alrm = int(signal.SIGUSR1), int(signal.SIGALRM)
    want = [("call", "sig_outer", 0, {"n": 5}), ("call", "on_usr1", 1, {"sig": usr1}),
            ("call", "in_handler", 2, {"x": usr1}), ("return", "in_handler", 2, usr1 * 3),
            ("return", "on_usr1", 1, None), ("return", "sig_outer", 0, 5 + usr1 * 3),
            ("call", "sig_spin", 0, {"n": 7}), ("call", "on_alrm", 1, {"sig": alrm}),
            ("call", "in_handler", 2, {"x": alrm}), ("return", "in_handler", 2, alrm * 3),
            ("return", "on_alrm", 1, None), ("return", "sig_spin", 0, 7 + alrm * 3)]
    got = [(e["type"], e["func"], e["depth"], e["args"] if e["type"] == "call" else e.get("ret"))
           for e in evs]
    check(got == want, "events (type, func, depth, args|ret):\n  got      %s\n  expected %s" % (got, want))
    check_stats(lp.err(), 6, 6, 0)


def t_signal_stop(s, ctx, opt):
    """SIGSTOP/SIGCONT from a child of the target, while traced."""
    exe = s.bin(opt, "signal")
    trace = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace, "tick"], [exe, "stop"])
    out = drop_pid(lp.out())
    check(lp.rc == 0, "latch exited %s (the target exits 0 when the stop behaved); target said:\n%s\nstderr: %s"
          % (lp.rc, short(out), short(lp.err())))
    rc, base = s.untraced(ctx, opt, "signal", "stop")
    check(rc == 0, "untraced 'signal stop' exited %s: %s" % (rc, base))
    check(out == base, "target output differs from an untraced run:\n%s\n--- untraced:\n%s" % (out, base))
    evs = load_json(trace, os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    # tick() runs every ~1 ms for about a second of wall time: far fewer
    # calls under emulation, hence a floor scaled like the other counts
    least = max(5, 50 // SCALE)
    check(len(calls) >= least and len(calls) == len(rets), "%d calls, %d returns (expected >= %d calls)"
          % (len(calls), len(rets), least))
    for k, (c, r) in enumerate(zip(calls, rets)):
        check(c["args"].get("i") == k and r.get("ret") == 2 * k + 1,
              "tick call #%d: i=%s ret=%s" % (k, c["args"].get("i"), r.get("ret")))
    check_nesting(evs)
    check_stats(lp.err(), len(calls), len(rets), 0)


def t_exit_signal(s, ctx, opt):
    exe = s.bin(opt, "signal")
    trace = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace, "tick"], [exe, "die"])
    want = 128 + int(signal.SIGTERM)
    check(lp.rc == want, "latch exited %s, expected %d (command killed by SIGTERM); stderr: %s"
          % (lp.rc, want, short(lp.err())))
    evs = load_json(trace)
    got = [(e["type"], e["func"], e["args"] if e["type"] == "call" else e.get("ret")) for e in evs]
    check(got == [("call", "tick", {"i": 1}), ("return", "tick", 3)], "events: %s" % got)


def t_nodwarf(s, ctx, opt):
    """Without DWARF the arguments are unknown: "nd_add(...)", as ltrace
    without a prototype; a condition on arg1..argN reads the raw
    registers, and then they are shown."""
    exe = s.bin(opt, "nodwarf")
    trace = ctx.path("plain.txt")
    lp = s.launch(ctx, ["-f", "text", "-o", trace, "nd_add"], [exe], name="plain")
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    check(re.search(r"^\S+ \[\d+\] nd_add\(\.\.\.\) = 0x1276 <", readtext(trace), re.M),
          "without DWARF nor a condition, expected 'nd_add(...) = 0x1276': %s" % short(readtext(trace)))
    trace = ctx.path("trace.txt")
    lp = s.launch(ctx, ["-f", "text", "-o", trace, "nd_add if arg2 == 0x42"], [exe])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    check("call nd_add 0x1234 0x42 -> 0x1276" in lp.out(), "target output: %s" % short(lp.out()))
    text = readtext(trace)
    m = re.search(r"nd_add\(([^)]*)\)", text)
    check(m, "no 'nd_add(...)' in the text trace: %s" % short(text))
    args = dict(a.strip().split("=", 1) for a in m.group(1).split(",") if "=" in a)
    for k, v in (("arg1", 0x1234), ("arg2", 0x42)):
        check(re.match(r"^0x[0-9a-fA-F]+$", args.get(k, "")) and int(args[k], 16) == v,
              "expected %s=0x%x without DWARF, got: %s" % (k, v, m.group(0)))
    trace2 = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", trace2, "nd_add if arg1 > 0"], [exe], name="latch2")
    check(lp.rc == 0, "latch -f json exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    calls = [e for e in load_json(trace2, os.path.realpath(exe), lp.target_pid) if e["type"] == "call"]
    check(len(calls) == 1, "%d calls in the JSON trace" % len(calls))
    a = calls[0]["args"]
    for k, v in (("arg1", 0x1234), ("arg2", 0x42)):
        got = a.get(k)
        val = int(got, 16) if isinstance(got, str) and re.match(r"^0x[0-9a-fA-F]+$", got) else got
        check(val == v, "JSON args without DWARF: expected %s = \"0x%x\", got %s" % (k, v, json.dumps(a)))


def loop_result(ctx, path, timeout=30):
    """Wait for loop's result file to be complete; return its text.  Fails
    early if the target died without finishing it."""
    end = time.monotonic() + timeout
    pid = None
    text = ""
    while True:
        text = readtext(path) if os.path.exists(path) else ""
        m = re.match(r"pid (\d+)\n", text)
        if m and pid is None:
            pid = int(m.group(1))
            ctx.note_target(pid)
        if re.search(r"^code (ok|modified)$", text, re.M):
            return text
        if pid is not None and not pid_alive(pid):
            time.sleep(0.1)
            text = readtext(path)
            if re.search(r"^code (ok|modified)$", text, re.M):
                return text
            raise TestFail("the target (pid %d) died before finishing; its output: %s" % (pid, short(text)))
        if time.monotonic() > end:
            raise TestFail("the target did not finish within %d s; its output: %s"
                           % (timeout, short(text) if text else "(none)"))
        time.sleep(0.05)


def check_loop_ok(text, iters=LOOP_ITER):
    want = "count %d\nbad 0\ntracer gone\ncode ok\n" % iters
    check(drop_pid(text) == want, "target after detach said %r, expected %r" % (drop_pid(text), want))


def t_detach_n(s, ctx, opt, mode):
    exe = s.bin(opt, "loop")
    trace = ctx.path("trace.json")
    res = ctx.path("result")
    if mode == "launch":
        lp = s.launch(ctx, ["-n", "5", "-f", "json", "-o", trace, "step"], [exe, "-c", "-r", res, LOOP_ITER])
        text = loop_result(ctx, res)
        check(lp.rc == 0, "latch exited %s, expected 0; stderr: %s" % (lp.rc, short(lp.err())))
    else:
        lp, t = s.attach(ctx, [exe, "-w", "-c", LOOP_ITER], ["-n", "5", "-f", "json", "-o", trace, "step"])
        check(lp.rc == 0, "latch exited %s, expected 0; stderr: %s" % (lp.rc, short(lp.err())))
        text = t.out()
        check(t.rc == 0, "target exited %s: %s" % (t.rc, short(drop_pid(text))))
    check_loop_ok(text)
    evs = load_json(trace, os.path.realpath(exe))
    got = [(e["type"], e["args"].get("i") if e["type"] == "call" else e.get("ret")) for e in evs]
    want = []
    for i in range(5):
        want += [("call", i), ("return", 7 * i + 3)]
    check(got == want, "-n 5: events %s, expected %s" % (got, want))
    check_stats(lp.err(), 5, 5, 0)


def t_detach_sigint(s, ctx, opt, mode):
    exe = s.bin(opt, "loop")
    trace = ctx.path("trace.json")
    res = ctx.path("result")
    largs = ["-f", "json", "-o", trace, "step"]
    if mode == "launch":
        lp = Proc(ctx, s.latch_cmd(*largs) + ["--", exe, "-c", "-r", res, LOOP_ITER], "latch")
        t = None
    else:
        t = s.start_target(ctx, [exe, "-w", "-c", LOOP_ITER])
        lp = Proc(ctx, s.latch_cmd("-p", t.pid, *largs), "latch")

    def lines():
        return os.path.exists(trace) and os.path.getsize(trace) > 0 and readtext(trace).count("\n") >= 10
    check(wait_until(lines, 20), "no trace output within 20 s; latch stderr: %s" % short(lp.err()))
    check(lp.poll() is None, "latch exited (%s) before SIGINT" % lp.poll())
    os.kill(lp.p.pid, signal.SIGINT)
    t_int = time.monotonic()
    lp.wait()
    dt = time.monotonic() - t_int
    check(dt < 5, "latch took %.1f s to exit after SIGINT" % dt)
    if mode == "attach":
        check(lp.rc == 0, "latch exited %s after SIGINT, expected 0; stderr: %s" % (lp.rc, short(lp.err())))
        t.wait()
        text = t.out()
        check(t.rc == 0, "target exited %s after the detach: %s" % (t.rc, short(drop_pid(text))))
    else:
        text = loop_result(ctx, res)
    check_loop_ok(text)
    evs = load_json(trace, os.path.realpath(exe))
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    # we waited for 10 lines (5 calls and their returns) before SIGINT
    check(5 <= len(calls) < LOOP_ITER, "%d calls traced" % len(calls))
    check(len(calls) - 1 <= len(rets) <= len(calls), "%d calls but %d returns" % (len(calls), len(rets)))
    if mode == "attach":
        check([e["args"].get("i") for e in calls] == list(range(len(calls))), "calls are not i = 0, 1, 2, ...")
    for c, r in zip(calls, rets):
        check(r.get("ret") == 7 * c["args"]["i"] + 3, "step(%d) returned %s" % (c["args"]["i"], r.get("ret")))
    st = stats(lp.err())
    check(st["calls"] == len(calls), "statistics line says %d calls, the trace file has %d (not flushed?)"
          % (st["calls"], len(calls)))


def t_detach_head(s, ctx, opt):
    exe = s.bin(opt, "loop")
    res = ctx.path("result")
    head = ctx.path("head")
    cmd = "%s step -- %s -c -r %s %d | head -3 > %s" % (
        shq(s.latch), shq(exe), shq(res), LOOP_ITER, shq(head))
    sh = Proc(ctx, ["sh", "-c", cmd], "pipeline")
    sh.wait(TIMEOUT)
    text = loop_result(ctx, res)
    hl = readtext(head).splitlines()
    check(len(hl) == 3, "head -3 printed %d lines" % len(hl))
    for line in hl:
        m = TEXT_RE.match(line)
        check(m and re.match(r"^step\(i=\d+\) = \d+ " + DUR + "$", m.group(7)),
              "not a text trace line for step: %r" % line)
    check_loop_ok(text)
    check(sh.elapsed < 30, "the pipeline took %.1f s" % sh.elapsed)


def t_detach_duration(s, ctx, opt):
    exe = s.bin(opt, "loop")
    trace = ctx.path("trace.json")
    t = s.start_target(ctx, [exe, "-w", "-c", LOOP_ITER])
    lp = Proc(ctx, s.latch_cmd("-d", "1", "-p", t.pid, "-f", "json", "-o", trace, "step"), "latch")
    lp.wait()
    check(lp.rc == 0, "latch -d 1 exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    check(0.8 <= lp.elapsed <= 10, "latch -d 1 ran %.2f s" % lp.elapsed)
    t.wait()
    check(t.rc == 0, "target exited %s: %s" % (t.rc, short(t.out())))
    check_loop_ok(t.out())
    calls = [e for e in load_json(trace) if e["type"] == "call"]
    check(1 <= len(calls) < LOOP_ITER, "%d calls traced in 1 s" % len(calls))


def t_sigstop_test(s, ctx, opt):
    """SIGSTOP/SIGCONT sent by the test to an attached target."""
    exe = s.bin(opt, "loop")
    trace = ctx.path("trace.json")
    t = s.start_target(ctx, [exe, "-w", "-c", LOOP_ITER])
    lp = Proc(ctx, s.latch_cmd("-p", t.pid, "-f", "json", "-o", trace, "step"), "latch")

    def nlines():
        return readtext(trace).count("\n") if os.path.exists(trace) else 0
    check(wait_until(lambda: nlines() >= 10, 20), "no trace output within 20 s; latch stderr: %s" % short(lp.err()))
    os.kill(t.pid, signal.SIGSTOP)
    check(wait_until(lambda: proc_state(t.pid) in "Tt", 5), "target state %r after SIGSTOP" % proc_state(t.pid))
    time.sleep(0.2)
    n1 = nlines()
    time.sleep(0.4)
    n2, st = nlines(), proc_state(t.pid)
    check(st in "Tt", "target state %r while it should be stopped" % st)
    check(n1 == n2, "the trace grew from %d to %d lines while the target was stopped" % (n1, n2))
    check(lp.poll() is None, "latch exited (%s) while the target was stopped; stderr: %s" % (lp.poll(), short(lp.err())))
    os.kill(t.pid, signal.SIGCONT)
    check(wait_until(lambda: nlines() > n2 + 10, 10), "the target made no traced calls after SIGCONT (state %r)"
          % proc_state(t.pid))
    os.kill(lp.p.pid, signal.SIGINT)
    lp.wait()
    check(lp.rc == 0, "latch exited %s after SIGINT; stderr: %s" % (lp.rc, short(lp.err())))
    t.wait()
    check(t.rc == 0, "target exited %s: %s" % (t.rc, short(t.out())))
    check_loop_ok(t.out())


def norm_proto(text):
    text = re.sub(r"\s*\*\s*", "*", text)
    for a, b in (("long unsigned int", "unsigned long"), ("long long int", "long long"),
                 ("long int", "long"), ("short int", "short"), ("unsigned int", "unsigned"),
                 ("_Bool", "bool")):
        text = text.replace(a, b)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r" ?\( ?", "(", text)


def t_list_attach(s, ctx, opt):
    exe = s.bin(opt, "loop")
    go = ctx.path("go")
    t = s.start_target(ctx, [exe, "-W", go, "-c", "1000"])
    lp = Proc(ctx, s.latch_cmd("-l", "-p", t.pid, "step"), "latch")
    lp.wait()
    check(lp.rc == 0, "latch -l exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    check("int step(int i)" in norm_proto(lp.out()), "no prototype 'int step(int i)' in: %s" % short(lp.out()))
    check(tracer_pid(t.pid) == 0, "target still traced after latch -l (TracerPid %d)" % tracer_pid(t.pid))
    check(proc_state(t.pid) in "SR", "target state %r after latch -l" % proc_state(t.pid))
    open(go, "w").close()
    t.wait()
    check(t.rc == 0, "target exited %s: %s" % (t.rc, short(t.out())))
    check_loop_ok(t.out(), 1000)


def t_list_launch(s, ctx, opt):
    exe = s.bin(opt, "args")
    lp = s.launch(ctx, ["-l", ":tt_*"], [exe])
    check(lp.rc == 0, "latch -l exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    text = norm_proto(lp.out())
    for proto in ("int tt_int(int a, int b)", "size_t tt_str(const char*s)",
                  "enum color tt_enum(enum color c)", "void tt_void(int x)",
                  "long tt_many(int a, long b, short c, char d, unsigned e, long f, int g, int h)",
                  "bool tt_bool(bool b)", "void*tt_ptr(void*p, int*ip)"):
        alt = proto.replace("size_t", "unsigned long")
        check(proto in text or alt in text, "no prototype %r in the list:\n%s" % (proto, short(lp.out(), 2000)))
    check(len(re.findall(r"\btt_\w+\(", text)) == 15, "expected 15 tt_* functions listed:\n%s" % short(lp.out(), 2000))
    # the command is killed before main: it never gets to create the
    # marker file (a command resumed by mistake did in most runs)
    mark = ctx.path("main-ran")
    for i in range(4):
        lp = s.launch(ctx, ["-l", ":tt_*"], [exe], name="latch-%d" % i,
                      env=dict(os.environ, ARGS_MAIN_MARK=mark))
        check(lp.rc == 0 and not os.path.exists(mark),
              "the command ran main under -l (run %d, exit %s)" % (i + 1, lp.rc))


def t_clones(s, ctx):
    """-O2 clones: named with their suffix, each argument either where
    DWARF says it is or <optimised out>, never a made-up number."""
    exe = s.bin("O2", "clones")
    out = ctx.path("trace.json")
    lp = s.launch(ctx, ["-f", "json", "-o", out, ":scaled*", ":unused_second*"], [exe])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    evs = load_json(out, pid=lp.target_pid)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    want = [l.split() for l in lp.out().splitlines() if l.startswith("call ")]
    check(len(calls) == len(want) == 6 and len(rets) == 6,
          "expected 6 calls and returns: %s" % fmt_events(evs))
    unav = "<optimised out>"
    for c, r, w in zip(calls, rets, want):
        name, ret = w[1], int(w[5])
        a, pa = (int(x.split("=")[1]) for x in w[2:4])
        f = c["func"]
        check(f.startswith(name + ".") and re.search(r"\.(constprop|isra)\.", f),
              "%s should be named as a clone of %s" % (f, name))
        args = c["args"]
        if name == "unused_second":
            check(args.get("a") == a, "%s: a should be %d, got %s" % (f, a, args.get("a")))
            check(args.get("b") == unav, "%s: b should be %r, got %s" % (f, unav, args.get("b")))
        else:
            p = args.get("p")
            check(p == unav or (isinstance(p, dict) and p.get("to", {}).get("a") == pa),
                  "%s: p should point at a=%d or be %r, got %s" % (f, pa, unav, p))
            check(args.get("factor") in (unav, 7), "%s: factor %s" % (f, args.get("factor")))
            check(args.get("tag") in (unav, "xy"), "%s: tag %s" % (f, args.get("tag")))
        trusted = not re.search(r"\.(isra|part)\.", f)
        check(r["ret"] == (ret if trusted else unav),
              "%s returned %d: expected %s, got %s" % (f, ret, ret if trusted else unav, r.get("ret")))


def t_no_symbols(s, ctx, opt):
    lp = s.launch(ctx, [":nd_add"], [s.bin(opt, "nodwarf-stripped")])
    check(lp.rc == 1, "latch exited %s for an executable without symbols, expected 1; stderr: %s"
          % (lp.rc, short(lp.err())))
    check(lp.err().strip(), "no message on stderr")


def unused_pid():
    with open("/proc/sys/kernel/pid_max") as f:
        pid = int(f.read()) - 1
    while os.path.exists("/proc/%d" % pid):
        pid -= 1
    return pid


def t_bad_pid(s, ctx):
    pid = unused_pid()
    p = Proc(ctx, s.latch_cmd("-p", pid, "main"), "latch")
    p.wait()
    check(p.rc == 1, "latch -p %d (no such process) exited %s, expected 1" % (pid, p.rc))
    lines = [l for l in p.err().splitlines() if l.strip()]
    check(len(lines) == 1, "expected one line on stderr, got %d: %s" % (len(lines), short(p.err())))
    check(not p.out(), "stdout not empty: %s" % short(p.out()))


def t_already_traced(s, ctx):
    strace = shutil.which("strace")
    if not strace:
        raise TestSkip("strace is not installed")
    exe = s.bin("O0", "loop")
    go = ctx.path("go")
    tr = Proc(ctx, [strace, "-f", "-o", "/dev/null", exe, "-W", go, "-k", "1000"], "strace")
    pid = tr.wait_pid_line()
    check(tracer_pid(pid) > 0, "the target is not traced by strace")
    p = Proc(ctx, s.latch_cmd("-p", pid, "step"), "latch")
    p.wait()
    check(p.rc == 1, "latch on a process traced by strace exited %s, expected 1; stderr: %s" % (p.rc, short(p.err())))
    check("already traced" in p.err().lower(), "no 'already traced' in: %s" % short(p.err()))
    open(go, "w").close()
    tr.wait()
    text = tr.out()
    check(drop_pid(text) == "count 1000\nbad 0\ncode ok\n",
          "target under strace said %r" % drop_pid(text))


def t_max_probes(s, ctx):
    """More functions than --max-probes: refused before the target is
    changed; a launched command never reaches main."""
    exe = s.bin("O0", "args")
    mark = ctx.path("main-ran")
    lp = s.launch(ctx, ["--max-probes", "14", ":tt_*"], [exe],
                  env=dict(os.environ, ARGS_MAIN_MARK=mark))
    check(lp.rc == 1, "15 functions over --max-probes 14: exit %s, expected 1" % lp.rc)
    check("more than --max-probes 14" in lp.err() and "15 functions" in lp.err(),
          "no limit message in: %s" % short(lp.err()))
    check(not os.path.exists(mark), "the command ran main although latch refused")
    lp = s.launch(ctx, ["-q", "-f", "json", "--max-probes", "15", ":tt_*"], [exe], name="latch-15")
    check(lp.rc == 0, "15 functions under --max-probes 15: exit %s; %s" % (lp.rc, short(lp.err())))
    check('"func":"tt_int"' in lp.out(), "no tt_int events under --max-probes 15")

    loop = s.bin("O0", "loop")
    go = ctx.path("go")
    tp = Proc(ctx, [loop, "-W", go, "-k", "1000"], "target")
    pid = tp.wait_pid_line()
    p = Proc(ctx, s.latch_cmd("--max-probes", "1", "-p", pid, ":*"), "latch-attach")
    p.wait()
    check(p.rc == 1 and "--max-probes 1" in p.err(),
          "attach over the limit: exit %s; %s" % (p.rc, short(p.err())))
    check(tracer_pid(pid) == 0, "the target is traced after latch refused")
    open(go, "w").close()
    tp.wait()
    check(drop_pid(tp.out()) == "count 1000\nbad 0\ncode ok\n",
          "target after the refusal said %r" % drop_pid(tp.out()))


def t_not_permitted(s, ctx):
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        raise TestSkip("needs root and setpriv to run latch as another user")
    drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    p = Proc(ctx, drop + [s.latch, "-V"], "probe")
    p.wait()
    if p.rc != 0:
        raise TestSkip("latch cannot run as uid 65534 from here: %s" % short(p.err(), 100))
    exe = s.bin("O0", "loop")
    go = ctx.path("go")
    t = s.start_target(ctx, [exe, "-W", go, "-c", "1000"])
    p = Proc(ctx, drop + [s.latch, "-p", str(t.pid), "step"], "latch")
    p.wait()
    check(p.rc == 1, "latch (uid 65534) on a root process exited %s, expected 1; stderr: %s"
          % (p.rc, short(p.err())))
    lines = [l for l in p.err().splitlines() if l.strip()]
    check(len(lines) == 1, "expected one line on stderr, got: %s" % short(p.err()))
    open(go, "w").close()
    t.wait()
    check(t.rc == 0, "target exited %s" % t.rc)
    check_loop_ok(t.out(), 1000)


def t_no_match(s, ctx, mode):
    if mode == "launch":
        p = s.launch(ctx, [":tt_itn"], [s.bin("O0", "args")])
        check(p.rc == 1, "latch exited %s for a probe matching nothing, expected 1" % p.rc)
        check("did you mean" in p.err().lower(), "no 'did you mean' in: %s" % short(p.err()))
        return
    go = ctx.path("go")
    t = s.start_target(ctx, [s.bin("O0", "loop"), "-W", go, "-c", "1000"])
    p = Proc(ctx, s.latch_cmd("-p", t.pid, "stpe"), "latch")
    p.wait()
    check(p.rc == 1, "latch exited %s for a probe matching nothing, expected 1; stderr: %s" % (p.rc, short(p.err())))
    check("did you mean" in p.err().lower(), "no 'did you mean' in: %s" % short(p.err()))
    open(go, "w").close()
    t.wait()
    check(t.rc == 0, "target exited %s" % t.rc)
    check_loop_ok(t.out(), 1000)


def t_usage(s, ctx, what):
    cases = {
        "malformed-probe": [["", "--", "/bin/true"], ["libc.so.6:", "--", "/bin/true"],
                            ["-p", str(unused_pid()), ""]],
        "bad-option": [["--bogus", "main", "--", "/bin/true"], ["-f", "xml", "main", "--", "/bin/true"],
                       ["-s", "abc", "main", "--", "/bin/true"], ["-n", "x", "main", "--", "/bin/true"],
                       [], ["main"]],
    }[what]
    for k, args in enumerate(cases):
        p = Proc(ctx, s.latch_cmd(*args), "latch%d" % k)
        p.wait()
        check(p.rc == 2, "latch %s exited %s, expected 2; stderr: %s"
              % (" ".join(shq(a) for a in args), p.rc, short(p.err())))
        check(p.err().strip(), "latch %s: no message on stderr" % " ".join(shq(a) for a in args))


def t_help_version(s, ctx):
    p = Proc(ctx, s.latch_cmd("-h"), "help")
    p.wait()
    check(p.rc == 0, "latch -h exited %s" % p.rc)
    check("usage" in (p.out() + p.err()).lower() and "-p" in p.out() + p.err(), "latch -h printed no usage")
    p = Proc(ctx, s.latch_cmd("-V"), "version")
    p.wait()
    check(p.rc == 0, "latch -V exited %s" % p.rc)
    check(re.search(r"\d+\.\d+", p.out() + p.err()), "latch -V printed no version: %s" % short(p.out()))


# ------------------------------------------------------------------- main

def prebuilt_missing(tdir):
    """What tests/targets/build.sh's MANIFEST in tdir names and tdir lacks
    (the MANIFEST itself when there is none: the build did not finish)."""
    try:
        with open(os.path.join(tdir, "MANIFEST")) as f:
            names = f.read().split()
    except OSError:
        return [os.path.join(tdir, "MANIFEST")]
    return [os.path.join(tdir, n) for n in names if not os.path.exists(os.path.join(tdir, n))]


def main():
    if len(sys.argv) < 2:
        print("usage: e2e.py LATCH_BINARY [SUBSTRING...]", file=sys.stderr)
        return 2
    # (LATCH_E2E_FILTER: the same substrings, for `make e2e`)
    s = Suite(sys.argv[1], sys.argv[2:] or os.environ.get("LATCH_E2E_FILTER", "").split())
    if not os.access(s.latch, os.X_OK):
        print("FAIL setup: %s is not an executable" % s.latch)
        print("e2e: 0 passed, 1 failed")
        return 1
    if os.environ.get("LATCH_E2E_PREBUILT") == "1":
        missing = prebuilt_missing(s.tdir)
        if missing:
            print("FAIL prebuilt-targets: LATCH_E2E_PREBUILT=1 but missing: %s" % " ".join(missing))
            print("e2e: 0 passed, 1 failed")
            return 1
    else:
        b = subprocess.run(["sh", os.path.join(ROOT, "tests", "targets", "build.sh"), s.tdir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if b.returncode != 0:
            print("FAIL build-targets: %s" % short(b.stdout.decode(errors="replace"), 2000))
            print("e2e: 0 passed, 1 failed")
            return 1
    t0 = time.monotonic()
    R = s.run
    for opt in OPTS:
        R("args-json-launch-" + opt, lambda c, o=opt: t_args_json(s, c, o, "launch"))
        R("args-json-attach-" + opt, lambda c, o=opt: t_args_json(s, c, o, "attach"))
        R("args-options-" + opt, lambda c, o=opt: t_args_options(s, c, o))
        R("args-text-" + opt, lambda c, o=opt: t_args_text(s, c, o))
        R("list-launch-" + opt, lambda c, o=opt: t_list_launch(s, c, o))
        R("list-attach-" + opt, lambda c, o=opt: t_list_attach(s, c, o))
        R("recurse-launch-" + opt, lambda c, o=opt: t_recurse(s, c, o, "launch"))
        R("recurse-attach-" + opt, lambda c, o=opt: t_recurse(s, c, o, "attach"))
        R("longjmp-launch-" + opt, lambda c, o=opt: t_longjmp(s, c, o))
        R("signal-handler-launch-" + opt, lambda c, o=opt: t_signal_handler(s, c, o, "launch"))
        R("signal-handler-attach-" + opt, lambda c, o=opt: t_signal_handler(s, c, o, "attach"))
        R("sigstop-child-launch-" + opt, lambda c, o=opt: t_signal_stop(s, c, o))
        R("sigstop-test-attach-" + opt, lambda c, o=opt: t_sigstop_test(s, c, o))
        R("exit-signal-launch-" + opt, lambda c, o=opt: t_exit_signal(s, c, o))
        R("nodwarf-launch-" + opt, lambda c, o=opt: t_nodwarf(s, c, o))
        R("no-symbols-" + opt, lambda c, o=opt: t_no_symbols(s, c, o))
        R("detach-n5-launch-" + opt, lambda c, o=opt: t_detach_n(s, c, o, "launch"))
        R("detach-n5-attach-" + opt, lambda c, o=opt: t_detach_n(s, c, o, "attach"))
        R("detach-sigint-attach-" + opt, lambda c, o=opt: t_detach_sigint(s, c, o, "attach"))
        R("detach-sigint-launch-" + opt, lambda c, o=opt: t_detach_sigint(s, c, o, "launch"))
        R("detach-head3-launch-" + opt, lambda c, o=opt: t_detach_head(s, c, o))
        R("detach-duration-attach-" + opt, lambda c, o=opt: t_detach_duration(s, c, o))
        R("threads-launch-" + opt + ("-late" if opt == "O2" else ""),
          lambda c, o=opt: t_threads(s, c, o, "launch", o == "O2"))
    R("threads-attach-O0-late", lambda c: t_threads(s, c, "O0", "attach", True))
    R("clones-launch-O2", lambda c: t_clones(s, c))
    R("max-probes", lambda c: t_max_probes(s, c))
    R("bad-pid", lambda c: t_bad_pid(s, c))
    R("already-traced", lambda c: t_already_traced(s, c))
    R("not-permitted", lambda c: t_not_permitted(s, c))
    R("no-match-launch", lambda c: t_no_match(s, c, "launch"))
    R("no-match-attach", lambda c: t_no_match(s, c, "attach"))
    R("malformed-probe", lambda c: t_usage(s, c, "malformed-probe"))
    R("bad-option", lambda c: t_usage(s, c, "bad-option"))
    R("help-version", lambda c: t_help_version(s, c))
    import values
    values.register(s, R)
    import debuginfo
    debuginfo.register(s, R)
    import conds
    conds.register(s, R)
    import summary
    summary.register(s, R)
    import stack
    stack.register(s, R)
    import otlp
    otlp.register(s, R)
    import pictures
    pictures.register(s, R)
    import follow
    follow.register(s, R)
    import roots
    roots.register(s, R)
    import faults
    faults.register(s, R)
    import untrusted
    untrusted.register(s, R)
    import firsts
    firsts.register(s, R)
    print("  # total %.1f s" % (time.monotonic() - t0))
    print("e2e: %d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
