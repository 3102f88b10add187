"""Conditions on calls ("PROBE if EXPR ret EXPR"), --rate and the summary
line, against tests/targets/conds.c, which prints for every condition how
many of its calls should match ("expect KEY N"); see e2e.py for the
harness.  Registered from e2e.py's main()."""

import sys

E = None  # the e2e module, set by register()

# key: (probes, function, whether it decides on return)
CASES = {
    "int_gt": (["c_int if a > 10"], "c_int", False),
    "int_mix": (["c_int if (a < -40 || b >= 90) && a != -45"], "c_int", False),
    "int_arith": (["c_int if (a * 3 + 1) % 5 == 2"], "c_int", False),
    "int_bits": (["c_int if (b & 0x3) == 0x1 && !(b & 0x40)"], "c_int", False),
    "int_or": (["c_int if a > 40", "c_int if arg2 < 5"], "c_int", False),
    "str_glob": (['c_str if path ~ "/etc/*"'], "c_str", False),
    "str_eq": (['c_str if path == "/etc/hosts"'], "c_str", False),
    "str_null": (["c_str if path == NULL"], "c_str", False),
    "str_notnull_ne": (['c_str if path != NULL && path != ""'], "c_str", False),
    "str_index": (["c_str if path != NULL && path[0] == '/' && path[1] == 'u'"], "c_str", False),
    "req_field": (["c_req if r->method == 2"], "c_req", False),
    "req_len_path": (["c_req if r->len > 50 && r->path != NULL"], "c_req", False),
    "req_null": (["c_req if r == NULL"], "c_req", False),
    "req_deep": (["c_req if r != NULL && r->h != NULL && (r->h->flags & 0x4)"], "c_req", False),
    "req_ret": (["c_req if r->method == 2 ret retval < 0"], "c_req", True),
    "float_cmp": (["c_float if x > 1.5 && y <= 5.0"], "c_float", False),
    "float_neg": (["c_float if -x >= 2.0"], "c_float", False),
    "enum_eq": (["c_enum if c == BLUE"], "c_enum", False),
    "enum_ne": (["c_enum if c != RED"], "c_enum", False),
    "enum_ret": (["c_enum ret retval == GREEN"], "c_enum", True),
    "ret_neg": (["c_ret ret retval < 0"], "c_ret", True),
    "ret_both": (["c_ret if i % 2 == 0 ret retval == 3"], "c_ret", True),
    "char_eq": (["c_char if c == 'q' || c == 'z'"], "c_char", False),
    "dur_slow": (["c_sleep ret dur > 30ms"], "c_sleep", True),
}
TOTAL = {"c_int": "int_all", "c_str": "str_all", "c_req": "req_all"}


def expectations(text):
    want = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "expect":
            want[f[1]] = int(f[2])
    E.check(want and "bad 0\ndone\n" in text, "the target did not finish cleanly: %s" % E.short(text))
    return want


def traced(s, ctx, key, opt, mode):
    probes, fn, on_return = CASES[key]
    exe = s.bin(opt, "conds")
    out = ctx.path("trace.json")
    args = ["-f", "json", "-o", out] + probes
    slow = ["-s"] if key == "dur_slow" else []
    if mode == "launch":
        lp = s.launch(ctx, args, [exe] + slow)
        text = lp.out()
    else:
        lp, tp = s.attach(ctx, [exe, "-w"] + slow, args)
        text = tp.out()
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    want = expectations(text)
    evs = E.load_json(out, pid=lp.target_pid)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    E.check(all(e["func"] == fn for e in evs), "events of other functions than %s" % fn)
    E.check(len(calls) == want[key], "%s: %d calls reported, the target says %d match"
            % (" ".join(probes), len(calls), want[key]))
    E.check(sorted(e["call_id"] for e in calls if "call_id" in e) ==
            sorted(e["call_id"] for e in rets if "call_id" in e) and len(rets) == len(calls),
            "%d calls but %d returns" % (len(calls), len(rets)))
    st = E.stats(lp.err())
    total = want.get(TOTAL.get(fn, ""), None)
    if total is not None:
        E.check(st["seen"] == total, "summary line: %d calls seen, the target made %d" % (st["seen"], total))
    E.check(st["calls"] == len(calls) and st["returns"] == len(rets) and
            st["filtered"] == st["seen"] - len(calls) and st["dropped"] == 0,
            "summary line %s for %d calls reported" % (st, len(calls)))
    # Filtered calls cost one stop: no return trap unless the return
    # decides. A return trap left planted costs one more stop when a
    # filtered call comes back to it (then latch removes it): at most once
    # per change from reported to filtered calls.
    trapped = st["seen"] if on_return else len(calls)
    E.check(st["seen"] + len(calls) <= st["stops"] <=
            st["seen"] + trapped + min(trapped, st["seen"] - trapped) + 12,
            "%d stops for %d calls seen and %d reported (%s)"
            % (st["stops"], st["seen"], len(calls), "return condition" if on_return else "entry"))
    return calls, st


def t_case(s, ctx, key, opt, mode="launch"):
    calls, _ = traced(s, ctx, key, opt, mode)
    # The values reported satisfy the condition, seen from this side too.
    if key == "int_gt":
        E.check(all(c["args"]["a"] > 10 for c in calls), "a call with a <= 10 reported")
    if key == "str_glob":
        E.check(all(str(c["args"]["path"]).find("/etc/") >= 0 for c in calls),
                "a path outside /etc/ reported")
    if key == "enum_eq":
        E.check(all(c["args"]["c"] == "BLUE" for c in calls), "a colour other than BLUE reported")


def t_unreadable(s, ctx, opt):
    """A condition that reads memory no one may read is false, and counted."""
    lp = s.launch(ctx, ["-f", "json", "-o", ctx.path("t.json"), "c_req if r->len >= 0"],
                  [s.bin(opt, "conds")])
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    want = expectations(lp.out())
    st = E.stats(lp.err())
    E.check(st["calls"] == want["req_all"] - want["req_null"] - want["req_unreadable"],
            "%d calls reported; expected every call with a readable r" % st["calls"])
    E.check(st["unreadable"] == want["req_null"] + want["req_unreadable"],
            "summary line counts %d unreadable, expected %d (NULL and 0x10)"
            % (st["unreadable"], want["req_null"] + want["req_unreadable"]))
    E.check("unreadable" in lp.err(), "no unreadable count on stderr")


def t_limit_n(s, ctx):
    """-n counts reported calls: the first five that match."""
    out = ctx.path("t.json")
    lp = s.launch(ctx, ["-f", "json", "-o", out, "-n", "5", "c_int if a > 10"], [s.bin("O0", "conds")])
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    calls = [e for e in E.load_json(out) if e["type"] == "call"]
    E.check([c["args"]["a"] for c in calls] == [11, 12, 13, 14, 15],
            "-n 5 reported a = %s" % [c["args"]["a"] for c in calls])


def t_glob_partial(s, ctx):
    """A glob whose condition fits some functions traces those, and says
    which it leaves out."""
    out = ctx.path("t.json")
    lp = s.launch(ctx, ["-f", "json", "-o", out, ":c_* if a > 10"], [s.bin("O0", "conds")])
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    want = expectations(lp.out())
    E.check("its condition does not fit 7 of the 8 functions it selects" in lp.err(),
            "no warning about the functions without 'a': %s" % E.short(lp.err()))
    calls = [e for e in E.load_json(out) if e["type"] == "call"]
    E.check(len(calls) == want["int_gt"] and all(c["func"] == "c_int" for c in calls),
            "%d calls reported, expected %d of c_int" % (len(calls), want["int_gt"]))


ERRORS = [
    # probe, exit status, message
    ("c_int if zz > 1", 1, "probe 'c_int if zz > 1': c_int: column 10: expected a parameter (a, b, arg1..arg2), "
                           "found unknown name 'zz'"),
    ("c_req if r->nope == 1", 1, "column 11: expected a member of the struct it points to, found 'nope'"),
    ("c_req if r->h->flags.x", 1, "column 21: expected a struct or a pointer to one before '.'"),
    ("c_req if r->h->nope", 1, "column 14: expected a member of the struct it points to, found 'nope'"),
    ("c_int if a[1] > 0", 1, "column 11: expected an array or pointer before '['"),
    ("c_int if retval > 0", 1, "found 'retval', which only a return condition knows (write it after 'ret')"),
    ("c_enum if c == PURPLE", 1, "found unknown name 'PURPLE'"),
    ("c_int if a >", 2, "probe 'c_int if a >': column 13: expected an operand"),
    ("c_int if (a > 1", 2, "column 16: expected ')' to match '(' at column 10"),
    ("c_int if a > 1 ret", 2, "column 19: expected a condition"),
    # the checker, which runs per function, finds these two
    ('c_str if path ~ path', 1, "column 17: expected a string pattern after '~'"),
    ("c_int when a > 1", 2, "column 7: expected 'if' or 'ret' after the function glob"),
    ("c_int if a > 5s", 1, "expected a duration to be compared with dur"),
]


def t_errors(s, ctx):
    """Bad conditions are refused before the command runs main."""
    exe = s.bin("O0", "conds")
    for k, (probe, rc, msg) in enumerate(ERRORS):
        lp = s.launch(ctx, [probe], [exe], name="latch%d" % k)
        E.check(lp.rc == rc, "%r: exit %s, expected %s; %s" % (probe, lp.rc, rc, E.short(lp.err())))
        E.check(msg in lp.err(), "%r: stderr lacks %r: %s" % (probe, msg, E.short(lp.err())))
        E.check(len(lp.err().strip().splitlines()) <= 2, "%r: more than one line: %s" % (probe, lp.err()))
        E.check("pid " not in lp.out(), "%r: the command ran main although latch refused" % probe)
    lp = s.launch(ctx, ["--no-returns", "c_ret ret retval < 0"], [exe], name="latch-noret")
    E.check(lp.rc == 2 and "a return condition needs the returns" in lp.err(),
            "--no-returns with a return condition: exit %s; %s" % (lp.rc, E.short(lp.err())))


def t_error_attach(s, ctx):
    """A condition that does not fit is refused before latch attaches."""
    loop = s.bin("O2", "loop")
    go = ctx.path("go")
    tp = E.Proc(ctx, [loop, "-W", go, "-k", "1000"], "target")
    pid = tp.wait_pid_line()
    p = E.Proc(ctx, s.latch_cmd("-p", pid, "step if j > 1"), "latch")
    p.wait()
    E.check(p.rc == 1 and "found unknown name 'j'" in p.err(),
            "attach with a bad condition: exit %s; %s" % (p.rc, E.short(p.err())))
    E.check(E.tracer_pid(pid) == 0, "the target is traced after latch refused")
    open(go, "w").close()
    tp.wait()
    E.check(E.drop_pid(tp.out()) == "count 1000\nbad 0\ncode ok\n",
            "target after the refusal said %r" % E.drop_pid(tp.out()))


def t_error_if(s, ctx, opt):
    """--error-if marks returns, chooses nothing, and is warned about where
    it does not fit (c_sleep returns void)."""
    out = ctx.path("t.json")
    exe = s.bin(opt, "conds")
    lp = s.launch(ctx, ["-f", "json", "-o", out, "--error-if", "retval < 0 && dur < 1000s",
                        "c_ret", "c_int", "c_sleep"], [exe])
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    want = expectations(lp.out())
    E.check("--error-if 'retval < 0 && dur < 1000s' does not fit 1 of the 3 traced functions"
            in lp.err(), "no warning about c_sleep: %s" % E.short(lp.err()))
    rets = [e for e in E.load_json(out) if e["type"] == "return"]
    E.check(len([e for e in rets if e["func"] == "c_ret"]) == want["ret_all"],
            "--error-if changed which calls are reported")
    for e in rets:
        neg = e["func"] != "c_sleep" and e["ret"] < 0
        E.check(e.get("error", False) == neg, "return %s marked error=%s" % (e, e.get("error")))
    E.check(len([e for e in rets if e.get("error") and e["func"] == "c_ret"]) == want["ret_neg"],
            "error marks on c_ret differ from the %d negative results" % want["ret_neg"])
    for k, (args, rc, msg) in enumerate([
            (["--error-if", "nosuch > 0", "c_ret"], 1, "found unknown name 'nosuch'"),
            (["--error-if", "retval <", "c_ret"], 2, "--error-if 'retval <': column 9"),
            (["--error-if", "retval < 0", "--no-returns", "c_ret"], 2, "needs the returns")]):
        lp = s.launch(ctx, args, [exe], name="latch-bad%d" % k)
        E.check(lp.rc == rc and msg in lp.err(), "%s: exit %s, expected %s with %r: %s"
                % (args, lp.rc, rc, msg, E.short(lp.err())))
        E.check("pid " not in lp.out(), "%s: the command ran main although latch refused" % args)


def t_rate(s, ctx, opt):
    """--rate N: never more than N printed calls in any second; the rest
    are dropped, counted, and cost no return trap."""
    out = ctx.path("t.json")
    n = 30000 // E.SCALE   # an emulated guest stops 50 times slower
    lp = s.launch(ctx, ["-f", "json", "-o", out, "--rate", "200", "step"],
                  [s.bin(opt, "loop"), str(n)], timeout=120)
    E.check(lp.rc == 0, "latch exited %s: %s" % (lp.rc, E.short(lp.err())))
    evs = E.load_json(out)
    calls = [e for e in evs if e["type"] == "call"]
    st = E.stats(lp.err())
    E.check(st["seen"] == n, "%d calls seen, the target made %d" % (st["seen"], n))
    E.check(st["calls"] == len(calls) and st["calls"] + st["dropped"] == n and st["filtered"] == 0,
            "summary line %s for %d printed calls" % (st, len(calls)))
    E.check(st["dropped"] > 0, "nothing dropped: the run was too short to test --rate")
    ts = [c["ts"] for c in calls]
    for i in range(len(ts) - 200):
        E.check(ts[i + 200] - ts[i] >= 1e9 - 2e6,
                "calls %d and %d printed %.3f s apart: more than 200 in a second"
                % (i, i + 200, (ts[i + 200] - ts[i]) / 1e9))
    # a return trap left planted by a printed call may cost a dropped call
    # one more stop, at most once per change from printed to dropped
    E.check(st["stops"] <= st["seen"] + len(calls) + min(len(calls), st["dropped"]) + 12,
            "dropped calls had their returns trapped: %s" % st)


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in E.OPTS:
        for key in CASES:
            R("cond-%s-%s" % (key.replace("_", "-"), opt), lambda c, k=key, o=opt: t_case(s, c, k, o))
        R("cond-unreadable-" + opt, lambda c, o=opt: t_unreadable(s, c, o))
    R("cond-int-gt-attach-O2", lambda c: t_case(s, c, "int_gt", "O2", "attach"))
    R("cond-req-ret-attach-O0", lambda c: t_case(s, c, "req_ret", "O0", "attach"))
    R("cond-limit-n", lambda c: t_limit_n(s, c))
    R("cond-glob-partial", lambda c: t_glob_partial(s, c))
    R("cond-errors", lambda c: t_errors(s, c))
    R("cond-error-attach", lambda c: t_error_attach(s, c))
    R("rate-O2", lambda c: t_rate(s, c, "O2"))
    for opt in E.OPTS:
        R("error-if-" + opt, lambda c, o=opt: t_error_if(s, c, o))
