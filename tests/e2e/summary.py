"""End-to-end tests of -c/--summary, -v and --summary-interval (issue 5),
registered by e2e.py.

The summary target (tests/targets/summary.c) prints "calls FUNC COUNT" for
each of its traced functions; longjmp (tests/targets/longjmp.c) leaves
traced frames by longjmp and exit, with counts that t_longjmp in e2e.py
spells out.  Each test reads latch's tables, text or JSON, and checks:

* calls, returns and unwinds per function equal what the target made;
* the histogram's buckets sum to returns + unwinds;
* min <= p50 <= p90 <= p99 <= max, and mean * (returns + unwinds) is the
  total (exactly, up to the integer division, in JSON; up to the display's
  rounding in text);
* with -v, every call is also printed; with --summary-interval, the
  interval tables add up to the final one.

Only the standard library modules e2e.py already uses are imported (the
arm64 guest has a minimal Python).
"""

import json
import os
import re
import sys

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

PROBE = ":sm_*"
FUNCS = ("sm_outer", "sm_inner", "sm_leaf", "sm_tick")
# longjmp's traced calls: (calls, returns, unwinds) per function
LONGJMP = {"lj_a": (3, 0, 3), "lj_b": (3, 0, 3), "lj_c": (3, 0, 3), "lj_after": (3, 3, 0),
           "lj_mid": (1, 1, 0), "lj_exit": (1, 0, 1)}


def check(cond, msg):
    E.check(cond, msg)


def target_counts(out):
    """The target's own "calls FUNC COUNT" lines, as (calls, returns, 0)."""
    got = {m.group(1): int(m.group(2)) for m in re.finditer(r"^calls (\w+) (\d+)$", out, re.M)}
    check(set(got) == set(FUNCS), "the target printed counts for %s, expected %s:\n%s"
          % (sorted(got), sorted(FUNCS), E.short(out)))
    return {f: (n, n, 0) for f, n in got.items() if n}


def run(s, ctx, opt, mode, latch_args, prog="summary", prog_args=()):
    """Run latch on prog; returns (latch Proc, the target's output)."""
    exe = s.bin(opt, prog)
    probe = PROBE if prog == "summary" else "lj_*"
    if mode == "launch":
        lp = s.launch(ctx, list(latch_args) + [probe], [exe] + list(prog_args))
        return lp, lp.out()
    lp, t = s.attach(ctx, [exe, "-w"] + list(prog_args), list(latch_args) + [probe])
    check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, E.short(t.err())))
    return lp, t.out()


def check_rc(lp, want=0):
    check(lp.rc == want, "latch exited %s, expected %d; stderr: %s" % (lp.rc, want, E.short(lp.err())))


# ------------------------------------------------------------------ JSON

def json_lines(path):
    E.check(os.path.exists(path), "no output file %s" % path)
    lines = []
    for n, line in enumerate(E.readtext(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            lines.append(json.loads(line))
        except ValueError as e:
            raise E.TestFail("line %d is not JSON (%s): %s" % (n, e, E.short(line, 200)))
    return lines


def json_tables(lines):
    return [o for o in lines if o.get("type") == "summary"]


def check_json_fn(f, where):
    """The invariants of one function's entry; returns (calls, returns, unwinds)."""
    where = "%s, %s" % (where, f.get("func"))
    for k in ("calls", "returns", "unwinds", "total_ns"):
        check(E.isint(f.get(k)) and f[k] >= 0, "%s: %s is %r" % (where, k, f.get(k)))
    check(isinstance(f.get("module"), str) and f["module"].startswith("/"),
          "%s: module is %r" % (where, f.get("module")))
    n = f["returns"] + f["unwinds"]
    keys = ("min_ns", "p50_ns", "p90_ns", "p99_ns", "max_ns")
    hist = f.get("hist")
    check(isinstance(hist, list), "%s: hist is %r" % (where, hist))
    check(sum(b["count"] for b in hist) == n,
          "%s: histogram buckets sum to %d, returns + unwinds = %d" % (where, sum(b["count"] for b in hist), n))
    if n == 0:
        check(all(f.get(k) is None for k in keys + ("mean_ns",)) and f["total_ns"] == 0,
              "%s: no durations, yet %s" % (where, json.dumps(f)))
        return f["calls"], f["returns"], f["unwinds"]
    vals = [f.get(k) for k in keys]
    check(all(E.isint(v) for v in vals) and vals == sorted(vals),
          "%s: min <= p50 <= p90 <= p99 <= max fails: %s" % (where, vals))
    check(f["mean_ns"] == f["total_ns"] // n, "%s: mean_ns %s, total_ns %d / %d"
          % (where, f["mean_ns"], f["total_ns"], n))
    check(f["min_ns"] * n <= f["total_ns"] <= f["max_ns"] * n, "%s: total outside n*[min,max]" % where)
    for b in hist:
        lo, hi = b["lo_ns"], b["hi_ns"]
        check(b["count"] > 0 and (lo, hi) in ((0, 1),) + tuple((1 << k, 2 << k) for k in range(64)),
              "%s: bad bucket %s" % (where, b))
    check(hist[0]["lo_ns"] <= f["min_ns"] < hist[0]["hi_ns"] and
          hist[-1]["lo_ns"] <= f["max_ns"] < hist[-1]["hi_ns"],
          "%s: min %d / max %d outside the first / last bucket %s" % (where, f["min_ns"], f["max_ns"], hist))
    return f["calls"], f["returns"], f["unwinds"]


def json_counts(table, where):
    check(isinstance(table.get("functions"), list) and E.isint(table.get("start_ns"))
          and E.isint(table.get("end_ns")) and table["start_ns"] <= table["end_ns"],
          "%s: bad table %s" % (where, E.short(json.dumps(table), 300)))
    got = {}
    for f in table["functions"]:
        got[f["func"]] = check_json_fn(f, where)
    totals = [f["total_ns"] for f in table["functions"]]
    check(totals == sorted(totals, reverse=True), "%s: not sorted by total: %s" % (where, totals))
    return got


def check_counts(got, want, what):
    check(got == want, "%s (calls, returns, unwinds) per function:\n  got      %s\n  expected %s"
          % (what, sorted(got.items()), sorted(want.items())))


def check_stats_line(lp, want, word="counted"):
    """-c alone prints no calls: the closing line says they were counted."""
    tot = [sum(v[i] for v in want.values()) for i in range(3)]
    E.check_stats(lp.err(), *tot)
    got = E.stats(lp.err())["word"]
    check(got == word, "closing line says %r, expected %r" % (got, word))


def t_json(s, ctx, opt, mode):
    out = ctx.path("summary.json")
    lp, tout = run(s, ctx, opt, mode, ["-c", "-f", "json", "-o", out])
    check_rc(lp)
    want = target_counts(tout)
    tables = json_tables(json_lines(out))
    check(len(tables) == 1 and len(json_lines(out)) == 1,
          "expected one summary line, got: %s" % E.short(E.readtext(out)))
    t = tables[0]
    check(t["interval"] is False, "the final table has interval %r" % t["interval"])
    check(lp.t0 - 5e9 <= t["start_ns"] <= t["end_ns"] <= lp.t1 + 5e9, "start_ns/end_ns are not during the run")
    check_counts(json_counts(t, "table"), want, "JSON table")
    exe = os.path.realpath(s.bin(opt, "summary"))
    check(all(f["module"] == exe for f in t["functions"]), "modules: %s" % [f["module"] for f in t["functions"]])
    check_stats_line(lp, want)


# ------------------------------------------------------------------ text

DUR_RE = re.compile(r"^(\d+(?:\.\d+)?)(ns|us|ms|s)$")
UNITS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
HEAD = ["FUNCTION", "MODULE", "CALLS", "RETURNS", "UNWINDS", "TOTAL", "MEAN", "MIN", "MAX",
        "P50", "P90", "P99"]
BUCKET_RE = re.compile(r"^(\[[^\]]*\]|\[[^)]*\)) +(\d+) \|([@ ]{52})\|$")


def ns(text, where):
    m = DUR_RE.match(text)
    check(m, "%s: %r is not a duration" % (where, text))
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_text(text):
    """Tables of text output: [{"kind", "rows": {func: dict}, "hist": {func: [counts]}}]."""
    tables = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^== (summary|interval) (\d\d:\d\d:\d\d\.\d{6}) - (\d\d:\d\d:\d\d\.\d{6}) \((\S+)\) ==$",
                     lines[i])
        if not m:
            i += 1
            continue
        t = {"kind": m.group(1), "rows": {}, "hist": {}}
        tables.append(t)
        i += 1
        if lines[i] == "no calls":
            continue
        check(lines[i].split() == HEAD, "table header is %r" % lines[i])
        i += 1
        while i < len(lines) and lines[i]:
            cells = lines[i].split()
            check(len(cells) == len(HEAD), "table row %r" % lines[i])
            t["rows"][cells[0]] = dict(zip(HEAD, cells))
            i += 1
        while i + 1 < len(lines) and not lines[i] and re.match(r"^\S+ \(\S+\), duration in ns:$", lines[i + 1]):
            name = lines[i + 1].split()[0]
            i += 2
            counts = []
            while i < len(lines) and BUCKET_RE.match(lines[i]):
                counts.append(int(BUCKET_RE.match(lines[i]).group(2)))
                i += 1
            t["hist"][name] = counts
    return tables


def text_counts(t, where):
    got = {}
    for name, r in t["rows"].items():
        w = "%s, %s" % (where, name)
        c, rt, u = int(r["CALLS"]), int(r["RETURNS"]), int(r["UNWINDS"])
        got[name] = (c, rt, u)
        n = rt + u
        if n == 0:
            check(all(r[k] == "-" for k in HEAD[5:]) and name not in t["hist"], "%s: %s" % (w, r))
            continue
        hist = t["hist"].get(name)
        check(hist and sum(hist) == n and hist[0] and hist[-1],
              "%s: histogram %s does not sum to returns + unwinds = %d" % (w, hist, n))
        vals = [ns(r[k], w) for k in ("MIN", "P50", "P90", "P99", "MAX")]
        check(vals == sorted(vals), "%s: MIN <= P50 <= P90 <= P99 <= MAX fails: %s" % (w, vals))
        total, mean = ns(r["TOTAL"], w), ns(r["MEAN"], w)
        # three significant digits at least, on both sides
        check(abs(mean * n - total) <= 0.02 * total + n * 0.5,
              "%s: MEAN %s x %d is not TOTAL %s" % (w, r["MEAN"], n, r["TOTAL"]))
    return got


def t_text(s, ctx, opt, mode):
    out = ctx.path("summary.txt")
    lp, tout = run(s, ctx, opt, mode, ["-c", "-o", out])
    check_rc(lp)
    want = target_counts(tout)
    text = E.readtext(out)
    tables = parse_text(text)
    check(len(tables) == 1 and tables[0]["kind"] == "summary", "expected one summary table:\n%s" % E.short(text))
    check_counts(text_counts(tables[0], "table"), want, "text table")
    check(re.search(r"^sm_leaf \(summary\), duration in ns:$", text, re.M),
          "no 'sm_leaf (summary), duration in ns:' histogram heading")
    check_stats_line(lp, want)


# ------------------------------------------------------------------ -v, intervals, unwinds

def t_verbose(s, ctx, opt, fmt):
    out = ctx.path("trace")
    lp, tout = run(s, ctx, opt, "launch", ["-c", "-v", "-f", fmt, "-o", out])
    check_rc(lp)
    want = target_counts(tout)
    if fmt == "json":
        lines = json_lines(out)
        evs = [o for o in lines if o.get("type") != "summary"]
        check(json_lines(out)[-1].get("type") == "summary" and len(json_tables(lines)) == 1,
              "expected the events, then one summary line")
        got = json_counts(json_tables(lines)[0], "table")
    else:
        text = E.readtext(out)
        tables = parse_text(text)
        check(len(tables) == 1, "expected one table after the calls:\n%s" % E.short(text))
        got = text_counts(tables[0], "table")
        head = text[:text.index("== summary ")]
        evs = [{"type": "call", "func": m.group(1)}
               for m in re.finditer(r"^\d\d:\d\d:\d\d\.\d{6} \[\d+\] +(sm_\w+)\(", head, re.M)]
    check_counts(got, want, "table")
    per_call = {}
    for e in evs:
        if e["type"] == "call":
            per_call[e["func"]] = per_call.get(e["func"], 0) + 1
    check(per_call == {f: c for f, (c, _, _) in want.items()},
          "calls printed one by one: %s, expected %s" % (sorted(per_call.items()), sorted(want.items())))
    check_stats_line(lp, want, "printed")


def t_interval(s, ctx, opt, fmt):
    out = ctx.path("trace")
    lp, tout = run(s, ctx, opt, "launch", ["--summary-interval", "0.2", "-f", fmt, "-o", out],
                   prog_args=["1000"])
    check_rc(lp)
    want = target_counts(tout)
    if fmt == "json":
        tables = json_tables(json_lines(out))
        check(len(json_lines(out)) == len(tables), "lines other than tables: no -v was given")
        counts = [json_counts(t, "table %d" % i) for i, t in enumerate(tables)]
        kinds = ["interval" if t["interval"] else "summary" for t in tables]
        for a, b in zip(tables[:-2], tables[1:-1]):
            check(a["end_ns"] == b["start_ns"], "intervals do not follow each other: %s %s"
                  % (a["end_ns"], b["start_ns"]))
    else:
        tables = parse_text(E.readtext(out))
        counts = [text_counts(t, "table %d" % i) for i, t in enumerate(tables)]
        kinds = [t["kind"] for t in tables]
    check(len(tables) >= 4 and kinds[-1] == "summary" and set(kinds[:-1]) == {"interval"},
          "expected several interval tables, then the summary; got %s" % kinds)
    check_counts(counts[-1], want, "final table")
    summed = {}
    for c in counts[:-1]:
        for f, v in c.items():
            summed[f] = tuple(a + b for a, b in zip(summed.get(f, (0, 0, 0)), v))
    check_counts(summed, counts[-1], "sum of the interval tables")
    check(sum(1 for c in counts[:-1] if c.get("sm_tick")) >= 3,
          "sm_tick ran for a second but appears in fewer than 3 intervals: %s" % counts)


def t_longjmp(s, ctx, opt, fmt):
    out = ctx.path("trace")
    lp, _ = run(s, ctx, opt, "launch", ["-c", "-f", fmt, "-o", out], prog="longjmp")
    check_rc(lp, 3)
    if fmt == "json":
        tables = json_tables(json_lines(out))
        check(len(tables) == 1, "%d tables" % len(tables))
        got = json_counts(tables[0], "table")
    else:
        tables = parse_text(E.readtext(out))
        check(len(tables) == 1, "%d tables" % len(tables))
        got = text_counts(tables[0], "table")
    check_counts(got, LONGJMP, "longjmp table")
    check_stats_line(lp, LONGJMP)


def t_options(s, ctx):
    exe = s.bin("O0", "summary")
    for bad in ("0", "-1", "abc", "1x", "nan", "inf"):
        p = E.Proc(ctx, s.latch_cmd("--summary-interval", bad, PROBE, "--", exe), "bad")
        p.wait()
        check(p.rc == 2 and "summary interval" in p.err(),
              "--summary-interval %s: exit %s, stderr %s" % (bad, p.rc, E.short(p.err())))
    # -v alone changes nothing: the calls, no table
    out = ctx.path("v.txt")
    lp = s.launch(ctx, ["-v", "-o", out, ":sm_inner"], [exe], name="v")
    check_rc(lp)
    text = E.readtext(out)
    check("== summary" not in text and len(re.findall(r"sm_inner\(", text)) == 50,
          "-v without -c: %s" % E.short(text))


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in ("O0", "O2"):
        for mode in ("launch", "attach"):
            R("summary-json-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_json(s, c, o, m))
            R("summary-text-%s-%s" % (mode, opt), lambda c, o=opt, m=mode: t_text(s, c, o, m))
        R("summary-longjmp-json-" + opt, lambda c, o=opt: t_longjmp(s, c, o, "json"))
        R("summary-longjmp-text-" + opt, lambda c, o=opt: t_longjmp(s, c, o, "text"))
    R("summary-verbose-json-O0", lambda c: t_verbose(s, c, "O0", "json"))
    R("summary-verbose-text-O2", lambda c: t_verbose(s, c, "O2", "text"))
    R("summary-interval-json-O2", lambda c: t_interval(s, c, "O2", "json"))
    R("summary-interval-text-O0", lambda c: t_interval(s, c, "O0", "text"))
    R("summary-options", lambda c: t_options(s, c))
