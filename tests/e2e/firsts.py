"""Issue 17: what an ltrace, strace or gdb user reaches for first.

strace's timestamp options, the line that says tracing has started, a
probe split by the shell, -d in launch mode, call_id in JSON records,
durations without latch's decoding, and several processes at once (-p A,B,
-p A -p B, --pidof).  Registered by e2e.py.
"""

import json
import os
import re
import shutil
import sys
import time

E = None


def check(cond, msg):
    if not cond:
        raise E.TestFail(msg)


def json_events(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


# ------------------------------------------------------------------ timestamps

CLOCK_RE = {
    "-t": r"\d\d:\d\d:\d\d ",
    "-tt": r"\d\d:\d\d:\d\d\.\d{6} ",
    "-ttt": r"(\d{10}\.\d{6}) ",
    "-r": r" {0,5}(\d+\.\d{6}) ",
    "-T": r"\d\d:\d\d:\d\d\.\d{6} ",
    "-tr": r"\d\d:\d\d:\d\d +(\d+\.\d{6}) ",
}


def t_timestamps(s, ctx, opt):
    """-t, -tt, -ttt, -r and -T as strace means them: the clock of day to
    the second, to the microsecond, seconds since the epoch, seconds since
    the previous line; -T the duration at the end (the default)."""
    exe = s.bin(opt, "firsts")
    for flag, pat in CLOCK_RE.items():
        out = ctx.path("ts%s.txt" % flag)
        before = time.time()
        lp = s.launch(ctx, [flag, "-q", "-o", out, ":scale"], [exe, "line"], name="ts" + flag)
        after = time.time()
        check(lp.rc == 0, "%s: latch exited %s: %s" % (flag, lp.rc, E.short(lp.err())))
        lines = E.readtext(out).splitlines()
        check(len(lines) == 3, "%s: %d lines, expected 3: %s" % (flag, len(lines), lines))
        full = re.compile(r"^" + pat + r"\[\d+\] scale\(k=(\d)\) = (\d+) <[\d.]+(ns|us|ms|s)>$")
        rel = []
        for k, line in enumerate(lines, 1):
            m = full.match(line)
            check(m, "%s: line %r does not start as strace's would" % (flag, line))
            check(m.groups()[-3:-1] == (str(k), str(k * 11)), "%s: line %r" % (flag, line))
            if flag == "-ttt":
                t = float(m.group(1))
                check(before - 1 <= t <= after + 1, "-ttt: %s is not the time of day "
                      "(%.0f..%.0f)" % (t, before, after))
            if flag in ("-r", "-tr"):
                rel.append(float(m.group(1)))
        if rel:
            check(rel[0] == 0.0, "%s: the first relative stamp is %s, not 0" % (flag, rel[0]))
            check(all(0 < r < after - before + 1 for r in rel[1:]),
                  "%s: relative stamps %s" % (flag, rel))
    p = E.Proc(ctx, s.latch_cmd("-tttt", ":scale", "--", exe, "line"), "t4")
    p.wait()
    check(p.rc == 2 and "-t" in p.err(), "-tttt: exit %s, %s" % (p.rc, E.short(p.err())))


# ------------------------------------------------------------------ messages

def t_start_line(s, ctx, opt):
    """"tracing N functions in PID P (T threads); Ctrl-C to stop", on
    stderr, in launch and attach mode; not with -q."""
    exe = s.bin(opt, "firsts")
    lp = s.launch(ctx, ["-c", ":scale", ":take"], [exe, "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    want = "latch: tracing 2 functions in process %d (1 thread); Ctrl-C to stop" % lp.target_pid
    check(want in lp.err().splitlines(), "launch: no line %r on stderr: %s" % (want, E.short(lp.err())))
    lp = s.launch(ctx, ["-q", "-c", ":scale"], [exe, "line"], name="quiet")
    check("tracing" not in lp.err(), "-q still says: %s" % E.short(lp.err()))
    # attach: the threads target has 5 threads while it waits for traps
    lp, t = s.attach(ctx, [s.bin(opt, "threads"), "-w"], ["-c", ":work"])
    check(lp.rc == 0, "attach: latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    m = re.search(r"^latch: tracing 1 function in process %d \((\d+) threads\); Ctrl-C to stop$"
                  % t.pid, lp.err(), re.M)
    check(m and int(m.group(1)) >= 1, "attach: no start line: %s" % E.short(lp.err()))


def t_unquoted(s, ctx):
    """latch -p P handle if r->len > 3: the shell split the probe."""
    for words, quoted in ((["handle", "if", "r->len", ">", "3"], "'handle if r->len > 3'"),
                          (["read_conf", "ret", "retval", "<", "0"], "'read_conf ret retval < 0'")):
        p = E.Proc(ctx, s.latch_cmd("-p", "1", *words), "unquoted")
        p.wait()
        lines = p.err().splitlines()
        check(p.rc == 2 and lines and "quote" in lines[0] and quoted in lines[0],
              "%s: exit %s, stderr %s" % (" ".join(words), p.rc, E.short(p.err())))


def t_duration_launch(s, ctx, opt):
    """-d in launch mode: latch says it detached and waits for the command."""
    exe = s.bin(opt, "loop")
    res = ctx.path("loop.out")
    lp = s.launch(ctx, ["-d", "0.3", "-o", os.devnull, "step"], [exe, "-r", res, "30000000"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    check(re.search(r"^latch: detached after -d 0\.3 s; waiting for the command, which runs "
                    r"on untraced, to exit$", lp.err(), re.M),
          "no line on -d detaching: %s" % E.short(lp.err()))
    check("bad 0" in E.readtext(res), "the command went wrong: %s" % E.short(E.readtext(res)))


def t_call_id(s, ctx, opt):
    """JSON call and return records carry call_id: slowest calls with
    their arguments is a jq join."""
    out = ctx.path("trace.json")
    lp = s.launch(ctx, ["-q", "-f", "json", "-o", out, ":scale", ":main"], [s.bin(opt, "firsts"), "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    evs = json_events(out)
    calls = {e["call_id"]: e for e in evs if e["type"] == "call"}
    rets = [e for e in evs if e["type"] == "return"]
    check(len(calls) == 4 and len(rets) == 4, "%d calls, %d returns: %s" % (len(calls), len(rets), evs))
    for r in rets:
        c = calls.get(r.get("call_id"))
        check(c and c["func"] == r["func"] and c["tid"] == r["tid"] and c["ts"] <= r["ts"],
              "return %s pairs with no call" % r)
    ks = sorted(calls[r["call_id"]]["args"]["k"] for r in rets if r["func"] == "scale")
    check(ks == [1, 2, 3], "scale's returns pair with calls of k %s" % ks)


def t_decode_time(s, ctx, opt):
    """A call's duration leaves out latch's decoding: take(s) with a 4 MiB
    string printed whole takes the program tens of milliseconds (it is
    stopped while latch reads and prints the string), its reported
    duration a small part of that."""
    out = ctx.path("big.json")
    lp = s.launch(ctx, ["-q", "-f", "json", "-s", "5000000", "-o", out, ":take"],
                  [s.bin(opt, "firsts"), "big"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    seen = [int(n) for n in re.findall(r"^take (\d+) 1$", lp.out(), re.M)]
    evs = json_events(out)
    durs = [e["dur_ns"] for e in evs if e["type"] == "return"]
    args = [e["args"]["s"] for e in evs if e["type"] == "call"]
    check(len(seen) == 3 and len(durs) == 3, "program saw %s, latch %s" % (seen, durs))
    check(all(len(a) == 4 << 20 for a in args), "the strings were not printed whole")
    for d, w in zip(durs, seen):
        check(d < w / 4, "reported %d ns for a call the program saw take %d ns: "
              "decoding is counted" % (d, w))


# ------------------------------------------------------------------ no DWARF

def t_declared(s, ctx, opt):
    """dc_add has no DWARF at its address but a prototype declared in its
    caller's unit: latch takes it from there, as ltrace would print
    getpid() with its prototype."""
    exe = s.bin(opt, "declared")
    p = E.Proc(ctx, s.latch_cmd("-l", "dc_add", "--", exe), "list")
    p.wait()
    check(p.rc == 0 and re.search(r"^int dc_add\(int arg1, int arg2\)  \[", p.out(), re.M),
          "-l: exit %s, %s" % (p.rc, E.short(p.out() + p.err())))
    out = ctx.path("trace.txt")
    lp = s.launch(ctx, ["-q", "-o", out, "dc_add"], [exe])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    got = re.findall(r"^\S+ \[\d+\] dc_add\(arg1=(\d+), arg2=(\d+)\) = (\d+) <", E.readtext(out), re.M)
    check(got == [("2", "3", "5"), ("40", "2", "42")], "calls %s: %s" % (got, E.short(E.readtext(out))))


# ------------------------------------------------------------------ exec

def after_exec_calls(evs, pid):
    return [e["args"]["y"] for e in evs if e["type"] == "call" and e["func"] == "after_exec"
            and e["pid"] == pid]


def t_exec_probe(s, ctx, opt, mode):
    """A function only the exec'd program has: 'exec_b:after_exec' names
    that program as LIB, waits for it, and traces it after the exec,
    beside 'before_exec' of the program that execs (which exec_b lacks)."""
    out = ctx.path("exec.json")
    probes = ["-f", "json", "-o", out, "before_exec", "exec_b:after_exec"]
    prog = [s.bin(opt, "exec_b"), "3"]
    if mode == "launch":
        lp = s.launch(ctx, probes, [s.bin(opt, "execer")] + prog)
        pid = lp.target_pid
    else:
        lp, t = s.attach(ctx, [s.bin(opt, "execer"), "-w"] + prog, probes)
        pid = t.pid
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    check("waiting for it to be loaded, or run by exec" in lp.err(),
          "no note that exec_b:after_exec waits: %s" % E.short(lp.err()))
    evs = json_events(out)
    before = [e for e in evs if e["type"] == "call" and e["func"] == "before_exec"]
    check(len(before) == 1, "%d calls of before_exec" % len(before))
    check(after_exec_calls(evs, pid) == [0, 1, 2], "after_exec calls %s after the exec, expected "
          "y = 0, 1, 2: %s" % (after_exec_calls(evs, pid), E.short(lp.err())))


def t_exec_probe_child(s, ctx, opt, follow):
    """sh forks a child that execs exec_b: with -F its after_exec calls
    are traced in the child; without, the child runs untraced."""
    out = ctx.path("exec.json")
    args = (["-F"] if follow else []) + ["-f", "json", "-o", out, "exec_b:after_exec"]
    lp = s.launch(ctx, args, ["sh", "-c", "%s 2; echo sh-done" % s.bin(opt, "exec_b")])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    check("sh-done" in lp.out(), "the shell did not finish: %s" % E.short(lp.out()))
    m = re.search(r"^b pid (\d+)$", lp.out(), re.M)
    check(m, "exec_b did not run: %s" % E.short(lp.out()))
    evs = json_events(out)
    got = after_exec_calls(evs, int(m.group(1)))
    check(got == ([0, 1] if follow else []), "%s: after_exec calls %s in the child" %
          ("-F" if follow else "without -F", got))


# ------------------------------------------------------------------ IFUNC

# Conditions that hold for the program's own 3 calls of each, on the
# raw registers as on DWARF's parameters (the arm64 guest has no libc
# DWARF): strlen returns 9, strcmp 0, strchr looks for '-' (45).
IFUNCS = (
    ("libc.so*:strlen ret retval == 9", "strlen", ("9", "0x9")),
    ("libc.so*:strcmp ret retval == 0", "strcmp", ("0", "0x0")),
    ("libc.so*:strchr if arg2 == 45", "strchr", None),
    ("libc.so*:memset if arg2 == 0 && arg3 == 32", "memset", None),
    ("libc.so*:memcpy if arg3 == 10", "memcpy", None),
)


def t_ifunc(s, ctx, opt, mode):
    """glibc's strlen, memcpy and memset (and on x86-64 strcmp and strchr)
    are IFUNCs: each probe traces the implementation the process uses,
    under the IFUNC's name, with the prototype its resolver's DWARF gives
    where libc has DWARF."""
    exe = s.bin(opt, "firsts")
    p = E.Proc(ctx, s.latch_cmd("-l", *[i[0].split(" ")[0] for i in IFUNCS], "--", exe, "clib"), "list")
    p.wait()
    check(p.rc == 0, "-l exited %s: %s" % (p.rc, E.short(p.err())))
    for _, name, _ in IFUNCS:
        check(re.search(r"^(?:\S.*\b)?%s\(.*\)  \[\S*libc\.so\.6 0x[0-9a-f]+\]$" % name, p.out(), re.M),
              "-l does not list %s: %s" % (name, E.short(p.out())))
    typed = "size_t strlen(const char *arg1)" in p.out()
    out = ctx.path("libc.txt")
    probes = ["-q", "-o", out] + [i[0] for i in IFUNCS]
    if mode == "launch":
        lp = s.launch(ctx, probes, [exe, "clib"])
    else:
        lp, _ = s.attach(ctx, [exe, "-w", "clib"], probes)
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    text = E.readtext(out)
    for _, name, ret in IFUNCS:
        got = re.findall(r"^\S+ \[\d+\] %s\((.*)\)(?: = (.*))? <" % name, text, re.M)
        check(len(got) == 3, "%d calls of %s reported, the program made 3: %s"
              % (len(got), name, E.short(text, 1500)))
        check(all(ret is None or r in ret for _, r in got), "%s returned %s" % (name, got))
    if typed:
        check(re.search(r'^\S+ \[\d+\] strlen\(arg1="request-1"\) = 9 <', text, re.M),
              "strlen's argument is not a string: %s" % E.short(text))


# ------------------------------------------------------------------ references, pointers

def traced(s, ctx, exe, mode, probe, name):
    """(latch Proc, calls in its JSON trace)"""
    out = ctx.path(name + ".json")
    args = [exe] + ([mode] if mode else [])
    lp = s.launch(ctx, ["-q", "-f", "json", "-o", out, probe], args, name=name)
    calls = [e for e in json_events(out) if e["type"] == "call"] if os.path.exists(out) else []
    return lp, calls


def t_references(s, ctx, opt):
    """A C++ reference is the object it refers to in conditions: a
    const std::string &s compares as a string, an int &r as an int, a
    const Pt &p has members; *r and r[0] are refused with a reason."""
    exe = s.bin(opt, "v_cxx")
    base = E.Proc(ctx, [exe], "untraced")
    base.wait()
    want = {f: len(re.findall(r"^expect ns::%s " % f, base.out(), re.M)) for f in ("len_ref", "twice", "psum")}
    check(all(want.values()), "v_cxx made no calls of %s" % want)
    check(want["len_ref"] == 2, "v_cxx called len_ref %d times, expected 2" % want["len_ref"])
    for probe, n in (('ns::len_ref if s == "short é!"', 1),
                     ('ns::len_ref if s ~ "a longer*" || s ~ "short*"', 2),
                     ('ns::len_ref if s == "short"', 0),
                     ("ns::twice if r == 21", want["twice"]),
                     ("ns::twice if r > 21", 0),
                     ("ns::psum if p.x == 1 && p.y == 2", want["psum"])):
        lp, calls = traced(s, ctx, exe, None, probe, "ref")
        check(lp.rc == 0, "%s: latch exited %s: %s" % (probe, lp.rc, E.short(lp.err())))
        check(len(calls) == n, "%s: %d calls reported, expected %d" % (probe, len(calls), n))
    for probe, what in (("ns::twice if *r == 21", "without '*'"), ("ns::twice if r[0] == 21", "without '[...]'")):
        p = E.Proc(ctx, s.latch_cmd(probe, "--", exe), "refbad")
        p.wait()
        check(p.rc == 1 and "a reference stands for the object" in p.err() and what in p.err(),
              "%s: exit %s, %s" % (probe, p.rc, E.short(p.err())))


def t_scalar_pointer(s, ctx, opt):
    """*ip and ip[0] on an int *: the int it points to."""
    exe = s.bin(opt, "firsts")
    for probe in ("bump if *ip == 5", "bump if ip[0] == 5", "bump if *ip > 4 && *ip < 6"):
        lp, calls = traced(s, ctx, exe, "ptr", probe, "ptr")
        check(lp.rc == 0, "%s: latch exited %s: %s" % (probe, lp.rc, E.short(lp.err())))
        check(len(calls) == 1, "%s: %d calls reported, expected 1: %s" % (probe, len(calls), calls))
        check("bump 5 -> 6" in lp.out(), "the program went wrong: %s" % E.short(lp.out()))


# ------------------------------------------------------------------ several processes

def start_loops(s, ctx, opt, n, iters, exe=None):
    """n loop targets waiting for a go file; returns (targets, go)."""
    go = ctx.path("go")
    ts = [s.start_target(ctx, [exe or s.bin(opt, "loop"), "-W", go, str(iters)], name="loop%d" % i)
          for i in range(n)]
    return ts, go


def wait_line(lp, pat, timeout=30):
    E.wait_until(lambda: re.search(pat, lp.err(), re.M) or lp.poll() is not None, timeout)
    check(re.search(pat, lp.err(), re.M), "no %r on latch's stderr: %s" % (pat, E.short(lp.err(), 2000)))


def t_several(s, ctx, opt, how):
    """Two processes traced at once, every call of each counted exactly,
    each event with its process's pid; latch ends when both have."""
    iters = 20000 // E.SCALE
    exe = s.bin(opt, "loop")
    if how == "pidof":
        exe = os.path.join(ctx.tmp, "latchloop%d" % os.getpid())
        shutil.copy(s.bin(opt, "loop"), exe)
    ts, go = start_loops(s, ctx, opt, 2, iters, exe)
    pids = [t.pid for t in ts]
    out = ctx.path("trace.json")
    sel = {"comma": ["-p", "%d,%d" % tuple(pids)],
           "repeat": ["-p", pids[0], "-p", pids[1]],
           "pidof": ["--pidof", os.path.basename(exe)]}[how]
    lp = E.Proc(ctx, s.latch_cmd(*sel, "-f", "json", "-o", out, "step"), "latch")
    # the counts below say what was traced in each process
    wait_line(lp, r"^latch: tracing \d+ functions? in 2 processes \(\d+ threads?\); Ctrl-C to stop$")
    open(go, "w").close()
    for t in ts:
        t.wait()
        check(t.rc == 0, "target %d exited %s: %s" % (t.pid, t.rc, E.short(t.out())))
    lp.wait()
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    evs = json_events(out)
    for pid in pids:
        mine = [e for e in evs if e.get("pid") == pid and e["type"] == "call"]
        i = [e["args"]["i"] for e in mine]
        check(i == list(range(iters)), "process %d: %d calls of step, i from %s to %s; "
              "expected %d" % (pid, len(i), i[:1], i[-1:], iters))
        check(all(e["tid"] == pid for e in mine), "process %d: an event on another thread" % pid)
        ends = [e for e in evs if e["type"] == "exit" and e["pid"] == pid]
        check(len(ends) == 1 and ends[0].get("status") == 0,
              "process %d: exit records %s" % (pid, ends))
    check(not [e for e in evs if e.get("pid") not in pids], "events of other processes")
    st = E.stats(lp.err())
    check(st["calls"] == 2 * iters and st["returns"] == 2 * iters,
          "closing line: %s, expected %d calls" % (st, 2 * iters))


def t_several_list(s, ctx, opt):
    """-l with several processes: each one's functions under its pid."""
    ts, _ = start_loops(s, ctx, opt, 2, 10)
    pids = [t.pid for t in ts]
    p = E.Proc(ctx, s.latch_cmd("-l", "-p", "%d,%d" % tuple(pids), "step"), "list")
    p.wait()
    check(p.rc == 0, "latch -l exited %s: %s" % (p.rc, E.short(p.err())))
    heads = re.findall(r"^process (\d+):$", p.out(), re.M)
    check([int(h) for h in heads] == pids and p.out().count("int step(int i)") == 2,
          "-l output: %s" % E.short(p.out()))


def t_several_errors(s, ctx):
    for args, rc, pat in ((["-p", "1,x"], 2, "invalid PID 'x'"),
                          (["-p", "1,"], 2, "invalid PID list"),
                          (["--pidof", "no-such-program-here"], 1,
                           "no process named 'no-such-program-here'"),
                          (["-p", "1,9999999999"], 2, "invalid PID"),
                          (["-p", "4194304,1"], 1, "no such process: 4194304")):
        p = E.Proc(ctx, s.latch_cmd(*args, "step"), "bad")
        p.wait()
        check(p.rc == rc and pat in p.err(), "%s: exit %s, stderr %s"
              % (" ".join(args), p.rc, E.short(p.err())))


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in ("O0", "O2"):
        R("firsts-timestamps-" + opt, lambda c, o=opt: t_timestamps(s, c, o))
        R("firsts-decode-time-" + opt, lambda c, o=opt: t_decode_time(s, c, o))
        R("ifunc-launch-" + opt, lambda c, o=opt: t_ifunc(s, c, o, "launch"))
        R("firsts-references-" + opt, lambda c, o=opt: t_references(s, c, o))
        R("firsts-scalar-pointer-" + opt, lambda c, o=opt: t_scalar_pointer(s, c, o))
    R("declared-O0", lambda c: t_declared(s, c, "O0"))
    R("declared-O2", lambda c: t_declared(s, c, "O2"))
    R("exec-probe-launch-O0", lambda c: t_exec_probe(s, c, "O0", "launch"))
    R("exec-probe-attach-O2", lambda c: t_exec_probe(s, c, "O2", "attach"))
    R("exec-probe-child-F-O2", lambda c: t_exec_probe_child(s, c, "O2", True))
    R("exec-probe-child-O0", lambda c: t_exec_probe_child(s, c, "O0", False))
    R("ifunc-attach-O2", lambda c: t_ifunc(s, c, "O2", "attach"))
    R("firsts-start-line-O2", lambda c: t_start_line(s, c, "O2"))
    R("firsts-unquoted", lambda c: t_unquoted(s, c))
    R("firsts-d-launch-O0", lambda c: t_duration_launch(s, c, "O0"))
    R("firsts-call-id-O2", lambda c: t_call_id(s, c, "O2"))
    R("several-comma-O0", lambda c: t_several(s, c, "O0", "comma"))
    R("several-repeat-O2", lambda c: t_several(s, c, "O2", "repeat"))
    R("several-pidof-O2", lambda c: t_several(s, c, "O2", "pidof"))
    R("several-list-O0", lambda c: t_several_list(s, c, "O0"))
    R("several-errors", lambda c: t_several_errors(s, c))
