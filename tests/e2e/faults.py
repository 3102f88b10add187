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
"""

import os
import signal
import subprocess
import sys

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

# attach/detach cycles on a live process (fewer in an emulated guest)
CYCLES = max(5, 40 // int(os.environ.get("LATCH_E2E_SCALE", "1")))


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


def t_detach_cycles(s, ctx, opt):
    exe = s.bin(opt, "loop")
    t = s.start_target(ctx, [exe, "-w", "-c", 10 ** 13])   # runs for hours untraced
    before = None
    for n in range(CYCLES):
        lp = E.Proc(ctx, s.latch_cmd("-q", "-d", "0.01", "-p", t.pid, "-o", ctx.path("t%d" % n), "step"),
                    "latch%d" % n)
        lp.wait()
        E.check(lp.rc == 0, "cycle %d: latch exited %s; stderr: %s" % (n, lp.rc, E.short(lp.err())))
        E.check(E.wait_until(lambda: E.tracer_pid(t.pid) == 0, 5), "cycle %d: the target is still traced" % n)
        now = maps(t.pid)
        if before is None:
            before = now    # the first cycle let the loop past its -w wait
        E.check(now == before, "cycle %d: the mappings changed: %s" % (n, maps_diff(before, now)))
        E.check(t.poll() is None, "cycle %d: the target ended (%s): %s" % (n, t.poll(), E.short(t.out())))
    t.kill()
    E.check(not any("bad" in l and l != "bad 0" for l in t.out().splitlines()), "the loop went wrong: %s" % t.out())


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
