"""Caller stack (-S) end-to-end tests, registered by e2e.py.

tests/targets/stack.c calls main -> outer -> middle -> inner five times;
tests/targets/build.sh builds it into O0/ and O2/ as stack (with -g) and as
stack-nocfi (no -g, no unwind tables, frame pointers), and copies stack.c
next to them.  The tests trace inner (and middle) with -S and check that the
stack of every call names its callers in order (middle, outer, main for
inner), each as "name+0x..." and, with DWARF, with the file stack.c and the
line of the call: the line of stack.c marked CALL-INNER, CALL-MIDDLE or
CALL-OUTER.  Nothing here depends on the architecture.
"""

import json
import os
import re
import sys

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

CALLS = 5           # stack.c's CALLS
# Who calls whom, innermost first, and the marker of the call's line.
CALLERS = {
    "inner": (("middle", "CALL-INNER"), ("outer", "CALL-MIDDLE"), ("main", "CALL-OUTER")),
    "middle": (("outer", "CALL-MIDDLE"), ("main", "CALL-OUTER")),
}
CALL_RE = re.compile(r"^(\d\d:\d\d:\d\d\.\d{6} \[\d+\] +)(\w+)\(")
FRAME_RE = re.compile(r"^( +)<- (\S+)(?: \(([^()]*?)(?::(\d+))?\))?$")


def marker_lines(s, opt):
    """{marker: line number} from the copy of stack.c next to the targets."""
    path = s.bin(opt, "stack.c")
    E.check(os.path.exists(path), "no %s (tests/targets/build.sh copies it there)" % path)
    found = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            for m in re.findall(r"/\* (CALL-[A-Z]+) \*/", line):
                E.check(m not in found, "%s marks two lines of stack.c" % m)
                found[m] = n
    want = {m for chain in CALLERS.values() for _, m in chain}
    E.check(want <= set(found), "stack.c lacks the markers %s" % sorted(want - set(found)))
    return found


def run(s, ctx, opt, mode, prog, fmt, latch_args, probes=("inner",)):
    """Trace probes in prog with -f fmt; the trace's text.  Checks that the
    target ran as it does untraced."""
    exe = s.bin(opt, prog)
    trace = ctx.path("trace." + fmt)
    args = ["-f", fmt, "-o", trace] + list(latch_args) + list(probes)
    if mode == "launch":
        lp = s.launch(ctx, args, [exe])
        E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
        out = lp.out()
    else:
        wait = "-wm" if "middle" in probes else "-w"
        lp, t = s.attach(ctx, [exe, wait], args)
        E.check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
                % (t.rc, lp.rc, E.short(t.err()), E.short(lp.err())))
        out = t.out()
    _, base = s.untraced(ctx, opt, prog)
    E.check(E.drop_pid(out) == base, "target output differs from an untraced run: %s"
            % E.short(out))
    E.check(os.path.exists(trace), "no trace file")
    return lp, E.readtext(trace)


def check_stack(where, frames, func, lines, depth=None):
    """frames: [(func, file, line)] as latch printed them (None when
    absent); lines: the marker lines, or None for no DWARF."""
    chain = CALLERS[func]
    if depth is not None:
        E.check(len(frames) == depth, "%s: %d frames with -S %d: %s" % (where, len(frames), depth, frames))
    E.check(len(frames) >= min(len(chain), depth or len(chain)),
            "%s: %d frames, expected at least %s: %s"
            % (where, len(frames), [c for c, _ in chain], frames))
    for i, (caller, mark) in enumerate(chain[:len(frames)]):
        fn, file, line = frames[i]
        E.check(isinstance(fn, str) and fn.startswith(caller + "+0x"),
                "%s: frame %d is %s, expected %s+0x...; stack: %s" % (where, i, fn, caller, frames))
        if lines is None:
            E.check(file is None and line is None,
                    "%s: frame %d has source %s:%s without DWARF" % (where, i, file, line))
        else:
            E.check(isinstance(file, str) and file.endswith("stack.c") and line == lines[mark],
                    "%s: frame %d (%s) at %s:%s, expected stack.c:%d (%s); stack: %s"
                    % (where, i, fn, file, line, lines[mark], mark, frames))


def json_frames(where, ev):
    st = ev.get("stack")
    E.check(isinstance(st, list) and st, "%s: no stack: %s" % (where, E.short(json.dumps(ev), 300)))
    out = []
    for f in st:
        E.check(isinstance(f, dict) and set(f) <= {"pc", "func", "file", "line"},
                "%s: bad frame %s" % (where, json.dumps(f)))
        E.check(isinstance(f.get("pc"), str) and re.match(r"^0x[0-9a-f]+$", f["pc"]),
                "%s: frame without a \"0x...\" pc: %s" % (where, json.dumps(f)))
        E.check("line" not in f or (E.isint(f["line"]) and f["line"] > 0),
                "%s: bad line in %s" % (where, json.dumps(f)))
        out.append((f.get("func"), f.get("file"), f.get("line")))
    return out


def t_json(s, ctx, opt, mode, prog="stack", latch_args=("-S",), depth=None):
    lines = marker_lines(s, opt) if prog == "stack" else None
    lp, text = run(s, ctx, opt, mode, prog, "json", latch_args)
    exe = s.bin(opt, prog)
    evs = E.load_json(ctx.path("trace.json"), os.path.realpath(exe), lp.target_pid, lp.t0, lp.t1)
    calls = [e for e in evs if e["type"] == "call"]
    E.check(len(calls) == CALLS and all(e["func"] == "inner" for e in calls),
            "%d calls, expected %d of inner: %s" % (len(calls), CALLS, E.fmt_events(evs)))
    for k, ev in enumerate(calls):
        where = "call #%d of inner" % k
        check_stack(where, json_frames(where, ev), "inner", lines, depth)
    E.check(all("stack" not in e for e in evs if e["type"] != "call"), "a return has a stack")
    E.check_stats(lp.err(), CALLS, CALLS, 0)


def text_calls(text):
    """[(func, name column, [(func, file, line)])] from a text trace."""
    calls = []
    cur = None
    for ln in text.splitlines():
        m = CALL_RE.match(ln)
        f = FRAME_RE.match(ln)
        if m:
            cur = (m.group(2), len(m.group(1)), [])
            calls.append(cur)
        elif f and cur:
            E.check(len(f.group(1)) == cur[1] + 2,
                    "frame line not indented 2 past its call's name: %r" % ln)
            cur[2].append((f.group(2), f.group(3), int(f.group(4)) if f.group(4) else None))
        else:
            cur = None
    return calls


def t_text(s, ctx, opt, mode):
    lines = marker_lines(s, opt)
    _, text = run(s, ctx, opt, mode, "stack", "text", ["--stack"], ("middle", "inner"))
    calls = text_calls(text)
    for func in ("middle", "inner"):
        mine = [c for c in calls if c[0] == func]
        E.check(len(mine) == CALLS, "%d calls of %s in the text trace, expected %d:\n%s"
                % (len(mine), func, CALLS, E.short(text, 2000)))
        for k, (_, _, frames) in enumerate(mine):
            check_stack("call #%d of %s" % (k, func), frames, func, lines)
    # middle's lines open a block: its stack comes between "{" and inner
    E.check(re.search(r"middle\(x=\d+\) \{\n( +<- .*\n)+\S+ \[\d+\]   inner\(", text),
            "no 'middle(...) {', its stack, then the nested inner call:\n%s" % E.short(text, 2000))


def t_depths(s, ctx, opt):
    for args, depth in ((["-S", "1"], 1), (["--stack=2"], 2), (["-S3"], 3), (["--stack", "2"], 2)):
        lp, _ = run(s, ctx, opt, "launch", "stack", "json", args)
        evs = E.load_json(ctx.path("trace.json"))
        calls = [e for e in evs if e["type"] == "call"]
        E.check(len(calls) == CALLS, "%s: %d calls, expected %d" % (" ".join(args), len(calls), CALLS))
        for k, ev in enumerate(calls):
            where = "%s: call #%d" % (" ".join(args), k)
            check_stack(where, json_frames(where, ev), "inner", marker_lines(s, opt), depth)


def t_bad_values(s, ctx):
    exe = s.bin("O0", "stack")
    for k, args in enumerate((["-S", "0"], ["-S0"], ["--stack=0"], ["--stack", "0"], ["-S", "1001"],
                              ["--stack=1001"], ["-Sx"], ["--stack=x"], ["--stack=-1"], ["-S-1"],
                              ["-S", "99999999999999999999"])):
        p = E.Proc(ctx, s.latch_cmd(*(args + ["inner", "--", exe])), "latch%d" % k)
        p.wait()
        E.check(p.rc == 2, "latch %s exited %s, expected 2 (usage); stderr: %s"
                % (" ".join(args), p.rc, E.short(p.err())))
        E.check(p.err().strip(), "latch %s: no message on stderr" % " ".join(args))
    # not a number: the default depth, and "x" is a probe that matches nothing
    p = E.Proc(ctx, s.latch_cmd("-S", "x", "--", exe), "latch-x")
    p.wait()
    E.check(p.rc == 1 and "'x'" in p.err(), "latch -S x -- stack exited %s, expected 1 for a probe "
            "'x' that matches nothing; stderr: %s" % (p.rc, E.short(p.err())))


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in ("O0", "O2"):
        for mode in ("launch", "attach"):
            R("stack-json-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_json(s, c, o, m))
            R("stack-text-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_text(s, c, o, m))
        R("stack-nocfi-launch-" + opt, lambda c, o=opt: t_json(s, c, o, "launch", "stack-nocfi"))
    R("stack-depths-launch-O2", lambda c: t_depths(s, c, "O2"))
    R("stack-bad-values", lambda c: t_bad_values(s, c))
