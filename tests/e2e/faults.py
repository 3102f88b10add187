"""The target is left as it was, and latch tells the truth: end-to-end tests
registered by e2e.py (issue 14).

* detach-blocked-*: tests/targets/blocker.c with every thread in a blocking
  system call (read, poll, futex, nanosleep) when latch detaches: the scratch
  pages latch mapped for stepping over traps must be gone (/proc/PID/maps
  as before the attach), and every interrupted call must go on as if
  nothing had happened (the target checks what each returned).
* detach-cycles: many short `-d` attaches to a live loop, maps and code
  equal after each.
* output-full-*: -o on a device or file system that is full: latch detaches
  (the target runs on unharmed), says "cannot write FILE: No space left
  on device" and exits 1, with no closing line counting calls never
  written.
* pid-*: -p of a kernel thread and of latch itself, each with its own
  one-line error; -l -p of latch itself lists latch's functions.
* reentry-*: tests/targets/reentry.c at -O1 and -O2, where a loop's
  back-edge jumps to a traced function's first instruction: exactly the
  calls made, no phantom nested ones.
* storm-*: tests/targets/storm.c forks, vforks and execs without pause
  while latch attaches and detaches again and again, with -F and without.
* signal-flood-*: tests/targets/hammer.c's threads call a traced function
  while another thread floods them with SIGUSR1, whose handler is traced
  too; latch attaches and detaches again and again. A signal delivered
  while a thread ran an out-of-line copy used to leave a pc in the scratch
  page in the handler's frame: SIGSEGV once detach unmapped it.
* kill-threads: the target is killed with SIGKILL while 8 threads hit
  traps: latch says so, closes every open call, exits 0.
* dumpable-*, ptracer: targets that called prctl(PR_SET_DUMPABLE, 0) or
  PR_SET_PTRACER: root traces them; another user is refused in one line
  that says why.
* memedge-*: tests/targets/memedge.c's arguments at the edge of readable
  memory (a string without a terminator before a guard page, pointers
  into it) and a ring of self-referential structures with --depth 50.
* static-*: the signal-flood and detach tests again with latch-static
  ($LATCH_E2E_STATIC; skipped without it).
Each that runs a target to its end compares the target's checksum with
an untraced run's, and the mappings after each detach with those before.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

# how much slower an emulated guest is
SCALE = int(os.environ.get("LATCH_E2E_SCALE", "1"))
# attach/detach cycles on a live process (fewer in an emulated guest)
CYCLES = max(5, 40 // SCALE)


def maps(pid):
    with open("/proc/%d/maps" % pid) as f:
        return f.read()


def maps_diff(a, b):
    la, lb = a.splitlines(), b.splitlines()
    return "; ".join(["-" + l for l in la if l not in lb] + ["+" + l for l in lb if l not in la])[:600]


def code_bytes(pid, addr):
    """The first instruction's bytes (a trap may share its first byte)."""
    with open("/proc/%d/mem" % pid, "rb") as f:
        f.seek(addr)
        return f.read(4)


def fifo_send(path, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


BLOCKER_OK = ["reader 'r'", "poller 'p'", "waiter woke", "sleeper EINTR", "bad 0", "code ok"]


def t_detach_blocked(s, ctx, opt):
    fifo = ctx.path("ctl")
    os.mkfifo(fifo)
    t = s.start_target(ctx, [s.bin(opt, "blocker"), fifo])
    E.check(E.wait_until(lambda: "poke 0x" in t.out(), 10), "no poke line: %s" % E.short(t.out()))
    poke = int(t.out().split("poke ")[1].split()[0], 16)
    before, orig = maps(t.pid), code_bytes(t.pid, poke)
    trace = ctx.path("trace.json")
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, "-f", "json", "-o", trace, "poke"), "latch")
    E.check(E.wait_until(lambda: code_bytes(t.pid, poke) != orig or lp.poll() is not None, 20),
            "latch planted no trap in poke; stderr: %s" % E.short(lp.err()))
    for k in range(2):
        fifo_send(fifo, b"c")
        E.check(E.wait_until(lambda: ("poked %d" % (3 * k + 3)) in t.out(), 20),
                "the target did not make its calls: %s" % E.short(t.out()))
    E.check(E.wait_until(lambda: os.path.exists(trace) and E.readtext(trace).count("\n") >= 12, 10),
            "the trace has not 6 calls and returns; latch stderr: %s" % E.short(lp.err()))
    during = maps(t.pid)
    E.check(during != before, "latch mapped no scratch page: this test tests nothing (maps unchanged)")
    # every thread back in its blocking call (state S) before the detach
    E.wait_until(lambda: all(E.proc_state(int(tid)) == "S" or not E.pid_alive(int(tid))
                             for tid in os.listdir("/proc/%d/task" % t.pid)), 5)
    os.kill(lp.p.pid, signal.SIGINT)
    lp.wait()
    E.check(lp.rc == 0, "latch exited %s after SIGINT; stderr: %s" % (lp.rc, E.short(lp.err())))
    E.check(E.wait_until(lambda: E.tracer_pid(t.pid) == 0, 5), "the target is still traced")
    after = maps(t.pid)
    E.check(after == before, "the target's mappings changed: %s; latch stderr: %s"
            % (maps_diff(before, after), E.short(lp.err())))
    E.check("scratch" not in lp.err(), "latch warned: %s" % E.short(lp.err()))
    fifo_send(fifo, b"q")
    t.wait()
    lines = E.drop_pid(t.out()).splitlines()
    E.check(t.rc == 0 and lines[-6:] == BLOCKER_OK,
            "target exited %s saying %s, expected %s" % (t.rc, lines, BLOCKER_OK))
    evs = E.load_json(trace)
    got = [(e["type"], e["args"]["i"] if e["type"] == "call" else e.get("ret")) for e in evs]
    want = [x for i in range(6) for x in (("call", i), ("return", 3 * i + 1))]
    E.check(got == want, "events %s, expected %s" % (got, want))


def attach_cycles(s, ctx, t, largs, cycles, secs, before=None):
    """cycles short attaches (-d secs) to the running target t: latch exits
    0 each time and leaves t untraced, with the mappings it had before the
    first attach (or, before=None, after the first detach). The traces'
    text, one per cycle."""
    traces = []
    for n in range(cycles):
        out = ctx.path("t%d" % n)
        lp = E.Proc(ctx, s.latch_cmd("-q", "-d", secs, "-p", t.pid, "-o", out, *largs), "latch%d" % n)
        lp.wait()
        E.check(lp.rc == 0, "cycle %d: latch exited %s; stderr: %s" % (n, lp.rc, E.short(lp.err())))
        E.check(E.wait_until(lambda: E.tracer_pid(t.pid) == 0, 5), "cycle %d: the target is still traced" % n)
        E.check(t.poll() is None, "cycle %d: the target ended (%s): %s; latch stderr: %s"
                % (n, t.poll(), E.short(t.out()), E.short(lp.err())))
        now = maps(t.pid)
        if before is None:
            before = now
        E.check(now == before, "cycle %d: the mappings changed: %s" % (n, maps_diff(before, now)))
        traces.append(E.readtext(out))
    return traces


def last_line(text):
    lines = text.splitlines()
    return lines[-1] if lines else ""


def untraced_line(ctx, argv):
    """The closing line of an untraced run of argv."""
    p = E.Proc(ctx, argv, "untraced")
    p.wait()
    E.check(p.rc == 0, "the untraced run exited %s: %s %s" % (p.rc, E.short(p.out()), E.short(p.err())))
    return last_line(p.out())


def finish_like_untraced(ctx, t, stop, argv_for):
    """Let t finish (touch its stop file) and compare its closing line with
    an untraced run of argv_for(rounds) that has as many rounds."""
    open(stop, "w").close()
    t.wait()
    line = last_line(t.out())
    E.check(t.rc == 0 and line.startswith("rounds ") and line.endswith(" bad 0 code ok"),
            "the target exited %s saying %r; stderr: %s" % (t.rc, line, E.short(t.err())))
    want = untraced_line(ctx, argv_for(line.split()[1]))
    E.check(line == want, "traced run: %r, untraced run of as many rounds: %r" % (line, want))


def t_detach_cycles(s, ctx, opt):
    exe = s.bin(opt, "loop")
    t = s.start_target(ctx, [exe, "-w", "-c", 10 ** 13])   # runs for hours untraced
    # the first cycle lets the loop past its -w wait: compare with after it
    attach_cycles(s, ctx, t, ["step"], CYCLES, "0.01")
    t.kill()
    E.check(not any("bad" in l and l != "bad 0" for l in t.out().splitlines()), "the loop went wrong: %s" % t.out())


def t_storm(s, ctx, opt, follow):
    exe, stop = s.bin(opt, "storm"), ctx.path("stop")
    t = s.start_target(ctx, [exe, 1, stop])
    before = maps(t.pid)
    largs = (["-F"] if follow else []) + ["-f", "json", "handle", "child_work", "exec_work"]
    # an exec'd child must get through the dynamic linker and latch's
    # loading of its image before a -d window closes: longer when emulated
    secs = "%.2f" % (0.1 * SCALE)
    traces = attach_cycles(s, ctx, t, largs, max(4, CYCLES // 4), secs, before)
    funcs = Counter(json.loads(l).get("func") for tr in traces for l in tr.splitlines() if l.strip())
    E.check(funcs["handle"] > 0, "no cycle traced a call of handle: %s" % dict(funcs))
    if follow:
        E.check(funcs["child_work"] > 0 and funcs["exec_work"] > 0,
                "with -F no fork child's child_work or exec'd exec_work was traced: %s" % dict(funcs))
    else:
        E.check(not funcs["child_work"] and not funcs["exec_work"],
                "without -F a child's calls were traced: %s" % dict(funcs))
    finish_like_untraced(ctx, t, stop, lambda r: [exe, r, stop])


def t_signal_flood(s, ctx, opt):
    exe, stop = s.bin(opt, "hammer"), ctx.path("stop")
    argv = [exe, "-f", "-t", 4, "-n", 2000]
    t = s.start_target(ctx, argv + [stop])
    E.check(E.wait_until(lambda: "ready" in t.out(), 10), "the workers did not start: %s" % E.short(t.out()))
    before = maps(t.pid)
    traces = attach_cycles(s, ctx, t, ["work", "on_usr1"], max(5, CYCLES // 2), "0.05", before)
    handled = sum(tr.count("on_usr1(sig=10)") for tr in traces)
    E.check(handled > 0, "no cycle traced a signal handler: this test tests nothing")
    finish_like_untraced(ctx, t, stop, lambda r: argv + ["-r", r, stop])


def t_kill_threads(s, ctx, opt):
    exe, stop = s.bin(opt, "hammer"), ctx.path("stop")
    t = s.start_target(ctx, [exe, "-t", 8, stop])
    E.check(E.wait_until(lambda: "ready" in t.out(), 10), "the workers did not start: %s" % E.short(t.out()))
    trace = ctx.path("trace.json")
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, "-f", "json", "-o", trace, "work"), "latch")
    E.check(E.wait_until(lambda: os.path.exists(trace) and os.path.getsize(trace) > 100000
                         or lp.poll() is not None, 30),
            "latch traced too little; stderr: %s" % E.short(lp.err()))
    tids = len(os.listdir("/proc/%d/task" % t.pid))
    os.kill(t.pid, signal.SIGKILL)
    lp.wait()
    t.wait()
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    want = "latch: process %d was killed by SIGKILL" % t.pid
    E.check(want in lp.err().splitlines(), "no %r line: %s" % (want, E.short(lp.err())))
    st = E.stats(lp.err())
    evs = E.load_json(trace)
    kinds = Counter(e["type"] for e in evs)
    E.check(tids == 9 and kinds["call"] == st["calls"] and kinds["return"] == st["returns"]
            and kinds["unwind"] == st["unwinds"],
            "%d tasks; trace %s; closing line %s" % (tids, dict(kinds), st))
    E.check(st["calls"] == st["returns"] + st["unwinds"] and st["unwinds"] <= 8,
            "every call open at the kill ends as an unwind (at most one per thread): %s" % st)


SETPRIV = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def t_prctl(s, ctx, opt, flag):
    exe, stop = s.bin(opt, "hammer"), ctx.path("stop")
    argv = [exe, "-t", 2, "-n", 2000, flag]
    t = s.start_target(ctx, argv + [stop])
    E.check(E.wait_until(lambda: "ready" in t.out(), 10), "the workers did not start: %s" % E.short(t.out()))
    before = maps(t.pid)
    traces = attach_cycles(s, ctx, t, ["work"], 2, "0.2", before)
    E.check(all("work(k=" in tr for tr in traces), "root traced no call of work")
    finish_like_untraced(ctx, t, stop, lambda r: [exe, "-t", 2, "-n", 2000, "-r", r, stop])


def t_dumpable_user(s, ctx, opt):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        raise E.TestSkip("needs root and setpriv to run as another user")
    os.chmod(ctx.tmp, 0o777)
    exe, stop = s.bin(opt, "hammer"), ctx.path("stop")
    for flag, ok in (("", True), ("-D", False)):
        t = s.start_target(ctx, SETPRIV + [exe, "-t", 2, "-n", 2000] + ([flag] if flag else []) + [stop])
        E.check(E.wait_until(lambda: "ready" in t.out(), 10), "the workers did not start: %s" % E.short(t.out()))
        lp = E.Proc(ctx, SETPRIV + s.latch_cmd("-q", "-d", "0.2", "-p", t.pid, "-o", "/dev/null", "work"), "latch")
        lp.wait()
        open(stop, "w").close()
        t.wait()
        os.unlink(stop)
        E.check(t.rc == 0, "the target (%r) exited %s: %s" % (flag, t.rc, E.short(t.out())))
        if ok:
            E.check(lp.rc == 0, "uid 65534 could not trace its own process: %s" % E.short(lp.err()))
        else:
            one_line_error(lp, 1, "not permitted to trace process %d: it is not dumpable" % t.pid)


MEMEDGE_TEXT = [
    r'edge_str\(s="abcdef"\.\.\.\) = 6',
    r'edge_gone\(n=0x[0-9a-f]+ <unreadable>\) = 16',
    r'edge_node\(n=0x[0-9a-f]+ -> \{v=41, next=<unreadable>, self=<unreadable>\}\) = 41',
    r'walk\(n=(0x[0-9a-f]+) -> \{v=1, next=0x[0-9a-f]+, self=\1\}, k=3\) = 6',
]


def t_memedge(s, ctx, opt):
    exe = s.bin(opt, "memedge")
    res = ctx.path("out")
    lp = s.launch(ctx, ["--depth", 50, "-o", res, "edge_str", "edge_gone", "edge_node", "walk"], [exe])
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    E.check(last_line(lp.out()) == untraced_line(ctx, [exe]),
            "the target said %r, untraced %r" % (lp.out(), untraced_line(ctx, [exe])))
    lines = [re.sub(r"^\S+ \[\d+\] ", "", l) for l in E.readtext(res).splitlines()]
    lines = [re.sub(r" <[0-9.]+[mun]?s>$", "", l) for l in lines]
    E.check(len(lines) == len(MEMEDGE_TEXT) and all(re.fullmatch(w, l) for w, l in zip(MEMEDGE_TEXT, lines)),
            "trace %s, expected %s" % (lines, MEMEDGE_TEXT))
    E.check_stats(lp.err(), 4, 4, 0)
    lp = s.launch(ctx, ["-o", res, "edge_gone if n->v == 1"], [exe], name="cond")
    st = E.stats(lp.err())
    E.check(lp.rc == 0 and (st["seen"], st["calls"], st["unreadable"]) == (1, 0, 1),
            "a condition on n->v through a pointer into the guard page is not one unreadable: %s"
            % E.short(lp.err()))


def t_reentry(s, ctx, variant):
    exe = s.bin("O2", "reentry-" + variant)
    trace = ctx.path("trace.json")
    largs = ["-f", "json", "-o", trace, "countdown", "spin_until"]
    lp = s.launch(ctx, largs, [exe])
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    out = E.drop_pid(lp.out())
    E.check(out == "countdown 0\nspun\ncalls 4\n", "the target said %r" % out)
    evs = E.load_json(trace, os.path.realpath(exe))
    E.check_nesting(evs)
    got = [(e["type"], e["func"], e["depth"]) for e in evs]
    want = [(ty, "countdown", 0) for _ in range(3) for ty in ("call", "return")]
    want += [("call", "spin_until", 0), ("return", "spin_until", 0)]
    E.check(got == want, "events %s, expected %s" % (E.fmt_events(evs), want))
    E.check_stats(lp.err(), 4, 4, 0)


def t_output_full(s, ctx, opt, mode):
    exe = s.bin(opt, "loop")
    res = ctx.path("result")
    if mode == "launch":
        dest = "/dev/full"
    else:
        # a file system of 64 KiB that the trace fills up
        mnt = ctx.path("small")
        os.mkdir(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "none", mnt]).returncode != 0:
            raise E.TestSkip("cannot mount a tmpfs")
        dest = os.path.join(mnt, "trace.json")
    largs = ["-f", "json", "-o", dest, "step"]
    try:
        if mode == "launch":
            lp = s.launch(ctx, largs, [exe, "-c", "-r", res, E.LOOP_ITER])
            text = E.loop_result(ctx, res)
        else:
            lp, t = s.attach(ctx, [exe, "-w", "-c", E.LOOP_ITER], largs)
            text = t.out()
            E.check(t.rc == 0, "target exited %s: %s" % (t.rc, E.short(E.drop_pid(text))))
    finally:
        if mode == "attach":
            subprocess.run(["umount", "-l", mnt])
    want = "latch: cannot write %s: No space left on device" % dest
    E.check(lp.rc == 1, "latch exited %s, expected 1; stderr: %s" % (lp.rc, E.short(lp.err())))
    E.check(want in lp.err().splitlines(), "no %r line on stderr: %s" % (want, E.short(lp.err())))
    E.check(E.stats(lp.err(), required=False) is None, "a closing line counts calls never written: %s"
            % E.short(lp.err()))
    E.check_loop_ok(text)


def one_line_error(p, rc, want):
    lines = [l for l in p.err().splitlines() if l.strip()]
    E.check(p.rc == rc and len(lines) == 1 and want in lines[0],
            "%s exited %s saying %s; expected %d and one line with %r" % (p.cmd(), p.rc, lines, rc, want))


def t_pid_kernel_thread(s, ctx):
    kthreadd = 2
    E.check(E.proc_state(kthreadd) != "?", "no process 2 (kthreadd)")
    p = E.Proc(ctx, s.latch_cmd("-p", kthreadd, "main"), "latch")
    p.wait()
    one_line_error(p, 1, "process 2 (kthreadd) is a kernel thread")


def t_pid_self(s, ctx):
    p = E.Proc(ctx, ["sh", "-c", 'exec "$0" -p $$ main', s.latch], "latch")
    p.wait()
    one_line_error(p, 1, "is latch itself")
    p = E.Proc(ctx, ["sh", "-c", 'exec "$0" -l -p $$ main', s.latch], "list")
    p.wait()
    E.check(p.rc == 0 and "main(" in p.out() and os.path.realpath(s.latch) in p.out(),
            "-l -p of latch itself exited %s and listed %s; stderr: %s" % (p.rc, E.short(p.out()), E.short(p.err())))


def with_static(s):
    """The suite s with latch-static in place of latch, or a skip."""
    path = os.environ.get("LATCH_E2E_STATIC")
    if not path:
        raise E.TestSkip("LATCH_E2E_STATIC is not set")
    st = type(s).__new__(type(s))
    st.__dict__ = dict(s.__dict__, latch=os.path.abspath(path))
    return st


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in E.OPTS:
        R("detach-blocked-" + opt, lambda c, o=opt: t_detach_blocked(s, c, o))
    R("detach-cycles-O2", lambda c: t_detach_cycles(s, c, "O2"))
    R("output-full-launch-O2", lambda c: t_output_full(s, c, "O2", "launch"))
    R("output-full-attach-O2", lambda c: t_output_full(s, c, "O2", "attach"))
    R("pid-kernel-thread", lambda c: t_pid_kernel_thread(s, c))
    R("pid-self", lambda c: t_pid_self(s, c))
    for v in ("O1", "O2"):
        R("reentry-" + v, lambda c, v=v: t_reentry(s, c, v))
    R("storm-attach-O2", lambda c: t_storm(s, c, "O2", False))
    R("storm-attach-F-O2", lambda c: t_storm(s, c, "O2", True))
    for opt in E.OPTS:
        R("signal-flood-" + opt, lambda c, o=opt: t_signal_flood(s, c, o))
        R("memedge-" + opt, lambda c, o=opt: t_memedge(s, c, o))
    R("kill-threads-O2", lambda c: t_kill_threads(s, c, "O2"))
    R("dumpable-root-O2", lambda c: t_prctl(s, c, "O2", "-D"))
    R("ptracer-O2", lambda c: t_prctl(s, c, "O2", "-P"))
    R("dumpable-user-O2", lambda c: t_dumpable_user(s, c, "O2"))
    R("static-signal-flood-O2", lambda c: t_signal_flood(with_static(s), c, "O2"))
    R("static-detach-blocked-O2", lambda c: t_detach_blocked(with_static(s), c, "O2"))
    R("static-detach-cycles-O2", lambda c: t_detach_cycles(with_static(s), c, "O2"))
