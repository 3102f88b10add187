"""Issue 17: what an ltrace, strace or gdb user reaches for first.

strace's timestamp options, the line that says tracing has started, a
probe split by the shell, -d in launch mode, call_id in JSON records,
durations without latch's decoding, and several processes at once (-p A,B,
-p A -p B, --pidof).  Registered by e2e.py.
"""

import json
import os
import re
import struct
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


def t_longjmp_now(s, ctx, opt, mode):
    """Frames left by longjmp end when longjmp runs, not at the thread's
    next trap, though the function that called setjmp is not traced: the
    program sleeps 100 ms between the longjmp and its next traced call."""
    out = ctx.path("jump.json")
    args = ["-q", "-f", "json", "-o", out, "deep", "after_jump"]
    if mode == "launch":
        lp = s.launch(ctx, args, [s.bin(opt, "firsts"), "jump"])
        check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
        text = lp.out()
    else:
        lp, t = s.attach(ctx, [s.bin(opt, "firsts"), "-w", "jump"], args)
        check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s: %s" % (t.rc, lp.rc, E.short(lp.err())))
        text = t.out()
    check("after_jump -> 2" in text, "the program went wrong: %s" % E.short(text))
    evs = json_events(out)
    unw = [e for e in evs if e["type"] == "unwind"]
    nxt = [e for e in evs if e["type"] == "call" and e["func"] == "after_jump"]
    check(sorted(e["args"]["n"] for e in evs if e["type"] == "call" and e["func"] == "deep") == [0, 1, 2, 3],
          "deep's calls: %s" % evs)
    check(len(unw) == 4 and all(e["func"] == "deep" for e in unw) and len(nxt) == 1,
          "expected deep unwound 4 times, then after_jump: %s" % evs)
    check(all(e["dur_ns"] < 30e6 for e in unw),
          "unwound calls took %s ns: ended at the next trap, not at the longjmp"
          % [e["dur_ns"] for e in unw])
    check(max(e["ts"] for e in unw) + 50e6 < nxt[0]["ts"],
          "the unwinds are not 100 ms before after_jump's call: %s" % evs)


# ------------------------------------------------------------------ sites

def probe_line(s, ctx, opt):
    """The line of firsts.c marked LINE-PROBE, as the program says (the
    arm64 guest has no sources)."""
    rc, out = s.untraced(ctx, opt, "firsts", "line")
    m = re.search(r"^line-probe (\d+)$", out, re.M)
    check(rc == 0 and m, "firsts line: exit %s, output %s" % (rc, E.short(out)))
    return int(m.group(1))


def elf_symbol(path, name):
    """The value of name in path's .symtab (ELF64, little-endian), as nm
    prints it (the arm64 guest has no nm)."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for sec in secs:
        if sec[1] != 2:   # SHT_SYMTAB
            continue
        strs = secs[sec[6]][4]
        for k in range(sec[5] // sec[9]):
            st_name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", data, sec[4] + k * sec[9])
            end = data.index(b"\0", strs + st_name)
            if data[strs + st_name:end] == name.encode():
                return value
    raise E.TestFail("no symbol %s in %s" % (name, path))


def hits(evs):
    return [e for e in evs if e["type"] == "hit"]


def check_scale_hits(evs, line, opt, what):
    hs = hits(evs)
    check([h["args"].get("k") for h in hs] == [1, 2, 3] and all(h["func"] == "scale" for h in hs),
          "%s: hits %s" % (what, hs))
    check(all(h["where"] == "firsts.c:%d" % line and h["line"] == line for h in hs),
          "%s: hits not at firsts.c:%d: %s" % (what, line, hs))
    # at -O0 y is in its stack slot, k * 10 before the line runs
    if opt == "O0":
        check([h["locals"].get("y") for h in hs] == [10, 20, 30], "%s: locals %s" % (what, hs))


def t_line_probe(s, ctx, opt):
    """'firsts.c:LINE' reports each hit with the parameters and the locals
    in scope there, in text and JSON; a condition may test a local."""
    line = probe_line(s, ctx, opt)
    exe = s.bin(opt, "firsts")
    lp = s.launch(ctx, ["firsts.c:%d" % line], [exe, "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    check(re.search(r"^latch: tracing 1 site in process \d+ ", lp.err(), re.M),
          "the start line does not count the site: %s" % E.short(lp.err()))
    want = r"\] scale\(k=%d\) at firsts\.c:%d"
    for k in (1, 2, 3):
        check(re.search(want % (k, line), lp.out()), "no text hit for k=%d: %s" % (k, E.short(lp.out())))
    if opt == "O0":
        check(re.search(r"scale\(k=2\) at firsts\.c:%d: y=20$" % line, lp.out(), re.M),
              "text hit without its local: %s" % E.short(lp.out()))
    check(re.search(r" 3 hits, ", lp.err()), "closing line without 3 hits: %s" % E.short(lp.err()))
    out = ctx.path("line.json")
    lp = s.launch(ctx, ["-q", "-f", "json", "-o", out, "firsts.c:%d" % line, "scale"], [exe, "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    evs = json_events(out)
    check_scale_hits(evs, line, opt, "line probe")
    calls = [e for e in evs if e["type"] == "call"]
    check(len(calls) == 3, "scale's calls beside the hits: %s" % evs)
    if opt == "O0":
        # inside the traced call, one level deeper
        check(all(h["depth"] == 1 for h in hits(evs)), "hits not inside scale's calls: %s" % evs)
        lp = s.launch(ctx, ["-q", "-f", "json", "-o", out, "firsts.c:%d if y == 20" % line],
                      [exe, "line"])
        hs = hits(json_events(out))
        check(lp.rc == 0 and [h["args"]["k"] for h in hs] == [2],
              "the condition on local y: exit %s, hits %s" % (lp.rc, hs))


def site_offset(s, ctx, exe, line):
    """Bytes from scale's entry to the line probe's site, from -l."""
    lp = s.launch(ctx, ["-l", "firsts.c:%d" % line, "scale"], [exe, "line"])
    check(lp.rc == 0, "latch -l exited %s: %s" % (lp.rc, E.short(lp.err())))
    site = re.search(r"^firsts\.c:%d in .*scale.*\[\S+ 0x([0-9a-f]+)\]$" % line, lp.out(), re.M)
    fn = re.search(r"^int scale\(int k\)  \[\S+ 0x([0-9a-f]+)\]$", lp.out(), re.M)
    check(site and fn, "-l lists no site and function: %s" % E.short(lp.out()))
    return int(site.group(1), 16) - int(fn.group(1), 16)


def t_address_probe(s, ctx, opt):
    """'0xADDR' (as nm prints it) and 'scale+OFFSET' name the line
    probe's site; an address inside an instruction, or in no function,
    is refused."""
    line = probe_line(s, ctx, opt)
    exe = s.bin(opt, "firsts")
    off = site_offset(s, ctx, exe, line)
    addr = elf_symbol(exe, "scale") + off
    out = ctx.path("addr.json")
    lp = s.launch(ctx, ["-q", "-f", "json", "-o", out, "0x%x" % addr, "scale+%d" % off],
                  [exe, "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    evs = json_events(out)
    check(len(hits(evs)) == 3, "both probes name one site, hit 3 times: %s" % evs)
    check_scale_hits(evs, line, opt, "address probe")
    # both first instructions are longer than 2 bytes (x86-64 O0: push
    # rbp is 1, then mov rbp, rsp is 3)
    bad = s.launch(ctx, ["0x%x" % (elf_symbol(exe, "scale") + 2)], [exe, "line"])
    check(bad.rc == 1 and "inside an instruction" in bad.err() and
          len(bad.err().strip().splitlines()) == 1,
          "an address inside an instruction: exit %s, stderr %s" % (bad.rc, E.short(bad.err())))
    for probe, want in (("0x10", "is in no function of the executable"),
                        ("scale+100000", "scale is only"),
                        ("firsts.c:999999", "no code at or after line 999999"),
                        ("nosuch.c:3", "no source file nosuch.c")):
        bad = s.launch(ctx, [probe], [exe, "line"])
        check(bad.rc == 1 and want in bad.err(),
              "%s: exit %s, stderr %s" % (probe, bad.rc, E.short(bad.err())))


def t_site_fork(s, ctx, opt, follow):
    """A forked child keeps the line probe's site with -F, its hits under
    its own pid; without -F it runs on untraced and unharmed."""
    line = probe_line(s, ctx, opt)
    out = ctx.path("fork.json")
    lp = s.launch(ctx, (["-F"] if follow else []) + ["-q", "-f", "json", "-o", out,
                                                     "firsts.c:%d" % line],
                  [s.bin(opt, "firsts"), "fork"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    check("child scale 3 -> 33" in lp.out() and "parent scale 4 -> 44" in lp.out(),
          "the program went wrong: %s" % E.short(lp.out()))
    hs = hits(json_events(out))
    parent = [h["args"]["k"] for h in hs if h["pid"] == lp.target_pid]
    child = [h["args"]["k"] for h in hs if h["pid"] != lp.target_pid]
    check(parent == [4] and child == ([1, 2, 3] if follow else []),
          "hits by parent %s, by child %s: %s" % (parent, child, hs))
    if opt == "O0":
        check([h["locals"]["y"] for h in hs] == ([10, 20, 30, 40] if follow else [40]),
              "locals: %s" % hs)


def t_site_pictures(s, ctx, opt):
    """Hits are instants in a Chrome trace and rows of -c's table."""
    line = probe_line(s, ctx, opt)
    exe = s.bin(opt, "firsts")
    out = ctx.path("trace.json")
    lp = s.launch(ctx, ["-q", "-f", "chrome", "-o", out, "firsts.c:%d" % line], [exe, "line"])
    check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    with open(out) as f:
        doc = json.load(f)
    evs = doc["traceEvents"] if isinstance(doc, dict) else doc
    inst = [e for e in evs if e.get("ph") == "i" and e.get("name") == "scale at firsts.c:%d" % line]
    check([e["args"].get("k") for e in inst] == [1, 2, 3], "chrome instants: %s" % evs)
    lp = s.launch(ctx, ["-q", "-c", "firsts.c:%d" % line], [exe, "line"])
    check(lp.rc == 0 and re.search(r"^scale at firsts\.c:%d +\S+ +3 " % line, lp.err() + lp.out(), re.M),
          "-c has no row of 3 hits: %s" % E.short(lp.err() + lp.out()))


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
    # an alias takes the prototype declared under the function's other name
    p = E.Proc(ctx, s.latch_cmd("-l", "dc_twice", "--", exe), "list")
    p.wait()
    check(p.rc == 0 and re.search(r"^int dc_twice\(int arg1\)  \[", p.out(), re.M),
          "-l dc_twice: exit %s, %s" % (p.rc, E.short(p.out() + p.err())))
    lp = s.launch(ctx, ["-q", "-o", out, "dc_twice"], [exe])
    check(lp.rc == 0 and re.search(r"^\S+ \[\d+\] dc_twice\(arg1=21\) = 42 <", E.readtext(out), re.M),
          "the alias's call: exit %s, %s" % (lp.rc, E.short(E.readtext(out))))


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
    R("line-probe-O0", lambda c: t_line_probe(s, c, "O0"))
    R("line-probe-O2", lambda c: t_line_probe(s, c, "O2"))
    R("address-probe-O0", lambda c: t_address_probe(s, c, "O0"))
    R("address-probe-O2", lambda c: t_address_probe(s, c, "O2"))
    R("site-pictures-O0", lambda c: t_site_pictures(s, c, "O0"))
    R("site-fork-F-O0", lambda c: t_site_fork(s, c, "O0", True))
    R("site-fork-O2", lambda c: t_site_fork(s, c, "O2", False))
    R("longjmp-now-launch-O0", lambda c: t_longjmp_now(s, c, "O0", "launch"))
    R("longjmp-now-attach-O2", lambda c: t_longjmp_now(s, c, "O2", "attach"))
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
