"""End-to-end tests of processes that change under the tracer (issue 7):
dlopen/dlclose, -F/--follow-forks, exec, C++ exceptions and
pthread_cancel.  Registered by e2e.py.

Targets (tests/targets/, see each file's header):
  plughost + libplug_a.so, libplug_b.so   dlopen, call, dlclose, twice;
                                           both plugins' run() at one address
  forks                 3 fork children, 1 vfork child that execs forks again
  execer -> exec_b      one traced call, exec, traced calls in the new program
  throws                a C++ exception through th_f1 -> th_f2 -> th_f3
  cancel                a thread cancelled inside worker -> inner

Each test compares latch's JSON records (or text lines) with what the
target printed about its own calls, pids and statuses.  The process records
("fork", "exec", "exit") and the -F text prefix are those of the interface
the lead described in /tmp/notes/helper_common.md; see
/tmp/notes/follow_tests.md for the expectations test by test.

Only the standard library modules e2e.py already uses are imported (the
arm64 guest has a minimal Python).
"""

import json
import os
import re
import sys
import time
from collections import Counter

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

CALL_TYPES = ("call", "return", "unwind")
PROC_TYPES = ("fork", "exec", "exit")
N_PLUG = 3                      # plughost's N: calls of each plugin's run()
SLEEP_MS = 300                  # throws/cancel: the sleep after the catch / join


def check(cond, msg):
    E.check(cond, msg)


def short(s, n=400):
    return E.short(s, n)


# ------------------------------------------------------------------ records

def proc_schema(ev, n, t0, t1):
    """A "fork", "exec" or "exit" record, as in the interface notes."""
    t = ev["type"]
    problems = []
    for k in ("ts", "pid", "tid"):
        if not E.isint(ev.get(k)):
            problems.append("%r is not an integer" % k)
    if t == "fork" and not E.isint(ev.get("ppid")):
        problems.append("no integer ppid")
    if t == "exec":
        if not (isinstance(ev.get("exe"), str) and ev["exe"].startswith("/")):
            problems.append("exe is not an absolute path")
        if not isinstance(ev.get("command_line"), str):
            problems.append("command_line is not a string")
    if t == "exit":
        st, sig = ev.get("status"), ev.get("signal")
        if not ((E.isint(st) and sig is None) or
                (st is None and isinstance(sig, str) and sig.startswith("SIG"))):
            problems.append("not exactly one of an integer status and a signal name")
    if t0 is not None and E.isint(ev.get("ts")) and not (t0 - 5e9 <= ev["ts"] <= t1 + 5e9):
        problems.append("ts %d is not ns since the epoch during the run" % ev["ts"])
    if problems:
        raise E.TestFail("trace line %d (%s): %s" % (n, short(json.dumps(ev), 300), "; ".join(problems)))


def load(path, t0=None, t1=None):
    """All records of a JSON trace, in file order, each checked against its
    type's schema (e2e.py's for calls, proc_schema for the others)."""
    check(os.path.exists(path), "no trace file %s" % path)
    evs = []
    for n, raw in enumerate(E.readtext(path).split("\n"), 1):
        if not raw.strip():
            continue
        try:
            ev = json.loads(raw)
        except ValueError as e:
            raise E.TestFail("trace line %d is not JSON (%s): %s" % (n, e, short(raw, 200)))
        check(isinstance(ev, dict), "trace line %d is not an object" % n)
        if ev.get("type") in PROC_TYPES:
            proc_schema(ev, n, t0, t1)
        else:
            E.schema(ev, n, None, None, t0, t1)
        evs.append(ev)
    return evs


def calls_only(evs):
    return [e for e in evs if e["type"] in CALL_TYPES]


def of_type(evs, t):
    return [e for e in evs if e["type"] == t]


def fmt(evs, n=40):
    out = []
    for ev in evs[:n]:
        if ev["type"] in CALL_TYPES:
            s = "%s %s d%d pid %d" % (ev["type"], ev["func"], ev["depth"], ev["pid"])
            if ev["type"] == "call":
                s += " " + json.dumps(ev["args"])
            elif "ret" in ev:
                s += " ret=" + json.dumps(ev["ret"])
        else:
            s = json.dumps({k: v for k, v in ev.items() if k != "ts"})
        out.append(s)
    return "; ".join(out) + (" ..." if len(evs) > n else "")


def call_pairs(evs, func):
    """[(arg dict, ret)] of func's calls and their returns, in order; fails
    on an unwind or an unmatched record."""
    mine = [e for e in evs if e["type"] in CALL_TYPES and e["func"] == func]
    out, open_ = [], None
    for e in mine:
        if e["type"] == "call":
            check(open_ is None, "%s called again before its return: %s" % (func, fmt(mine)))
            open_ = e
        else:
            check(e["type"] == "return" and open_ is not None,
                  "%s: unexpected %s: %s" % (func, e["type"], fmt(mine)))
            out.append((open_["args"], e.get("ret")))
            open_ = None
    check(open_ is None, "%s: a call without its return: %s" % (func, fmt(mine)))
    return out


def note_pids(ctx, pids):
    for p in pids:
        ctx.note_target(p)


def attach(s, ctx, argv, latch_args, timeout=None):
    """Like Suite.attach, but if latch fails before the target ends (an
    option it does not know, a probe it refuses), the target is killed at
    once rather than waited for until its own timeout."""
    timeout = timeout or E.TIMEOUT
    t = s.start_target(ctx, argv)
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, *latch_args), "latch")
    end = time.monotonic() + timeout
    while t.poll() is None and time.monotonic() < end:
        if lp.poll() not in (None, 0):
            t.kill()
            raise E.TestFail("latch exited %s while the target was running; stderr: %s"
                             % (lp.poll(), short(lp.err())))
        time.sleep(0.01)
    t.wait(timeout)
    lp.wait(timeout)
    lp.t0, lp.t1, lp.target_pid = t.t0, time.time_ns(), t.pid
    return lp, t


def run(s, ctx, mode, argv, latch_args, want_rc=0):
    """latch LATCH_ARGS on argv (launch or attach); returns (latch Proc,
    the target's output).  The target (and latch) must exit want_rc / 0."""
    if mode == "launch":
        lp = s.launch(ctx, latch_args, argv)
        check(lp.rc == want_rc, "latch exited %s, expected %d (the command's status); stderr: %s"
              % (lp.rc, want_rc, short(lp.err())))
        return lp, lp.out()
    lp, t = attach(s, ctx, argv, latch_args)
    check(t.rc == want_rc, "target exited %s, expected %d; its output: %s; latch stderr: %s"
          % (t.rc, want_rc, short(t.out()), short(lp.err())))
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    return lp, t.out()


def strip_times(text):
    """The target's output without its pid line and its "time ..." lines."""
    return re.sub(r"^time .*\n", "", E.drop_pid(text), flags=re.M)


# ------------------------------------------------------------- plugins

def plug_expect(x, i):
    k = {"a": 1, "b": 2}[x]
    return i * (2 * k + 1) + k


def plug_output(out):
    """plughost's account: {x: {"ctor": R, "addr": A, "calls": [(i, r)],
    "code": ok|modified}}, after checking it is complete and right."""
    check(re.search(r"^bad 0$", out, re.M), "plughost did not end with 'bad 0':\n%s" % short(out, 2000))
    got = {}
    for x in "ab":
        fn = "plug_%s_run" % x
        ctor = re.search(r"^ctor %s i=-1 -> (-?\d+)$" % fn, out, re.M)
        addr = re.search(r"^addr %s 0x([0-9a-f]+) base 0x[0-9a-f]+ file (\S+) sym (\S+)$" % x, out, re.M)
        code = re.search(r"^code %s (ok|modified)$" % x, out, re.M)
        calls = [(int(i), int(r)) for i, r in re.findall(r"^call %s i=(-?\d+) -> (-?\d+)$" % fn, out, re.M)]
        check(ctor and addr and code and re.search(r"^closed %s$" % x, out, re.M),
              "plughost's output lacks lines for plugin %s:\n%s" % (x, short(out, 2000)))
        check(addr.group(3) == fn, "dladdr names %s, expected %s" % (addr.group(3), fn))
        want = [(i, plug_expect(x, i)) for i in range(N_PLUG)]
        check(int(ctor.group(1)) == plug_expect(x, -1) and calls == want,
              "plughost's calls of %s: ctor %s, %s; expected %d, %s"
              % (fn, ctor.group(1), calls, plug_expect(x, -1), want))
        got[x] = {"ctor": int(ctor.group(1)), "addr": int(addr.group(1), 16),
                  "file": addr.group(2), "code": code.group(1)}
    return got


def plug_run(s, ctx, opt, mode, probes):
    exe = s.bin(opt, "plughost")
    trace = ctx.path("trace.json")
    argv = [exe] + (["-w"] if mode == "attach" else []) + \
        [s.bin(opt, "libplug_a.so"), s.bin(opt, "libplug_b.so"), N_PLUG]
    lp, out = run(s, ctx, mode, argv, ["-f", "json", "-o", trace] + probes)
    host = plug_output(out)
    return lp, host, trace


def check_waiting(lp, probe):
    lib = probe.split(":", 1)[0]
    note = "latch: probe '%s': no module matches '%s' yet; waiting for it to be loaded, or run by exec (loaded: " % (probe, lib)
    lines = [l for l in lp.err().splitlines() if l.startswith(note)]
    check(len(lines) == 1 and "libc.so" in lines[0],
          "no note %r...(loaded: ...libc...) on stderr: %s" % (note, short(lp.err())))


def check_plugin_events(evs, x, host, pid, s, opt):
    """plug_x_run's calls (the constructor's first) with their arguments,
    returns and module, on the target's one thread."""
    fn = "plug_%s_run" % x
    mine = [e for e in evs if e["type"] in CALL_TYPES and e["func"] == fn]
    check(mine, "no events for %s (the plugin was loaded after latch started): %s" % (fn, fmt(evs)))
    name = "libplug_%s.so" % x
    for e in mine:
        check(e["module"].endswith("/" + name), "%s's event has module %r, expected .../%s"
              % (fn, e["module"], name))
        check(e["pid"] == pid and e["tid"] == pid and e["depth"] == 0,
              "%s's event on pid %d tid %d depth %d, expected pid = tid = %d, depth 0"
              % (fn, e["pid"], e["tid"], e["depth"], pid))
    check(os.path.realpath(mine[0]["module"]) == os.path.realpath(s.bin(opt, name)),
          "module %r is not %s" % (mine[0]["module"], s.bin(opt, name)))
    got = [(a.get("i"), r) for a, r in call_pairs(evs, fn)]
    want = [(-1, host[x]["ctor"])] + [(i, plug_expect(x, i)) for i in range(N_PLUG)]
    check(got == want, "%s (i, ret), the constructor's call first:\n  got      %s\n  expected %s"
          % (fn, got, want))
    return len(want)


def check_same_address(host):
    a, b = host["a"]["addr"], host["b"]["addr"]
    check(a == b, "layout assumption broke: plug_a_run was at 0x%x, plug_b_run at 0x%x after the "
          "dlclose (the test needs B loaded where A was; see tests/targets/plug.c)" % (a, b))


def t_dlopen(s, ctx, opt, mode):
    """A probe on a plugin that is not loaded yet: latch waits for it and
    traces every call of it, constructor included; the other plugin,
    loaded later at the same address, is left alone."""
    probe = "libplug_a.so:plug_*"
    lp, host, trace = plug_run(s, ctx, opt, mode, [probe])
    check_waiting(lp, probe)
    evs = load(trace, lp.t0, lp.t1)
    n = check_plugin_events(evs, "a", host, lp.target_pid, s, opt)
    others = [e for e in evs if e["type"] in CALL_TYPES and e["func"] != "plug_a_run"]
    check(not others, "events for functions other than plug_a_run: %s" % fmt(others))
    E.check_stats(lp.err(), n, n, 0)


# the line of plug_NAME_run's body in plug.c (keep in step with it)
PLUG_BODY_LINE = 20


def t_dlopen_site(s, ctx, opt):
    """A line probe in a plugin not loaded yet: latch waits for it, and
    every call of plug_a_run, the constructor's first, hits it once with
    the call's argument; libplug_b.so, built from the same source and
    loaded later where libplug_a.so was, is left alone."""
    site = "libplug_a.so:plug.c:%d" % PLUG_BODY_LINE
    lp, host, trace = plug_run(s, ctx, opt, "launch", [site, "libplug_a.so:plug_*"])
    check_waiting(lp, site)
    evs = load(trace, lp.t0, lp.t1)
    calls = [e["args"]["i"] for e in evs if e["type"] == "call"]
    hits = [e for e in evs if e["type"] == "hit"]
    check(calls and [h["args"].get("i") for h in hits] == calls,
          "hits %s, for calls of i %s" % (fmt(hits), calls))
    for h in hits:
        check(h["func"] == "plug_a_run" and h["module"].endswith("/libplug_a.so") and
              h["line"] == PLUG_BODY_LINE and h["where"] == "plug.c:%d" % PLUG_BODY_LINE,
              "a hit elsewhere: %s" % fmt([h]))
    if opt == "O0":
        check(all(h["depth"] == 1 for h in hits), "hits not inside the calls: %s" % fmt(hits))


def t_dlclose_reuse(s, ctx, opt, mode, both):
    """dlclose(A), then dlopen(B) at A's address.  Probing A only: B runs
    right, its code holds no trap, and it makes no events.  Probing both:
    each plugin's calls with its own module."""
    probe = "libplug_*:plug_*" if both else "libplug_a.so:plug_*"
    lp, host, trace = plug_run(s, ctx, opt, mode, [probe])
    check_same_address(host)
    if not both:
        check(host["b"]["code"] == "ok", "plugin B's code in memory differs from its file while "
              "traced with a probe on A only (a stale trap from A at the reused address?)")
    check_waiting(lp, probe)
    evs = load(trace, lp.t0, lp.t1)
    n = check_plugin_events(evs, "a", host, lp.target_pid, s, opt)
    bs = [e for e in evs if e["type"] in CALL_TYPES and e["func"] == "plug_b_run"]
    if both:
        n += check_plugin_events(evs, "b", host, lp.target_pid, s, opt)
        # every A event comes before every B event: A was closed first
        last_a = max(i for i, e in enumerate(evs) if e.get("func") == "plug_a_run")
        first_b = min(i for i, e in enumerate(evs) if e.get("func") == "plug_b_run")
        check(last_a < first_b, "plug_a_run events after plug_b_run's: %s" % fmt(calls_only(evs)))
    else:
        check(not bs, "plug_b_run (not probed) has events: %s" % fmt(bs))
    others = [e for e in evs if e["type"] in CALL_TYPES and e["func"] not in ("plug_a_run", "plug_b_run")]
    check(not others, "events for other functions: %s" % fmt(others))
    E.check_stats(lp.err(), n, n, 0)


# ------------------------------------------------------------- fork, exec

FORK_PROBES = [":handle", ":*_work"]
CHILD_STATUS = {0: 10, 1: 11, 2: 12, 3: 7}      # forks.c: k = 3 is the vfork child


def forks_output(out, parent):
    """forks' account, checked: {"children": {k: pid}, "work": {k: [(x, r)]},
    "exec": [(x, r)]}."""
    check(re.search(r"^bad 0$", out, re.M), "forks did not end with 'bad 0':\n%s" % short(out, 3000))
    handle = [(int(i), int(r)) for i, r in re.findall(r"^parent call handle i=(\d+) -> (\d+)$", out, re.M)]
    want = [(i, 2 * i + 1) for i in (0, 1, 2, 100)]
    check(handle == want, "forks printed handle calls %s, expected %s" % (handle, want))
    children = {}
    for k, pid, st in re.findall(r"^child (\d) pid (\d+) status (.*)$", out, re.M):
        children[int(k)] = int(pid)
        check(st == str(CHILD_STATUS[int(k)]), "child %s (pid %s) ended with status %s, expected %d"
              % (k, pid, st, CHILD_STATUS[int(k)]))
    check(sorted(children) == [0, 1, 2, 3], "forks reported children %s:\n%s" % (sorted(children), short(out, 3000)))
    check(parent not in children.values() and len(set(children.values())) == 4,
          "odd child pids %s (parent %d)" % (children, parent))
    work = {}
    for k in range(3):
        lines = re.findall(r"^child %d pid (\d+) call child_work x=(\d+) -> (\d+)$" % k, out, re.M)
        check(all(int(p) == children[k] for p, _, _ in lines), "child %d printed another pid" % k)
        work[k] = [(int(x), int(r)) for _, x, r in lines]
        want = [(10 * k + j, (10 * k + j) ** 2 + 1) for j in range(2 + k)]
        check(work[k] == want, "child %d printed child_work calls %s, expected %s" % (k, work[k], want))
    lines = re.findall(r"^exec-child pid (\d+) call exec_work x=(\d+) -> (\d+)$", out, re.M)
    check(all(int(p) == children[3] for p, _, _ in lines), "the exec'd child printed another pid")
    ex = [(int(x), int(r)) for _, x, r in lines]
    check(ex == [(0, 1000), (1, 1001)], "the exec'd child printed exec_work calls %s" % ex)
    return {"children": children, "work": work, "exec": ex}


def forks_run(s, ctx, opt, mode, follow, fmt_="json"):
    exe = s.bin(opt, "forks")
    trace = ctx.path("trace." + fmt_ + ".out")
    argv = [exe] + (["-w"] if mode == "attach" else [])
    largs = (["-F"] if follow else []) + ["-f", fmt_, "-o", trace] + FORK_PROBES
    lp, out = run(s, ctx, mode, argv, largs)
    pid = lp.target_pid
    check(pid, "no pid line from forks: %s" % short(out))
    acc = forks_output(out, pid)
    note_pids(ctx, acc["children"].values())
    return lp, acc, trace


def check_parent_handle(evs, pid):
    mine = [e for e in evs if e["type"] in CALL_TYPES and e["pid"] == pid]
    check(all(e["func"] == "handle" and e["tid"] == pid and e["depth"] == 0 for e in mine),
          "the parent's events are not all handle at depth 0 on its one thread: %s" % fmt(mine))
    got = [(a.get("i"), r) for a, r in call_pairs(mine, "handle")]
    want = [(i, 2 * i + 1) for i in (0, 1, 2, 100)]
    check(got == want, "the parent's handle calls (i, ret): got %s, expected %s" % (got, want))


def check_child_calls(evs, cpid, func, want, who):
    mine = [e for e in evs if e["type"] in CALL_TYPES and e["pid"] == cpid]
    check(all(e["func"] == func and e["tid"] == cpid and e["depth"] == 0 for e in mine),
          "%s (pid %d): events other than %s at depth 0 on its one thread: %s" % (who, cpid, func, fmt(mine)))
    got = [(a.get("x"), r) for a, r in call_pairs(mine, func)]
    check(got == want, "%s (pid %d): %s calls (x, ret): got %s, expected %s (%s)"
          % (who, cpid, func, got, want, "exact counts per pid" if got else "no events from it"))


def check_exit(evs, pid, status, who):
    ex = [(i, e) for i, e in enumerate(evs) if e["type"] == "exit" and e["pid"] == pid]
    check(len(ex) == 1, "%s (pid %d): %d exit records, expected 1: %s"
          % (who, pid, len(ex), fmt([e for _, e in ex] or of_type(evs, "exit"))))
    i, e = ex[0]
    check(e.get("status") == status and "signal" not in e and e["tid"] == pid,
          "%s (pid %d): exit record %s, expected status %d" % (who, pid, json.dumps(e), status))
    later = [x for x in evs[i + 1:] if x["pid"] == pid]
    check(not later, "%s (pid %d): records after its exit record: %s" % (who, pid, fmt(later)))


def t_fork_follow(s, ctx, opt, mode):
    """-F: the parent's and each fork child's calls, exactly, under their
    own pids; a fork record per child (vfork too) with the parent's pid as
    ppid, before the child's events; an exit record per process with its
    status, after its events."""
    lp, acc, trace = forks_run(s, ctx, opt, mode, True)
    pid, kids = lp.target_pid, acc["children"]
    evs = load(trace, lp.t0, lp.t1)
    check_parent_handle(evs, pid)
    for k in range(3):
        check_child_calls(evs, kids[k], "child_work", acc["work"][k], "fork child %d" % k)
    known = {pid} | set(kids.values())
    strays = [e for e in evs if e["pid"] not in known]
    check(not strays, "records from pids that are neither the parent %d nor its children %s: %s"
          % (pid, sorted(kids.values()), fmt(strays)))
    forks = of_type(evs, "fork")
    got = sorted((e["pid"], e["tid"], e["ppid"]) for e in forks)
    want = sorted((c, c, pid) for c in kids.values())
    check(got == want, "fork records (pid, tid, ppid): got %s, expected %s" % (got, want))
    for c in kids.values():
        i_fork = [i for i, e in enumerate(evs) if e["type"] == "fork" and e["pid"] == c][0]
        before = [e for e in evs[:i_fork] if e["pid"] == c]
        check(not before, "records of child %d before its fork record: %s" % (c, fmt(before)))
    for k, c in kids.items():
        check_exit(evs, c, CHILD_STATUS[k], "child %d" % k)
    check_exit(evs, pid, 0, "the parent")
    n = 4 + sum(len(w) for w in acc["work"].values()) + len(acc["exec"])
    E.check_stats(lp.err(), n, n, 0)


def t_exec_child_follow(s, ctx, opt, mode):
    """-F: the vfork child that execs forks again: its fork record, an exec
    record (exe = forks, command line "... exec-child"), then exec_work's 2
    calls under its pid, then its exit with 7."""
    lp, acc, trace = forks_run(s, ctx, opt, mode, True)
    c = acc["children"][3]
    evs = load(trace, lp.t0, lp.t1)
    mine = [(i, e) for i, e in enumerate(evs) if e["pid"] == c]
    check(mine, "no records at all from the vfork child (pid %d)" % c)
    check(mine[0][1]["type"] == "fork" and mine[0][1]["ppid"] == lp.target_pid,
          "the vfork child's first record is not its fork record: %s" % fmt([e for _, e in mine]))
    execs = [(i, e) for i, e in mine if e["type"] == "exec"]
    check(len(execs) == 1, "%d exec records for the vfork child (pid %d), expected 1: %s"
          % (len(execs), c, fmt([e for _, e in mine])))
    i_exec, ex = execs[0]
    exe = os.path.realpath(s.bin(opt, "forks"))
    check(ex["exe"] == exe and ex["tid"] == c, "exec record %s, expected exe %s" % (json.dumps(ex), exe))
    cl = ex["command_line"].split()
    check(len(cl) == 2 and os.path.basename(cl[0]) == "forks" and cl[1] == "exec-child",
          "exec record's command_line %r, expected 'forks exec-child' (argv[0] %s)" % (ex["command_line"], exe))
    before = [e for i, e in mine if i < i_exec and e["type"] in CALL_TYPES]
    check(not before, "calls from the vfork child before its exec: %s" % fmt(before))
    check_child_calls(evs, c, "exec_work", acc["exec"], "the exec'd vfork child")
    check(all(e["module"] == exe for _, e in mine if e["type"] in CALL_TYPES), "exec_work's module is not %s" % exe)
    check_exit(evs, c, CHILD_STATUS[3], "the exec'd vfork child")


def t_fork_nofollow(s, ctx, opt, mode):
    """Without -F: the children run as untraced (the parent's traps are
    gone from their copies), with their statuses and output complete, and
    make no records at all; the parent's calls are exact."""
    lp, acc, trace = forks_run(s, ctx, opt, mode, False)
    pid = lp.target_pid
    evs = load(trace, lp.t0, lp.t1)
    strays = [e for e in evs if e["pid"] != pid]
    check(not strays, "records from other pids than the parent %d (children %s): %s"
          % (pid, sorted(acc["children"].values()), fmt(strays)))
    check(not of_type(evs, "fork") and not of_type(evs, "exec"),
          "fork/exec records without -F: %s" % fmt(of_type(evs, "fork") + of_type(evs, "exec")))
    for e in of_type(evs, "exit"):
        check(e.get("status") == 0, "the parent's exit record: %s" % json.dumps(e))
    check_parent_handle(evs, pid)
    E.check_stats(lp.err(), 4, 4, 0)


EXEC_N = 3      # exec_b's calls


def t_exec(s, ctx, opt, mode):
    """The traced process execs exec_b: before_exec's call in execer, an
    exec record (exe = exec_b, same pid), then after_exec's EXEC_N calls in
    exec_b, all on one pid."""
    exe_a, exe_b = s.bin(opt, "execer"), s.bin(opt, "exec_b")
    trace = ctx.path("trace.json")
    argv = [exe_a] + (["-w"] if mode == "attach" else []) + [exe_b, EXEC_N]
    lp, out = run(s, ctx, mode, argv, ["-f", "json", "-o", trace, ":*_exec"])
    pid = lp.target_pid
    want_after = [(y, 4 * y + 1) for y in range(EXEC_N)]
    printed = [(int(y), int(r)) for y, r in re.findall(r"^call after_exec y=(\d+) -> (\d+)$", out, re.M)]
    check("call before_exec x=5 -> 15\n" in out and ("b pid %d\n" % pid) in out and printed == want_after,
          "the target's output is not execer's then exec_b's, same pid:\n%s" % short(out))
    evs = load(trace, lp.t0, lp.t1)
    check(all(e["pid"] == pid and e["tid"] == pid for e in evs),
          "records from another pid/tid than %d: %s" % (pid, fmt([e for e in evs if e["pid"] != pid])))
    got = [(a.get("x"), r) for a, r in call_pairs(evs, "before_exec")]
    check(got == [(5, 15)], "before_exec calls (x, ret): %s, expected [(5, 15)]" % got)
    got = [(a.get("y"), r) for a, r in call_pairs(evs, "after_exec")]
    check(got == want_after, "after_exec calls in the exec'd program (y, ret): got %s, expected %s"
          % (got, want_after))
    real_a, real_b = os.path.realpath(exe_a), os.path.realpath(exe_b)
    for e in calls_only(evs):
        want = real_a if e["func"] == "before_exec" else real_b
        check(e["module"] == want, "%s's module %s, expected %s" % (e["func"], e["module"], want))
    execs = [(i, e) for i, e in enumerate(evs) if e["type"] == "exec"]
    check(len(execs) == 1, "%d exec records, expected 1: %s" % (len(execs), fmt(evs)))
    i_exec, ex = execs[0]
    check(ex["exe"] == real_b, "exec record's exe %r, expected %s" % (ex["exe"], real_b))
    cl = ex["command_line"].split()
    check(len(cl) == 2 and os.path.basename(cl[0]) == "exec_b" and cl[1] == str(EXEC_N),
          "exec record's command_line %r, expected '%s %d'" % (ex["command_line"], exe_b, EXEC_N))
    kinds = [(e["type"], e.get("func")) for e in evs if e["type"] != "exit"]
    want = [("call", "before_exec"), ("return", "before_exec"), ("exec", None)] + \
        [("call", "after_exec"), ("return", "after_exec")] * EXEC_N
    check(kinds == want, "record order %s, expected %s" % (kinds, want))
    ex_recs = of_type(evs, "exit")
    check(not ex_recs or (len(ex_recs) == 1 and evs[-1] is ex_recs[0] and ex_recs[0].get("status") == 0),
          "exit record(s) %s: expected none or one last with status 0" % fmt(ex_recs))
    E.check_stats(lp.err(), 1 + EXEC_N, 1 + EXEC_N, 0)


def t_exec_text(s, ctx, opt):
    """Text: "[PID] +++ exec /abs/exec_b: CMD +++" between the two
    programs' calls (no -F: "[TID]" prefixes)."""
    exe_a, exe_b = s.bin(opt, "execer"), s.bin(opt, "exec_b")
    trace = ctx.path("trace.txt")
    lp = s.launch(ctx, ["-f", "text", "-o", trace, ":*_exec"], [exe_a, exe_b, EXEC_N])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, short(lp.err())))
    pid = lp.target_pid
    lines = E.readtext(trace).splitlines()
    body = []
    for line in lines:
        m = E.TEXT_RE.match(line)
        check(m, "text line does not start with 'HH:MM:SS.uuuuuu [TID] ': %r" % line)
        check(int(m.group(5)) == pid, "line with tid %s, expected %d: %r" % (m.group(5), pid, line))
        body.append(m.group(7))
    real_b = os.path.realpath(exe_b)
    rx = re.compile(r"^\+\+\+ exec %s: (.*) \+\+\+$" % re.escape(real_b))
    ex = [i for i, b in enumerate(body) if rx.match(b)]
    check(len(ex) == 1, "expected one '+++ exec %s: ... +++' line in:\n%s" % (real_b, short("\n".join(lines), 2000)))
    check(rx.match(body[ex[0]]).group(1).split()[1:] == [str(EXEC_N)],
          "the exec line's command is not '... %d': %r" % (EXEC_N, body[ex[0]]))
    befores = [i for i, b in enumerate(body) if b.startswith("before_exec(")]
    afters = [i for i, b in enumerate(body) if b.startswith("after_exec(")]
    check(len(befores) == 1 and len(afters) == EXEC_N and befores[0] < ex[0] < afters[0],
          "expected before_exec, the exec line, then %d after_exec lines:\n%s" % (EXEC_N, short("\n".join(lines), 2000)))


# ------------------------------------------------------------- text, -F

PF_RE = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} \[(\d+)/(\d+)\] ( *)(.*)$")


def t_follow_text(s, ctx, opt):
    """-F -f text: every line prefixed [PID/TID]; "+++ forked from P +++",
    "+++ exec ... +++" and "+++ exited with N +++" lines per child; each
    process's calls under its own pid."""
    lp, acc, trace = forks_run(s, ctx, opt, "launch", True, "text")
    pid, kids = lp.target_pid, acc["children"]
    text = E.readtext(trace)
    lines = text.splitlines()
    by_pid = {}
    for line in lines:
        m = PF_RE.match(line)
        check(m, "with -F, a text line does not start with 'HH:MM:SS.uuuuuu [PID/TID] ': %r" % line)
        p, t = int(m.group(1)), int(m.group(2))
        check(p == t, "[%d/%d]: the target's processes are single-threaded: %r" % (p, t, line))
        by_pid.setdefault(p, []).append(m.group(4))
    dump = short(text, 3000)
    check(set(by_pid) == {pid} | set(kids.values()),
          "lines from pids %s, expected the parent %d and children %s:\n%s"
          % (sorted(by_pid), pid, sorted(kids.values()), dump))

    def calls(body, func, argname):
        args = sorted(int(a) for a in re.findall(r"^%s\(%s=(\d+)\)" % (func, argname), "\n".join(body), re.M))
        rets = sorted(int(r) for r in re.findall(r"^(?:%s\(%s=\d+\)|(?:\.\.\.|\}) %s) = (\d+) " % (
            func, argname, func), "\n".join(body), re.M))
        return args, rets

    a, r = calls(by_pid[pid], "handle", "i")
    check(a == [0, 1, 2, 100] and r == [1, 3, 5, 201], "the parent's handle calls: args %s rets %s" % (a, r))
    for k, c in kids.items():
        body = by_pid[c]
        check(body[0] == "+++ forked from %d +++" % pid,
              "child %d's first line is %r, expected '+++ forked from %d +++'" % (k, body[0], pid))
        check(body[-1] == "+++ exited with %d +++" % CHILD_STATUS[k],
              "child %d's last line is %r, expected '+++ exited with %d +++'" % (k, body[-1], CHILD_STATUS[k]))
        if k < 3:
            a, r = calls(body, "child_work", "x")
            want = acc["work"][k]
            check(a == sorted(x for x, _ in want) and r == sorted(y for _, y in want),
                  "child %d's child_work lines: args %s rets %s, expected %s" % (k, a, r, want))
        else:
            exe = os.path.realpath(s.bin(opt, "forks"))
            ex = [b for b in body if b.startswith("+++ exec ")]
            check(ex and re.match(r"^\+\+\+ exec %s: \S*forks exec-child \+\+\+$" % re.escape(exe), ex[0]),
                  "the vfork child's exec line %r, expected '+++ exec %s: ... exec-child +++'"
                  % (ex[0] if ex else None, exe))
            a, r = calls(body, "exec_work", "x")
            check(a == [0, 1] and r == [1000, 1001], "the exec'd child's exec_work lines: args %s rets %s" % (a, r))
    check(by_pid[pid][-1] == "+++ exited with 0 +++",
          "the parent's last line is %r, expected '+++ exited with 0 +++'" % by_pid[pid][-1])


# ------------------------------------------------- exceptions, cancellation

def sleep_ms():
    return SLEEP_MS * E.SCALE


def times(out):
    return {k: int(v) for k, v in re.findall(r"^time (\S+) (\d+)$", out, re.M)}


def launch_like_untraced(s, ctx, opt, name, ms, probes):
    """Launch target name (argument ms) under latch -f json with probes;
    its output must be that of an untraced run. (latch, output, records)"""
    trace = ctx.path("trace.json")
    lp, out = run(s, ctx, "launch", [s.bin(opt, name), ms], ["-f", "json", "-o", trace] + probes)
    rc, base = s.untraced(ctx, opt, name, str(ms))
    check(rc == 0, "untraced %s exited %s" % (name, rc))
    check(strip_times(out) == strip_times(base), "target output differs from an untraced run:\n%s\n--- untraced:\n%s"
          % (short(strip_times(out)), short(strip_times(base))))
    return lp, out, load(trace, lp.t0, lp.t1)


def t_cxx_throw(s, ctx, opt):
    """An exception thrown by th_f3 through th_f2 (a cleanup) and th_f1,
    caught in main; then one caught in th_f1.  The frames end as unwinds,
    innermost first, at the catch: each well before the sleep that follows
    it ends; the program's output is as untraced."""
    ms = sleep_ms()
    lp, out, evs = launch_like_untraced(s, ctx, opt, "throws", ms, [":th_*"])
    tm = times(out)
    check(set(tm) == {"catch", "f1-catch"}, "throws printed times %s" % tm)
    pid = lp.target_pid
    check(all(e["pid"] == pid and e["tid"] == pid for e in evs), "records from another pid/tid than %d" % pid)
    cev = calls_only(evs)
    got = [(e["type"], e["func"], e["depth"], e["args"] if e["type"] == "call" else e.get("ret")) for e in cev]
    want = [("call", "th_f1", 0, {"x": 1, "catch_here": 0}), ("call", "th_f2", 1, {"x": 2}),
            ("call", "th_f3", 2, {"x": 3}),
            ("unwind", "th_f3", 2, None), ("unwind", "th_f2", 1, None), ("unwind", "th_f1", 0, None),
            ("call", "th_f1", 0, {"x": 10, "catch_here": 1}), ("call", "th_f2", 1, {"x": 11}),
            ("call", "th_f3", 2, {"x": 12}),
            ("unwind", "th_f3", 2, None), ("unwind", "th_f2", 1, None), ("return", "th_f1", 0, -1),
            ("call", "th_after", 0, {"x": 7}), ("return", "th_after", 0, 70)]
    check(got == want, "records (type, func, depth, args|ret):\n  got      %s\n  expected %s" % (got, want))
    E.check_nesting(cev)
    # the unwinds end at the catch: before the catch's sleep is half over
    half = ms * 1000000 // 2
    for idx, catch in ((range(3, 6), tm["catch"]), (range(9, 11), tm["f1-catch"])):
        for i in idx:
            u = cev[i]
            check(u["dur_ns"] < half and u["ts"] < catch + half,
                  "%s's unwind ended %.1f ms after the catch (dur %.1f ms; the program sleeps %d ms after "
                  "catching): it should end at the catch, not at the next traced event"
                  % (u["func"], (u["ts"] - catch) / 1e6, u["dur_ns"] / 1e6, ms))
    check(cev[12]["ts"] - cev[10]["ts"] >= half, "th_after is called less than %d ms after th_f2's unwind" % (ms // 2))
    E.check_stats(lp.err(), 7, 2, 5)


def t_thread_cancel(s, ctx, opt):
    """A thread cancelled while blocked in inner (called by worker): both
    frames end as unwinds, inner first, between the program's pthread_cancel
    and its pthread_join's return; after() afterwards returns normally."""
    ms = sleep_ms()
    lp, out, evs = launch_like_untraced(s, ctx, opt, "cancel", ms, [":inner", ":worker", ":after"])
    tm = times(out)
    check(set(tm) == {"cancel", "joined"}, "cancel printed times %s" % tm)
    pid = lp.target_pid
    cev = calls_only(evs)
    got = [(e["type"], e["func"], e["depth"], e["args"] if e["type"] == "call" else e.get("ret")) for e in cev]
    want = [("call", "worker", 0, {"x": 5}), ("call", "inner", 1, {"x": 6}),
            ("unwind", "inner", 1, None), ("unwind", "worker", 0, None),
            ("call", "after", 0, {"x": 4}), ("return", "after", 0, 8)]
    check(got == want, "records (type, func, depth, args|ret):\n  got      %s\n  expected %s" % (got, want))
    tid = cev[0]["tid"]
    check(tid != pid and all(e["tid"] == tid for e in cev[:4]) and cev[4]["tid"] == pid
          and all(e["pid"] == pid for e in cev),
          "threads: %s (pid %d)" % ([(e["func"], e["pid"], e["tid"]) for e in cev], pid))
    slack = 5000000 * E.SCALE
    for u in cev[2:4]:
        check(tm["cancel"] - slack <= u["ts"] <= tm["joined"] + slack,
              "%s's unwind at %+.3f ms from pthread_cancel; the join returned at %+.3f ms"
              % (u["func"], (u["ts"] - tm["cancel"]) / 1e6, (tm["joined"] - tm["cancel"]) / 1e6))
    E.check_stats(lp.err(), 3, 1, 2)


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in ("O0", "O2"):
        for mode in ("launch", "attach"):
            R("dlopen-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_dlopen(s, c, o, m))
        R("dlopen-site-launch-" + opt, lambda c, o=opt: t_dlopen_site(s, c, o))
        R("dlclose-reuse-only-a-launch-" + opt, lambda c, o=opt: t_dlclose_reuse(s, c, o, "launch", False))
        R("dlclose-reuse-both-launch-" + opt, lambda c, o=opt: t_dlclose_reuse(s, c, o, "launch", True))
        R("fork-follow-launch-" + opt, lambda c, o=opt: t_fork_follow(s, c, o, "launch"))
        R("fork-nofollow-launch-" + opt, lambda c, o=opt: t_fork_nofollow(s, c, o, "launch"))
        R("exec-launch-" + opt, lambda c, o=opt: t_exec(s, c, o, "launch"))
        R("exec-child-follow-launch-" + opt, lambda c, o=opt: t_exec_child_follow(s, c, o, "launch"))
        R("cxx-throw-launch-" + opt, lambda c, o=opt: t_cxx_throw(s, c, o))
        R("thread-cancel-launch-" + opt, lambda c, o=opt: t_thread_cancel(s, c, o))
    R("dlclose-reuse-only-a-attach-O2", lambda c: t_dlclose_reuse(s, c, "O2", "attach", False))
    R("dlclose-reuse-both-attach-O2", lambda c: t_dlclose_reuse(s, c, "O2", "attach", True))
    R("fork-follow-attach-O2", lambda c: t_fork_follow(s, c, "O2", "attach"))
    R("fork-nofollow-attach-O2", lambda c: t_fork_nofollow(s, c, "O2", "attach"))
    R("exec-attach-O2", lambda c: t_exec(s, c, "O2", "attach"))
    R("exec-text-O0", lambda c: t_exec_text(s, c, "O0"))
    R("follow-text-O0", lambda c: t_follow_text(s, c, "O0"))
