"""Value rendering end-to-end tests (issue 4), registered by e2e.py.

The targets of tests/targets/values/ (built by tests/targets/build.sh as
v_ints, v_floats, ..., v_cxx into O0/, O2/ and O2-split/) print, after every
traced call, one line

    expect FUNC {"arg":VALUE,...} -> VALUE        (or "-> void")

in the JSON-with-tags form described in tests/targets/values/vexpect.h.
Each test runs latch on a target, turns every VALUE into what latch must
print under the test's -s, -A and --depth (render()), and compares it with
latch's call and return records, exactly (match()):

* integers, bools, null, chars, enum names: equal JSON values and types
* pointers: "0x..." strings of the same address; {"ptr","sym"},
  {"ptr","to"}, {"ptr","unreadable":true} objects for symbols, followed
  pointers and references, unreadable pointees
* strings: the bytes decoded as UTF-8 where valid, each other byte as the
  code point U+00XX; cut at -s N when no NUL lies within the first N bytes
  ({"str":...,"truncated":true}); char[N] up to its first NUL
* floats: the number latch printed must round, in the value's own format
  (float, double, x87 or IEEE quad long double: the target states mantissa
  bits and exponent range), to exactly the value the target passed or got,
  with the sign of zero, in no more significant digits than the shortest
  such text; "nan", "inf", "-inf" as strings.  Exact rational arithmetic on
  Python ints, no float() anywhere.
* structs/unions/classes by member name; arrays cut at -A N with "...";
  aggregates nested deeper than --depth N replaced by "{...}"

Only the standard library modules e2e.py already uses are imported (the
arm64 guest has a minimal Python).
"""

import json
import os
import re
import sys

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

VARIANTS = ("O0", "O2", "O2-split")
FAMILIES = ("ints", "floats", "mixed", "structs", "structptr", "unions", "enums", "arrays",
            "bitfields", "strings", "fnptrs", "depth", "cxx")
TARGETS = tuple("v_" + f for f in FAMILIES)
DEFAULTS = {"s": 64, "A": 16, "depth": 2}

# A char * is cut when no NUL lies within the first -s N bytes (value-spec:
# "string cut at -s N (no NUL within N bytes)"): a string of exactly N bytes
# is shown whole but marked truncated.
STR_CUT_AT_LIMIT = True


def probe_for(family):
    return ":ns::*" if family == "cxx" else ":v_*"


# ------------------------------------------------------- JSON with number text

class JInt(int):
    text = ""


class JFloat(float):
    text = ""


def _jint(t):
    v = JInt(int(t))
    v.text = t
    return v


def _jfloat(t):
    v = JFloat(float(t))
    v.text = t
    return v


def _jconst(t):
    raise ValueError("%s is not JSON" % t)


def jloads(text):
    """json.loads keeping each number's text (JInt/JFloat .text), and
    refusing NaN/Infinity, which are not JSON."""
    return json.loads(text, parse_int=_jint, parse_float=_jfloat, parse_constant=_jconst)


# ---------------------------------------------------- exact binary floats

def _rhe(a, b):
    """a/b rounded to the nearest integer, ties to even (a, b > 0)."""
    q, r = divmod(a, b)
    if 2 * r > b or (2 * r == b and q & 1):
        q += 1
    return q


def _ge_pow2(n, d, k):
    return n >= (d << k) if k >= 0 else (n << -k) >= d


def _ge_pow10(n, d, k):
    return n >= d * 10 ** k if k >= 0 else n * 10 ** -k >= d


def fp_round(n, d, fmt):
    """The positive rational n/d rounded to the binary format fmt = (mant,
    emin, emax) in <float.h> terms: ("num", k, q) for k * 2**q with k odd
    or 0, or ("inf",)."""
    mant, emin, emax = fmt
    if n == 0:
        return ("num", 0, 0)
    e = n.bit_length() - d.bit_length()
    if _ge_pow2(n, d, e):
        e += 1
    e = max(e, emin)
    q = e - mant
    k = _rhe(n << -q, d) if q < 0 else _rhe(n, d << q)
    if k == 0:
        return ("num", 0, 0)
    if k.bit_length() + q > emax:
        return ("inf",)
    tz = (k & -k).bit_length() - 1
    return ("num", k >> tz, q + tz)


def parse_hexfloat(t):
    """C99 %a text -> (negative, n, d)."""
    m = re.match(r"^(-?)0x([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?p([+-]?\d+)$", t)
    if not m:
        raise ValueError("bad hex float %r" % t)
    frac = m.group(3) or ""
    n = int(m.group(2) + frac, 16)
    d = 16 ** len(frac)
    ex = int(m.group(4))
    if ex >= 0:
        n <<= ex
    else:
        d <<= -ex
    return m.group(1) == "-", n, d


DEC_RE = re.compile(r"^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$")


def parse_dec(t):
    """Decimal number text -> (negative, n, d, significant digits)."""
    m = DEC_RE.match(t)
    if not m:
        return None
    frac = m.group(3) or ""
    digits = (m.group(2) + frac).lstrip("0").rstrip("0")
    n = int(m.group(2) + frac)
    ex = int(m.group(4) or 0) - len(frac)
    d = 1
    if ex >= 0:
        n *= 10 ** ex
    else:
        d = 10 ** -ex
    return m.group(1) == "-", n, d, max(1, len(digits))


def dec_text(digits, x):
    """Text of 0.DIGITS * 10**(x+1), like %g: positional for small exponents."""
    if -5 <= x < 17:
        if x < 0:
            return "0." + "0" * (-x - 1) + digits
        if len(digits) <= x + 1:
            return digits + "0" * (x + 1 - len(digits))
        return digits[:x + 1] + "." + digits[x + 1:]
    return "%s%se%+d" % (digits[0], "." + digits[1:] if len(digits) > 1 else "", x)


def shortest(n, d, fmt):
    """(digits, text): the fewest significant decimal digits that round back
    to the format's value n/d (> 0), and such a text."""
    want = fp_round(n, d, fmt)
    t = (n.bit_length() - d.bit_length()) * 30103 // 100000   # 10**t near n/d
    while _ge_pow10(n, d, t + 1):
        t += 1
    while not _ge_pow10(n, d, t):
        t -= 1                              # now 10**t <= n/d < 10**(t+1)
    for nd in range(1, 60):
        p = t - (nd - 1)
        m = _rhe(n * 10 ** -p, d) if p < 0 else _rhe(n, d * 10 ** p)
        for c in (m, m - 1, m + 1):
            if c <= 0:
                continue
            cn, cd = (c, 10 ** -p) if p < 0 else (c * 10 ** p, 1)
            if fp_round(cn, cd, fmt) == want:
                return nd, dec_text(str(c).rstrip("0"), p + len(str(c)) - 1)
    raise ValueError("no decimal text for %d/%d" % (n, d))


FMT_NAMES = {(24, -125, 128): "float", (53, -1021, 1024): "double",
             (64, -16381, 16384): "long double (x87)", (113, -16381, 16384): "long double (quad)"}


class FP:
    """A float the target passed or got: {"$fp":HEX,"mant","emin","emax"}."""

    def __init__(self, tag):
        self.hex = tag["$fp"]
        self.fmt = (tag["mant"], tag["emin"], tag["emax"])
        self.kind = FMT_NAMES.get(self.fmt, "float format %s" % (self.fmt,))
        if self.hex in ("nan", "inf", "-inf"):
            self.special = self.hex
            return
        self.special = None
        self.neg, n, d = parse_hexfloat(self.hex)
        self.val = fp_round(n, d, self.fmt)
        if n and self.val[0] == "num" and (self.val[1] << max(self.val[2], 0)) * d != n << max(-self.val[2], 0):
            raise ValueError("%s is not a %s" % (self.hex, self.kind))
        if n:
            self.ndig, self.text = shortest(n, d, self.fmt)
        else:
            self.ndig, self.text = 1, "0"
        if self.neg:
            self.text = "-" + self.text

    def desc(self):
        if self.special:
            return "%s %s" % (self.kind, self.special)
        return "%s %s (%s)" % (self.kind, self.text, self.hex)

    def mismatch(self, got):
        """None if got (JSON) is this value, else why not."""
        if self.special:
            return None if got == self.special and isinstance(got, str) else "not the string \"%s\"" % self.special
        if not isinstance(got, (JInt, JFloat)):
            return "not a number"
        p = parse_dec(got.text)
        if p is None:
            return "number text %r not understood" % got.text
        neg, n, d, ndig = p
        if neg != self.neg:
            return "wrong sign"
        if fp_round(n, d, self.fmt) != self.val:
            return "%s does not read back as this %s" % (got.text, self.kind)
        if ndig > self.ndig:
            return "%s has %d significant digits, the shortest text has %d" % (got.text, ndig, self.ndig)
        return None


class Addr:
    def __init__(self, text):
        self.text = text
        self.val = int(text, 16)

    def desc(self):
        return json.dumps(self.text)

    def mismatch(self, got):
        if isinstance(got, str) and re.match(r"^0x[0-9a-f]+$", got) and int(got, 16) == self.val:
            return None
        return "not the address \"%s\"" % self.text


# ------------------------------------------------------ expected rendering

def text_of(b):
    """Bytes as latch's JSON string must decode: valid UTF-8 as such, any
    other byte as U+00XX."""
    out = []
    i = 0
    while i < len(b):
        try:
            out.append(b[i:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            out.append(b[i:i + e.start].decode("utf-8"))
            out.append(chr(b[i + e.start]))
            i += e.start + 1
    return "".join(out)


def render(v, level, o):
    """What latch must print for the target's tagged value v, an aggregate
    at nesting level `level` (an argument's own struct is level 1), under
    the options o = {"s", "A", "depth"}."""
    if isinstance(v, dict):
        if "$fp" in v:
            return FP(v)
        if "$addr" in v:
            return Addr(v["$addr"])
        if "$sym" in v:
            return {"ptr": Addr(v["$sym"]), "sym": v["name"]}
        if "$bad" in v:
            return {"ptr": Addr(v["$bad"]), "unreadable": True}
        if "$to" in v:
            # the pointee sits at the pointer's own level; a pointer at
            # a level --depth does not show is not followed at all
            if level > o["depth"]:
                return Addr(v["$to"])
            return {"ptr": Addr(v["$to"]), "to": render(v["val"], level, o)}
        if "$str" in v:
            raw = bytes.fromhex(v["$str"])
            if len(raw) > o["s"] or (STR_CUT_AT_LIMIT and len(raw) == o["s"]):
                return {"str": text_of(raw[:o["s"]]), "truncated": True}
            return text_of(raw)
        if "$chars" in v:
            raw = bytes.fromhex(v["$chars"])
            raw = raw.split(b"\0")[0]
            if len(raw) > o["s"]:
                return {"str": text_of(raw[:o["s"]]), "truncated": True}
            return text_of(raw)
        for k in v:
            if k.startswith("$"):
                raise ValueError("unknown tag %s" % k)
        if level > o["depth"]:
            return "{...}"
        return {k: render(x, level + 1, o) for k, x in v.items()}
    if isinstance(v, list):
        if level > o["depth"]:
            return "{...}"
        out = [render(x, level + 1, o) for x in v[:o["A"]]]
        if len(v) > o["A"]:
            out.append("...")
        return out
    return v


def desc(v):
    """Short text for an expected value (with matchers)."""
    if isinstance(v, (FP, Addr)):
        return v.desc()
    if isinstance(v, dict):
        return "{" + ",".join("%s:%s" % (json.dumps(k), desc(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(desc(x) for x in v) + "]"
    return json.dumps(v)


def gdesc(v):
    if isinstance(v, (JInt, JFloat)):
        return v.text
    if isinstance(v, dict):
        return "{" + ",".join("%s:%s" % (json.dumps(k), gdesc(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(gdesc(x) for x in v) + "]"
    return json.dumps(v)


def match(want, got, path, out):
    """Append (path, expected, got, why) for every difference."""
    def bad(why=""):
        out.append((path, want, got, why))
    if isinstance(want, (FP, Addr)):
        why = want.mismatch(got)
        if why:
            bad(why)
    elif isinstance(want, dict):
        if not isinstance(got, dict):
            return bad()
        if set(got) != set(want):
            miss = [k for k in want if k not in got]
            extra = [k for k in got if k not in want]
            return bad("members missing %s, unexpected %s" % (miss, extra))
        for k in want:
            match(want[k], got[k], "%s.%s" % (path, k), out)
    elif isinstance(want, list):
        if not isinstance(got, list):
            return bad()
        if len(got) != len(want):
            return bad("%d elements, expected %d" % (len(got), len(want)))
        for i, (w, g) in enumerate(zip(want, got)):
            match(w, g, "%s[%d]" % (path, i), out)
    elif isinstance(want, bool):
        if got is not want:
            bad()
    elif isinstance(want, int):
        if not (isinstance(got, int) and not isinstance(got, bool) and got == want
                and not (isinstance(got, JInt) and got.text.startswith("-0"))):
            bad()
    elif want is None:
        if got is not None:
            bad()
    elif isinstance(want, str):
        if not (isinstance(got, str) and got == want):
            bad()
    else:
        raise ValueError("bad expected value %r" % (want,))


def fmt_diff(d, n=160):
    path, want, got, why = d
    s = "%s: expected %s, got %s" % (path, E.short(desc(want), n), E.short(gdesc(got), n))
    return s + (" (%s)" % why if why else "")


# --------------------------------------------------------- target output

def parse_expects(text):
    """[(func, args dict, ret or VOID, line)] from the target's stdout."""
    dec = json.JSONDecoder()
    calls = []
    for line in text.splitlines():
        if not line.startswith("expect "):
            continue
        _, func, rest = line.split(" ", 2)
        args, end = dec.raw_decode(rest)
        tail = rest[end:]
        E.check(tail.startswith(" -> "), "bad expect line: %s" % line)
        tail = tail[4:]
        ret = VOID if tail == "void" else json.loads(tail)
        calls.append((func, args, ret, line))
    return calls


VOID = object()


def compare_trace(evs, expects, o, pid):
    """Pair the target's expect lines with latch's call/return records, in
    order, and compare every argument and return value."""
    for e in evs:
        E.check(e["tid"] == pid, "event on tid %d, the target is single-threaded (pid %d)" % (e["tid"], pid))
    E.check(not [e for e in evs if e["type"] == "unwind"], "unexpected unwind records")
    E.check_nesting(evs)
    calls = [i for i, e in enumerate(evs) if e["type"] == "call"]
    for i in calls:
        E.check(evs[i]["depth"] == 0, "nested traced call: %s" % E.fmt_events([evs[i]]))
    if len(calls) != len(expects):
        got = [evs[i]["func"] for i in calls]
        want = [c[0] for c in expects]
        k = next((j for j, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise E.TestFail("%d calls traced, the target made %d; first difference at call #%d: "
                         "traced %s, target %s" % (len(got), len(want), k, got[k:k + 3], want[k:k + 3]))
    diffs = []
    for n, (i, (func, args, ret, line)) in enumerate(zip(calls, expects)):
        ev = evs[i]
        E.check(ev["func"] == func, "call #%d is %s, the target called %s" % (n, ev["func"], func))
        E.check(i + 1 < len(evs) and evs[i + 1]["type"] == "return" and evs[i + 1]["func"] == func,
                "call #%d %s: no return record right after it" % (n, func))
        r = evs[i + 1]
        here = []
        want = {k: render(v, 1, o) for k, v in args.items()}
        match(want, ev["args"], "args", here)
        if ret is VOID:
            if "ret" in r:
                here.append(("ret", None, r["ret"], "void function with a ret"))
        elif "ret" not in r:
            here.append(("ret", render(ret, 1, o), None, "no ret in the return record"))
        else:
            match(render(ret, 1, o), r["ret"], "ret", here)
        diffs += [("#%d %s %s" % (n, func, d[0]),) + d[1:] for d in here]
    if diffs:
        shown = "\n    ".join(fmt_diff(d) for d in diffs[:6])
        raise E.TestFail("%d value mismatches in %d calls:\n    %s%s" % (
            len(diffs), len(calls), shown, "\n    ... %d more" % (len(diffs) - 6) if len(diffs) > 6 else ""))
    return len(calls)


# ------------------------------------------------------------------ tests

def options(extra):
    o = dict(DEFAULTS)
    it = iter(extra)
    for a in it:
        if a in ("-s", "--string-limit"):
            o["s"] = int(next(it))
        elif a in ("-A", "--array"):
            o["A"] = int(next(it))
        elif a == "--depth":
            o["depth"] = int(next(it))
    return o


def t_json(s, ctx, family, opt, mode, extra=()):
    prog = "v_" + family
    exe = s.bin(opt, prog)
    E.check(os.access(exe, os.X_OK), "no target %s" % exe)
    trace = ctx.path("trace.json")
    largs = ["-f", "json", "-o", trace] + list(extra) + [probe_for(family)]
    if mode == "launch":
        lp = s.launch(ctx, largs, [exe])
        out = lp.out()
        E.check(lp.rc == 0, "latch exited %s, expected 0; stderr: %s" % (lp.rc, E.short(lp.err())))
    else:
        lp, t = s.attach(ctx, [exe, "-w"], largs)
        E.check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, E.short(t.err())))
        E.check(lp.rc == 0, "latch exited %s, expected 0; stderr: %s" % (lp.rc, E.short(lp.err())))
        out = t.out()
    pid = lp.target_pid
    E.check(pid, "no pid line in the target's output: %s" % E.short(out))
    rc, base = s.untraced(ctx, opt, prog)
    E.check(rc == 0, "the untraced target exited %s" % rc)
    E.check(E.noaddr(E.drop_pid(out)) == E.noaddr(base),
            "target output differs from an untraced run:\n%s\n--- untraced:\n%s"
            % (E.short(E.drop_pid(out)), E.short(base)))
    expects = parse_expects(out)
    E.check(expects, "no expect lines from %s" % prog)
    evs = E.load_json(trace, os.path.realpath(exe), pid, lp.t0, lp.t1, loads=jloads)
    n = compare_trace(evs, expects, options(extra), pid)
    E.check_stats(lp.err(), n, n, 0)


# Text format: (family, latch options, [(pattern, what it checks)]).
# Patterns match the whole call line after "HH:MM:SS.uuuuuu [TID] ".
A = r"0x[0-9a-f]+"
TEXT_CASES = [
    ("structs", [], [
        (r"v_ii\(s=\{x=3, y=-4\}, after=99\) = 125", "struct braces"),
        (r"v_dd\(s=\{a=0\.1, b=-2\.5\}, after=1e-0?5\) = 2\.60001", "doubles in a struct"),
        (r"v_ret_ii\(k=7\) = \{x=7, y=-7\}", "struct return"),
        (r"v_ret_big\(k=1000000000001\) = \{a=1000000000001, b=2000000000002, c=3000000000003, d=727379967\}",
         "struct returned in memory"),
    ]),
    ("structptr", [], [
        (r'v_node\(n=%s -> \{id=1, name="head\\n\\x80", in=\{a=100, b=200\}, ip=%s, next=%s, w=0\.1, '
         r'cb=%s <node_callback>\}\) = 1' % (A, A, A, A), "followed pointer, -> {, <sym>"),
        (r"v_node\(n=NULL\) = -1", "NULL"),
        (r"v_node_bad\(n=0x10 <unreadable>\) = 0", "<unreadable>"),
    ]),
    ("fnptrs", [], [
        (r"v_fn\(a=%s <static_handler>, b=%s <global_handler>, c=%s <closer>\) = 7" % (A, A, A),
         "function pointers <handler>"),
        (r"v_data\(p=%s <g_counter>, q=%s <g_table>, mid=%s <g_table\+0x10>, h=%s <s_hidden\+0x8>, stack=%s\) = 22"
         % (A, A, A, A, A), "data pointers <sym+0xN>"),
    ]),
    ("arrays", [], [
        (r"v_a4\(s=\{v=\[-1, 2, -3, 4\]\}\) = 3", "array"),
        (r"v_a40\(p=%s -> \{n=40, v=\[-100, -99, -96, -91, -84, -75, -64, -51, -36, -19, 0, 21, 44, 69, 96, "
         r"125, \.\.\.\]\}\) = 1421" % A, "array cut at -A 16"),
        (r'v_named\(s=\{id=1, name="bob"\}, p=%s -> \{id=2, name="twelve-bytes"\}\) = 3' % A, "char[N]"),
        (r"v_flex\(f=%s -> \{n=3, data=\[\.\.\.\]\}\) = 30" % A, "flexible array member"),
    ]),
    ("arrays", ["-A", "2"], [
        (r"v_a4\(s=\{v=\[-1, 2, \.\.\.\]\}\) = 3", "-A 2"),
    ]),
    ("strings", ["-s", "8"], [
        (r'v_str\(s="abcdefgh"\.\.\.\) = 9', '"..."... truncation'),
        (r'v_str\(s="abcdefg"\) = 7', "shorter than -s"),
        (r'v_bad\(s=0x1 <unreadable>, after=0\) = 1', "unreadable char *"),
        (r'v_str\(s=""\) = 0', "empty string"),
    ]),
    ("ints", [], [
        (r"v_char\(c='\\n'\) = '\\n'", "'\\n' char"),
        (r"v_char\(c='\\0'\) = '\\0'", "'\\0' char"),
        (r"v_char\(c='\\x80'\) = '\\x80'", "'\\x80' char"),
        (r"v_bool\(b=true, c=false\) = true", "bool"),
    ]),
    ("enums", [], [
        (r"v_perm\(p=P_READ\|P_WRITE\) = P_READ", "A|B flags"),
        (r"v_perm\(p=P_READ\|0x40\) = P_READ\|0x40", "flags with unknown bits"),
        (r"v_color\(c=7\) = RED", "unknown enum value"),
    ]),
    ("floats", [], [
        (r"v_f64\(x=nan\) = nan", "nan"),
        (r"v_f64\(x=-0\) = 0", "negative zero"),
        (r"v_f64\(x=inf\) = -inf", "inf"),
        (r"v_f32\(x=0\.1\) = -0\.2", "float shortest text"),
        (r"v_f64\(x=1e\+300\) = -2e\+300", "exponent form"),
    ]),
    ("depth", [], [
        (r"v_deep4\(s=\{a=1, in=\{b=2, in=\{\.\.\.\}\}\}\) = 5", "{...} past --depth 2"),
    ]),
    ("cxx", [], [
        (r"ns::Shape::area\(this=%s -> \{w=3, h=4\}\) = 12" % A, "this followed"),
        (r"ns::twice\(r=%s -> 21\) = 42" % A, "int& reference"),
        (r'ns::len_val\(s="a longer string, allocated on the heap\\n"\) = 39', "std::string by value"),
    ]),
]


def t_text(s, ctx, opt):
    bad = []
    for k, (family, extra, cases) in enumerate(TEXT_CASES):
        exe = s.bin(opt, "v_" + family)
        trace = ctx.path("trace%d.txt" % k)
        lp = s.launch(ctx, ["-o", trace] + extra + [probe_for(family)], [exe], name="latch%d" % k)
        if lp.rc != 0:
            bad.append("latch %s on v_%s exited %s; stderr: %s"
                       % (" ".join(extra + [probe_for(family)]), family, lp.rc, E.short(lp.err(), 200)))
            continue
        lines = []
        for line in E.readtext(trace).splitlines():
            m = E.TEXT_RE.match(line)
            E.check(m, "text line does not start with 'HH:MM:SS.uuuuuu [TID] ': %r" % line)
            lines.append(m.group(7))
        for pat, what in cases:
            rx = re.compile("^" + pat + " " + E.DUR + "$")
            if not any(rx.match(l) for l in lines):
                fn = re.match(r"[\w:]+", pat.replace("\\", "")).group(0)
                near = [l for l in lines if l.startswith(fn + "(")][:3]
                bad.append("%s%s: no line for %s matching %r; %s lines: %s"
                           % (family, " " + " ".join(extra) if extra else "", what, pat, fn,
                              E.short(" | ".join(near), 300) or "none"))
    if bad:
        raise E.TestFail("%d text forms missing:\n    %s" % (len(bad), "\n    ".join(bad)))


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in VARIANTS:
        for fam in FAMILIES:
            R("values-%s-launch-%s" % (fam, opt), lambda c, f=fam, o=opt: t_json(s, c, f, o, "launch"))
    R("values-structs-attach-O2", lambda c: t_json(s, c, "structs", "O2", "attach"))
    R("values-floats-attach-O0", lambda c: t_json(s, c, "floats", "O0", "attach"))
    R("values-strings-s8-O0", lambda c: t_json(s, c, "strings", "O0", "launch", ["-s", "8"]))
    R("values-strings-s300-O2", lambda c: t_json(s, c, "strings", "O2", "launch", ["--string-limit", "300"]))
    R("values-arrays-A3-O0", lambda c: t_json(s, c, "arrays", "O0", "launch", ["-A", "3"]))
    R("values-arrays-array40-O2", lambda c: t_json(s, c, "arrays", "O2", "launch", ["--array", "40"]))
    R("values-arrays-depth3-O2", lambda c: t_json(s, c, "arrays", "O2", "launch", ["--depth", "3"]))
    R("values-depth-depth3-O0", lambda c: t_json(s, c, "depth", "O0", "launch", ["--depth", "3"]))
    R("values-depth-depth1-O2", lambda c: t_json(s, c, "depth", "O2", "launch", ["--depth", "1"]))
    R("values-structptr-depth1-O0", lambda c: t_json(s, c, "structptr", "O0", "launch", ["--depth", "1"]))
    for opt in ("O0", "O2"):
        R("values-text-" + opt, lambda c, o=opt: t_text(s, c, o))
