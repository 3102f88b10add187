"""End-to-end tests of -f chrome and -f folded (issue 6, "Pictures"),
registered by e2e.py.

tests/targets/pictures.c runs two threads; thread t calls pc_outer(t, i)
for i = 0, 1, 2, which calls pc_mid(2x) and pc_mid(2x + 1) (x = 10t + i),
each of which calls pc_leaf, which sleeps 5 ms.  The target prints each
thread's tid.  The tests check:

* chrome: the file is one JSON array; one "X" slice per call, on the
  thread that made it, with the call's arguments and return value; every
  slice of a thread nests in its caller's interval and no two overlap
  otherwise (what Perfetto's importer requires); process and thread
  metadata; with a return condition on pc_mid, the calls it rejects are
  missing and their callees sit directly in pc_outer; unwound calls
  (tests/targets/longjmp.c) are slices marked "<unwound>"; --no-returns
  gives instants.
* folded: every line is "frame;frame;... WEIGHT" with a positive integer
  weight, the stacks are the target's real call paths, the sleeping leaf
  weighs at least its sleeps and more than everything else; with the
  return condition the rejected pc_mid calls' leaves are under pc_outer
  alone and the accepted ones' under pc_outer;pc_mid, each half of them.

Only the standard library modules e2e.py already uses are imported (the
arm64 guest has a minimal Python).
"""

import json
import re
import sys

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

ROUNDS = 3          # pictures.c's ROUNDS
LEAF_NS = 5000000   # pictures.c's LEAF_MS; times E.SCALE, as there
PROBES = [":pc_*"]
ODD_MID = [":pc_outer", ":pc_mid ret retval % 2 == 1", ":pc_leaf"]
# longjmp's traced calls: (returns, unwinds) per function, as in summary.py
LONGJMP = {"lj_a": (0, 3), "lj_b": (0, 3), "lj_c": (0, 3), "lj_after": (3, 0),
           "lj_mid": (1, 0), "lj_exit": (0, 1)}


def check(cond, msg):
    E.check(cond, msg)


def run(s, ctx, opt, mode, fmt, probes, prog="pictures", want_rc=0, extra=()):
    """Trace prog with -f fmt; returns (the trace's text, the target's
    output, its pid)."""
    exe = s.bin(opt, prog)
    trace = ctx.path("trace." + fmt)
    args = ["-f", fmt, "-o", trace] + list(extra) + list(probes)
    if mode == "launch":
        lp = s.launch(ctx, args, [exe])
        out = lp.out()
    else:
        lp, t = s.attach(ctx, [exe, "-w"], args)
        check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, E.short(t.err())))
        out = t.out()
    check(lp.rc == want_rc, "latch exited %s, expected %d; stderr: %s"
          % (lp.rc, want_rc, E.short(lp.err())))
    return E.readtext(trace), out, lp.target_pid


def thread_tids(out):
    """{tid: t} from the target's "thread t tid T" lines."""
    got = {int(m.group(2)): int(m.group(1))
           for m in re.finditer(r"^thread (\d) tid (\d+)$", out, re.M)}
    check(sorted(got.values()) == [0, 1], "the target printed no tids: %s" % E.short(out))
    return got


# ------------------------------------------------------------------ chrome

def us_to_ns(text, what):
    m = re.match(r"^(\d+)\.(\d{3})$", text)
    check(m, "%s %r is not microseconds with three decimals" % (what, text))
    return int(m.group(1)) * 1000 + int(m.group(2))


def load_chrome(text, pid):
    """The events of a chrome trace; slices get integer "ts_ns" (and
    "dur_ns"). Checks the metadata."""
    check(text.startswith("[\n") and text.endswith("\n]\n"), "not one array, one event a line: %s"
          % E.short(text, 200))
    try:
        evs = json.loads(text, parse_float=str)
    except ValueError as e:
        raise E.TestFail("the trace is not JSON (%s): %s" % (e, E.short(text, 300)))
    check(isinstance(evs, list) and all(isinstance(e, dict) for e in evs),
          "the trace is not an array of objects")
    check(len(text.splitlines()) == len(evs) + 2, "not one event a line")
    procs = [e for e in evs if e.get("ph") == "M" and e.get("name") == "process_name"]
    check(len(procs) == 1 and procs[0]["pid"] == pid and procs[0]["args"] == {"name": "pid %d" % pid},
          "process_name metadata: %s" % procs)
    names = {}
    for e in evs:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            check(e["tid"] not in names and e["pid"] == pid, "thread_name %s twice or bad pid" % e)
            names[e["tid"]] = e["args"]["name"]
    slices = [e for e in evs if e.get("ph") != "M"]
    for e in slices:
        check(e.get("pid") == pid and e.get("cat") == "latch" and isinstance(e.get("name"), str)
              and isinstance(e.get("args"), dict), "bad slice %s" % e)
        check(names.get(e["tid"]) == "tid %d" % e["tid"], "no thread_name for the tid of %s" % e)
        e["ts_ns"] = us_to_ns(e["ts"], "ts")
        if e["ph"] == "X":
            e["dur_ns"] = us_to_ns(e["dur"], "dur")
    check(set(names) == {e["tid"] for e in slices}, "thread_name for threads without slices: %s" % names)
    return slices


def check_proper_nesting(slices):
    """Per thread, sorted by start (longest first), each slice lies inside
    the innermost open one or after it: no partial overlap."""
    by_tid = {}
    for e in slices:
        by_tid.setdefault(e["tid"], []).append(e)
    for tid, evs in by_tid.items():
        stack = []
        for e in sorted(evs, key=lambda e: (e["ts_ns"], -e["dur_ns"])):
            end = e["ts_ns"] + e["dur_ns"]
            while stack and stack[-1][0] <= e["ts_ns"]:
                stack.pop()
            if stack:
                check(end <= stack[-1][0], "tid %d: %s %d+%d overlaps %s without nesting"
                      % (tid, e["name"], e["ts_ns"], e["dur_ns"], stack[-1][1]["name"]))
            stack.append((end, e))


def caller_of(e, slices):
    """The innermost slice on e's thread whose interval holds e's."""
    around = [o for o in slices if o is not e and o["tid"] == e["tid"]
              and o["ts_ns"] <= e["ts_ns"] and e["ts_ns"] + e["dur_ns"] <= o["ts_ns"] + o["dur_ns"]]
    return min(around, key=lambda o: o["dur_ns"]) if around else None


def check_pictures_slices(slices, tids, odd_only):
    check(all(e["ph"] == "X" for e in slices), "slices other than X: %s"
          % [e for e in slices if e["ph"] != "X"][:3])
    check(set(tids) == {e["tid"] for e in slices}, "slices on threads %s, the target's are %s"
          % (sorted({e["tid"] for e in slices}), sorted(tids)))
    outers = sorted((tids[e["tid"]], e["args"].get("i")) for e in slices if e["name"] == "pc_outer")
    check(outers == [(t, i) for t in (0, 1) for i in range(ROUNDS)], "pc_outer (t, i): %s" % outers)
    ys = [2 * (10 * t + i) + k for t in (0, 1) for i in range(ROUNDS) for k in (0, 1)]
    for e in slices:
        t = tids[e["tid"]]
        a = e["args"]
        if e["name"] == "pc_outer":
            i = a.get("i", -1)
            want = {"t": t, "i": i, "return": 12 * (10 * t + i) + 603 + t}
        else:
            y = a.get("y", -1)
            want = {"y": y, "return": 3 * (y + 100) if e["name"] == "pc_mid" else y + 100}
        check(a == want, "%s on thread %d: args %s, expected %s" % (e["name"], t, a, want))
        check(e["dur_ns"] > 0, "%s has no duration" % e)
    mids = sorted(e["args"]["y"] for e in slices if e["name"] == "pc_mid")
    check(mids == sorted(y for y in ys if y % 2 or not odd_only), "pc_mid calls: %s" % mids)
    leaves = sorted(e["args"]["y"] for e in slices if e["name"] == "pc_leaf")
    check(leaves == sorted(ys), "pc_leaf calls: %s" % leaves)
    check_proper_nesting(slices)
    for e in slices:
        up = caller_of(e, slices)
        if e["name"] == "pc_outer":
            check(up is None, "pc_outer inside %s" % up)
            continue
        y = e["args"]["y"]
        x = y // 2
        if e["name"] == "pc_leaf" and (y % 2 or not odd_only):
            check(up and up["name"] == "pc_mid" and up["args"]["y"] == y,
                  "pc_leaf(%d) is inside %s, not pc_mid(%d)" % (y, up, y))
            up = caller_of(up, slices)
        check(up and up["name"] == "pc_outer" and 10 * tids[up["tid"]] + up["args"]["i"] == x,
              "%s(%d) is inside %s, not its pc_outer" % (e["name"], y, up))
        if e["name"] == "pc_leaf":
            check(e["dur_ns"] >= LEAF_NS * E.SCALE, "pc_leaf(%d) lasted %d ns, it sleeps %d"
                  % (y, e["dur_ns"], LEAF_NS * E.SCALE))


def t_chrome(s, ctx, opt, mode, odd_only=False):
    text, out, pid = run(s, ctx, opt, mode, "chrome", ODD_MID if odd_only else PROBES)
    slices = load_chrome(text, pid)
    check_pictures_slices(slices, thread_tids(out), odd_only)


def t_chrome_longjmp(s, ctx, opt):
    text, _, pid = run(s, ctx, opt, "launch", "chrome", ["lj_*"], prog="longjmp", want_rc=3)
    slices = load_chrome(text, pid)
    got = {}
    for e in slices:
        check(e["ph"] == "X", "a slice that is not X: %s" % e)
        unwound = e["args"].get("<unwound>") is True
        check(unwound != ("return" in e["args"]), "%s: neither or both of return and <unwound>" % e)
        r, u = got.get(e["name"], (0, 0))
        got[e["name"]] = (r + (not unwound), u + unwound)
    check(got == LONGJMP, "(returns, unwinds) per function: %s, expected %s"
          % (sorted(got.items()), sorted(LONGJMP.items())))
    check_proper_nesting(slices)


def t_chrome_no_returns(s, ctx, opt):
    text, out, pid = run(s, ctx, opt, "launch", "chrome", [":pc_leaf"], extra=["--no-returns"])
    slices = load_chrome(text, pid)
    tids = thread_tids(out)
    check(all(e["ph"] == "i" and e["s"] == "t" and "dur" not in e for e in slices),
          "not only instants: %s" % E.short(text))
    got = sorted((tids[e["tid"]], e["args"]["y"]) for e in slices)
    check(got == sorted((t, 2 * (10 * t + i) + k) for t in (0, 1) for i in range(ROUNDS) for k in (0, 1)),
          "pc_leaf instants (t, y): %s" % got)


# ------------------------------------------------------------------ folded

def load_folded(text):
    stacks = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^(\S[^;]*(?:;[^;]+)*) ([1-9]\d*)$", line)
        check(m, "line %d is not 'frame;frame WEIGHT': %r" % (n, line))
        check(m.group(1) not in stacks, "stack %s on two lines" % m.group(1))
        stacks[m.group(1)] = int(m.group(2))
    check(list(stacks) == sorted(stacks), "lines not sorted by stack: %s" % list(stacks))
    return stacks


def t_folded(s, ctx, opt, mode, odd_only=False):
    text, out, _ = run(s, ctx, opt, mode, "folded", ODD_MID if odd_only else PROBES)
    thread_tids(out)
    stacks = load_folded(text)
    leaf = "pc_outer;pc_mid;pc_leaf"
    real = {"pc_outer", "pc_outer;pc_mid", leaf}
    if odd_only:
        real.add("pc_outer;pc_leaf")
    check(set(stacks) <= real and leaf in stacks, "stacks %s; the target's call paths are %s"
          % (sorted(stacks), sorted(real)))
    nleaf = 4 * ROUNDS
    if not odd_only:
        check(stacks[leaf] >= nleaf * LEAF_NS * E.SCALE, "%s weighs %d ns, the %d calls sleep %d ns"
              % (leaf, stacks[leaf], nleaf, nleaf * LEAF_NS * E.SCALE))
        rest = sum(w for k, w in stacks.items() if k != leaf)
        check(stacks[leaf] > rest, "the leaf (%d ns) does not outweigh the rest (%d ns): %s"
              % (stacks[leaf], rest, stacks))
        return
    # the rejected pc_mid calls (even y) leave their leaves to pc_outer
    direct = "pc_outer;pc_leaf"
    check(direct in stacks, "no %s stack: %s" % (direct, stacks))
    for k in (leaf, direct):
        check(stacks[k] >= nleaf // 2 * LEAF_NS * E.SCALE, "%s weighs %d ns, its %d calls sleep %d ns"
              % (k, stacks[k], nleaf // 2, nleaf // 2 * LEAF_NS * E.SCALE))
    check(stacks[leaf] < 2 * stacks[direct] and stacks[direct] < 2 * stacks[leaf],
          "the leaves under pc_mid and directly under pc_outer should weigh about the same: %s" % stacks)
    mid = stacks.get("pc_outer;pc_mid", 0)
    # (had the leaves' time been counted as pc_mid's, it would outweigh
    # them; tracing's own cost, large in an emulated guest, is pc_mid's)
    check(mid < stacks[leaf], "pc_mid's self time %d counts its leaf's (%d): %s"
          % (mid, stacks[leaf], stacks))


# ------------------------------------------------------------------ options

def t_options(s, ctx):
    exe = s.bin("O0", "pictures")
    cases = [(["-c", "-f", "chrome"], "-c prints tables in text or json"),
             (["-f", "folded", "--summary-interval", "1"], "-c prints tables in text or json"),
             (["-f", "svg"], "(text, json, chrome or folded)")]
    for k, (args, msg) in enumerate(cases):
        p = E.Proc(ctx, s.latch_cmd(*(args + [":pc_leaf", "--", exe])), "bad%d" % k)
        p.wait()
        check(p.rc == 2 and msg in p.err(), "latch %s: exit %s, stderr %s"
              % (" ".join(args), p.rc, E.short(p.err())))


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in ("O0", "O2"):
        for mode in ("launch", "attach"):
            R("pictures-chrome-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_chrome(s, c, o, m))
            R("pictures-folded-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_folded(s, c, o, m))
    R("pictures-chrome-ret-launch-O2", lambda c: t_chrome(s, c, "O2", "launch", True))
    R("pictures-chrome-ret-attach-O0", lambda c: t_chrome(s, c, "O0", "attach", True))
    R("pictures-folded-ret-launch-O0", lambda c: t_folded(s, c, "O0", "launch", True))
    R("pictures-folded-ret-attach-O2", lambda c: t_folded(s, c, "O2", "attach", True))
    R("pictures-chrome-longjmp-O0", lambda c: t_chrome_longjmp(s, c, "O0"))
    R("pictures-chrome-longjmp-O2", lambda c: t_chrome_longjmp(s, c, "O2"))
    R("pictures-chrome-no-returns-O0", lambda c: t_chrome_no_returns(s, c, "O0"))
    R("pictures-options", lambda c: t_options(s, c))
