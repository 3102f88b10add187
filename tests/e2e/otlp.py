"""End-to-end tests of the OpenTelemetry export (issue 6): --otlp,
--otlp-protocol, --otlp-file, --service-name, --trace-parent, --error-if
and the OTEL_* environment, against tests/targets/spans.c, which prints
every call it makes (thread, number, enclosing call, arguments, result).
Registered from e2e.py's main().

Every request latch sends goes to a loopback receiver (tests/otlp/
receiver.py) that decodes it with the opentelemetry-proto definitions of
an official OpenTelemetry package from the npm registry, compiled by
protoc (tests/otlp/protos.sh, run once here unless LATCH_OTLP_PY names the
compiled modules, as in the arm64 guest). A request it cannot decode fails
the test. The spans that arrive are compared with the target's own
account:

* one span per call, no more, none twice;
* name, kind INTERNAL, code.function.name, code.file.path,
  code.line.number (the target prints its functions' lines), thread.id,
  latch.arg.* and latch.return equal to what the target printed, in their
  OTLP types;
* the parent of each span is the span of the call the target was in on
  the same thread; roots have none (or --trace-parent's span); a tree
  shares its root's trace id; different roots have different trace ids;
  ids well-formed and unique;
* status ERROR exactly on calls left by longjmp or exit, and with
  --error-if 'retval < 0' on calls that returned a negative number;
* the resource (service.name and its sources, process.*, host.name,
  telemetry.sdk.*, OTEL_RESOURCE_ATTRIBUTES) and the request headers
  (OTEL_EXPORTER_OTLP_HEADERS);
* "latch: otlp: N spans sent, N dropped, N failed, N retries" adds up.

Faults: a receiver that is down (all along, or until latch has warned),
one that answers 503 with Retry-After twice, one that never answers, and
a full queue.
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

E = None            # the e2e module, set by register()
RX = None           # tests/otlp/receiver.py, once loaded
SETUP_ERROR = None

PROBE = ":sp_*"
# the closing counts of each destination: "otlp" (--otlp), "otlp-file"
OTLP_RE = re.compile(r"^latch: (otlp|otlp-file): (\d+) spans sent, (\d+) dropped, (\d+) failed, (\d+) retries$")
TRY_HELP = "Try 'latch --help' for more information."
RESOURCE_KEYS = ("service.name", "process.pid", "process.executable.path", "process.command_line",
                 "host.name", "telemetry.sdk.name", "telemetry.sdk.version")


def check(cond, msg):
    E.check(cond, msg)


# ------------------------------------------------------------ setup

def receiver_module():
    """tests/otlp/receiver.py with its definitions loaded; a test error
    (reported by every OTLP test) if they cannot be had."""
    global RX, SETUP_ERROR
    if RX is not None:
        return RX
    if SETUP_ERROR is None:
        try:
            pydir = os.environ.get("LATCH_OTLP_PY")
            if not pydir:
                script = os.path.join(E.ROOT, "tests", "otlp", "protos.sh")
                p = subprocess.run(["sh", script, os.path.join(E.ROOT, "build", "otlp")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
                if p.returncode != 0:
                    raise E.TestFail("tests/otlp/protos.sh failed: %s"
                                     % E.short(p.stderr.decode(errors="replace")))
                pydir = p.stdout.decode().strip().splitlines()[-1]
            for d in (os.path.join(E.ROOT, "tests", "otlp"), E.HERE):
                if os.path.exists(os.path.join(d, "receiver.py")) and d not in sys.path:
                    sys.path.insert(0, d)
            import receiver
            receiver.load(pydir)
            RX = receiver
            return RX
        except E.TestFail as e:
            SETUP_ERROR = str(e)
        except Exception as e:
            SETUP_ERROR = "cannot load the OTLP definitions: %s: %s" % (type(e).__name__, e)
    raise E.TestFail(SETUP_ERROR)


def base_env(**extra):
    """The suite's environment without OTEL_* (a developer's settings must
    not leak in), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ------------------------------------------------------------ the target's account

def parse_target(text):
    """(decl {func: line}, calls [{tid, n, parent, fn, args {name: ENC}, ret}])
    from spans' output; ret is "ret=ENC", "void" or "unwound"."""
    check(re.search(r"^done$", text, re.M), "the target did not finish: %s" % E.short(text))
    decl, calls = {}, []
    for line in text.splitlines():
        f = line.split()
        if f[:1] == ["decl"]:
            decl[f[1]] = int(f[2])
        elif f[:1] == ["call"]:
            left, _, ret = line.partition(" -> ")
            toks = left.split()
            calls.append({"tid": int(toks[1]), "n": int(toks[2]),
                          "parent": None if toks[3] == "-" else int(toks[3]), "fn": toks[4],
                          "args": dict(t.split("=", 1) for t in toks[5:]), "ret": ret})
        elif f[:1] == ["ticks"]:
            tid, first, count = int(f[1]), int(f[2]), int(f[3])
            for n in range(first, first + count):
                calls.append({"tid": tid, "n": n, "parent": None, "fn": "sp_tick",
                              "args": {"n": "i:%d" % n}, "ret": "ret=i:%d" % n})
    check(len(decl) == 9 and calls, "the target printed %d decl lines and %d calls" % (len(decl), len(calls)))
    return decl, calls


def tick_us(text):
    """How long the target's sp_tick calls took, in microseconds."""
    m = re.search(r"^ticks \d+ \d+ \d+ (\d+)$", text, re.M)
    check(m, "no ticks line from the target: %s" % E.short(text))
    return int(m.group(1))


def want_value(enc):
    """The (kind, value) an attribute should have for the target's ENC;
    a pointer is ("pointer", address)."""
    kind, _, v = enc.partition(":")
    return {"i": lambda: ("int", int(v)),
            "s": lambda: ("string", bytes.fromhex(v).decode("utf-8")),
            "d": lambda: ("double", float(v)),
            "b": lambda: ("bool", v == "true"),
            "e": lambda: ("string", v),
            "p": lambda: ("pointer", int(v, 16))}[kind]()


def value_ok(want, got):
    if want[0] == "pointer":
        return (got[0] == "string" and re.match(r"^0x[0-9a-f]+$", got[1] or "") is not None
                and int(got[1], 16) == want[1])
    if want[0] == "double":
        return got[0] == "double" and got[1] == want[1]
    return got == want


def negative(ret):
    if not ret.startswith("ret="):
        return False
    kind, _, v = ret[4:].partition(":")
    return (kind == "i" and int(v) < 0) or (kind == "d" and float(v) < 0)


# ------------------------------------------------------------ checking spans

def hexid(v, n):
    return isinstance(v, str) and re.match(r"^[0-9a-f]{%d}$" % (2 * n), v) is not None and int(v, 16) != 0


def span_key(sp):
    tid, n = sp["attrs"].get("thread.id"), sp["attrs"].get("latch.arg.n")
    check(tid and tid[0] == "int" and n and n[0] == "int",
          "span %s has no int thread.id and latch.arg.n: %s" % (sp["name"], E.short(str(sp["attrs"]), 300)))
    return tid[1], n[1]


def describe(sp):
    return "%s (thread %s, n %s)" % (sp["name"], sp["attrs"].get("thread.id", ("", "?"))[1],
                                      sp["attrs"].get("latch.arg.n", ("", "?"))[1])


def check_spans(spans, decl, calls, error_if=False, trace_parent=None, partial=False, t0=None, t1=None):
    """The spans (receiver dicts) against the target's calls. partial: the
    spans may be a subset (some were given up); the rest must hold."""
    want = {(c["tid"], c["n"]): c for c in calls}
    got = {}
    for sp in spans:
        k = span_key(sp)
        check(k not in got, "two spans for call %s: %s and %s (span ids %s, %s)"
              % (k, describe(got.get(k, sp)), describe(sp), got.get(k, sp)["span_id"], sp["span_id"]))
        got[k] = sp
    extra = sorted(set(got) - set(want))
    check(not extra, "%d spans for calls the target did not make, e.g. %s"
          % (len(extra), [describe(got[k]) for k in extra[:5]]))
    if not partial:
        missing = sorted(set(want) - set(got))
        check(not missing, "%d of the target's %d calls have no span, e.g. (tid, n, function) %s"
              % (len(missing), len(want), [(k[0], k[1], want[k]["fn"]) for k in missing[:8]]))
    ids = {}
    for k, sp in got.items():
        c = want[k]
        where = "span %s" % describe(sp)
        check(sp["name"] == c["fn"], "%s: name %r, the call is %s" % (where, sp["name"], c["fn"]))
        check(sp["kind"] == 1, "%s: kind %s, expected 1 (INTERNAL)" % (where, sp["kind"]))
        check(hexid(sp["trace_id"], 16) and hexid(sp["span_id"], 8),
              "%s: malformed ids trace %r span %r" % (where, sp["trace_id"], sp["span_id"]))
        check(sp["span_id"] not in ids, "%s and %s have the same span id %s"
              % (where, describe(ids.get(sp["span_id"], sp)), sp["span_id"]))
        ids[sp["span_id"]] = sp
        check(0 < sp["start"] <= sp["end"], "%s: start %d, end %d" % (where, sp["start"], sp["end"]))
        if t0 is not None:
            check(t0 - 5e9 <= sp["start"] <= sp["end"] <= t1 + 5e9,
                  "%s: start %d / end %d are not during the run (%d - %d)" % (where, sp["start"], sp["end"], t0, t1))
        a = sp["attrs"]
        check(a.get("code.function.name") == ("string", c["fn"]),
              "%s: code.function.name %r" % (where, a.get("code.function.name")))
        path = a.get("code.file.path")
        check(path and path[0] == "string" and os.path.basename(path[1]) == "spans.c",
              "%s: code.file.path %r, expected a path to spans.c" % (where, path))
        check(a.get("code.line.number") == ("int", decl[c["fn"]]),
              "%s: code.line.number %r, %s is declared on line %d" % (where, a.get("code.line.number"),
                                                                      c["fn"], decl[c["fn"]]))
        check(a.get("thread.id") == ("int", c["tid"]), "%s: thread.id %r" % (where, a.get("thread.id")))
        args = {key[len("latch.arg."):]: v for key, v in a.items() if key.startswith("latch.arg.")}
        check(set(args) == set(c["args"]), "%s: latch.arg.* are %s, the target's arguments %s"
              % (where, sorted(args), sorted(c["args"])))
        for name, enc in c["args"].items():
            check(value_ok(want_value(enc), args[name]), "%s: latch.arg.%s is %r, the target passed %s"
                  % (where, name, args[name], enc))
        if c["ret"].startswith("ret="):
            w = want_value(c["ret"][4:])
            check(value_ok(w, a.get("latch.return", (None, None))), "%s: latch.return is %r, the call returned %s"
                  % (where, a.get("latch.return"), c["ret"][4:]))
        else:
            check("latch.return" not in a, "%s: latch.return %r for a call that %s"
                  % (where, a.get("latch.return"), "is void" if c["ret"] == "void" else "never returned"))
        err = c["ret"] == "unwound" or (error_if and negative(c["ret"]))
        check(sp["status_code"] == (2 if err else 0),
              "%s: status %d, expected %s (%s%s)" % (where, sp["status_code"], "ERROR (2)" if err else "UNSET (0)",
                                                      c["ret"], ", --error-if 'retval < 0'" if error_if else ""))
        # (the messages man/latch.1 gives)
        msg = "unwound" if c["ret"] == "unwound" else "error-if: retval < 0" if err else ""
        check(sp["status_message"] == msg, "%s: status message %r, expected %r" % (where, sp["status_message"], msg))
    # the tree: parents, trace ids
    roots_traces = {}
    for k, sp in got.items():
        c = want[k]
        where = "span %s" % describe(sp)
        if c["parent"] is None:
            if trace_parent:
                check(sp["trace_id"] == trace_parent[0] and sp["parent_span_id"] == trace_parent[1],
                      "%s: a top-level call in trace %s under %r; --trace-parent gave trace %s span %s"
                      % (where, sp["trace_id"], sp["parent_span_id"], trace_parent[0], trace_parent[1]))
            else:
                check(sp["parent_span_id"] == "", "%s: a top-level call with parent span %r"
                      % (where, sp["parent_span_id"]))
                check(sp["trace_id"] not in roots_traces, "%s and %s are roots of the same trace %s"
                      % (where, describe(roots_traces.get(sp["trace_id"], sp)), sp["trace_id"]))
                roots_traces[sp["trace_id"]] = sp
            continue
        pk = (c["tid"], c["parent"])
        if pk not in got:
            check(partial, "%s: the span of its enclosing call is missing" % where)
            continue
        p = got[pk]
        check(sp["parent_span_id"] == p["span_id"],
              "%s: parent span %r, but the call was made in %s, span %s"
              % (where, sp["parent_span_id"], describe(p), p["span_id"]))
        check(sp["trace_id"] == p["trace_id"], "%s: trace %s, its parent %s is in trace %s"
              % (where, sp["trace_id"], describe(p), p["trace_id"]))
        check(p["start"] <= sp["start"], "%s starts before its parent %s" % (where, describe(p)))
        if c["ret"] != "unwound":
            check(sp["end"] <= p["end"], "%s ends after its parent %s" % (where, describe(p)))
    if not trace_parent:
        # every trace has its root: no span is in a trace of another root's
        # making that is not its own tree
        for k, sp in got.items():
            r = k
            while want[r]["parent"] is not None and (r[0], want[r]["parent"]) in got:
                r = (r[0], want[r]["parent"])
            if want[r]["parent"] is None:
                check(got[r]["trace_id"] == sp["trace_id"], "span %s is not in its root %s's trace"
                      % (describe(sp), describe(got[r])))
    return got


def check_resource(spans, reqs, pid, argv, service_name, extra=None):
    """Every request has one resource, the same, and scope "latch"."""
    check(reqs, "no request arrived")
    res = None
    for r in reqs:
        if r["status"] != 200:
            continue
        check(len(r["groups"]) == 1, "request %d has %d resource/scope groups, expected 1"
              % (r["n"], len(r["groups"])))
        g_res, scope, sps = r["groups"][0]
        check(scope is not None and scope[0] == "latch", "request %d: scope %r, expected name 'latch'"
              % (r["n"], scope))
        check(sps, "request %d has no spans" % r["n"])
        check(res is None or g_res == res, "the resource differs between requests:\n%s\n%s" % (res, g_res))
        res = g_res
    check(res is not None, "no request was accepted")
    for k in RESOURCE_KEYS:
        check(k in res, "resource attribute %s missing: %s" % (k, sorted(res)))
    exe = os.path.realpath(argv[0])
    want = {
        "service.name": ("string", service_name),
        "process.pid": ("int", pid),
        "process.executable.path": ("string", exe),
        "process.command_line": ("string", " ".join(argv)),
        "host.name": ("string", os.uname().nodename),
        "telemetry.sdk.name": ("string", "latch"),
    }
    want.update(extra or {})
    for k, v in want.items():
        check(res.get(k) == v, "resource %s is %r, expected %r" % (k, res.get(k), v))
    v = res["telemetry.sdk.version"]
    check(v[0] == "string" and re.match(r"^\d+\.\d+", v[1]), "telemetry.sdk.version is %r" % (v,))
    return res


def otlp_line(err, dest="otlp"):
    """The closing counts of dest, after latch's statistics line; the
    warnings, none of which may come twice (one per kind of trouble, not
    one per request)."""
    lines = err.splitlines()
    got = [i for i, l in enumerate(lines) if OTLP_RE.match(l) and OTLP_RE.match(l).group(1) == dest]
    check(len(got) == 1, "expected one 'latch: %s: N spans sent, N dropped, N failed, N retries' line "
          "on stderr, found %d: %s" % (dest, len(got), E.short(err, 800)))
    st = [i for i, l in enumerate(lines) if E.STATS_RE.match(l)]
    check(st and st[0] < got[0], "the %s line does not follow the statistics line: %s" % (dest, E.short(err, 800)))
    m = OTLP_RE.match(lines[got[0]])
    warns = [l for l in lines if l.startswith("latch: otlp") and not OTLP_RE.match(l)]
    check(len(set(warns)) == len(warns), "a warning repeated: %s" % E.short("\n".join(warns), 800))
    return {"sent": int(m.group(2)), "dropped": int(m.group(3)), "failed": int(m.group(4)),
            "retries": int(m.group(5)), "warnings": warns}


def check_healthy(lp, rx, ncalls, warnings=False):
    """latch exited 0, sent everything once, the receiver decoded it all;
    no warnings unless told."""
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    reqs, spans, errors = rx.snapshot()
    check(not errors, "the receiver could not decode %d request(s): %s" % (len(errors), E.short(" | ".join(errors), 800)))
    o = otlp_line(lp.err())
    check((o["sent"], o["dropped"], o["failed"]) == (ncalls, 0, 0),
          "otlp line says %d sent, %d dropped, %d failed; the target made %d calls"
          % (o["sent"], o["dropped"], o["failed"], ncalls))
    check(len(spans) == ncalls, "%d spans arrived in %d requests, the target made %d calls"
          % (len(spans), len(reqs), ncalls))
    check(warnings or not o["warnings"], "warnings with a healthy receiver: %s" % o["warnings"])
    st = E.stats(lp.err())
    check(st["seen"] == ncalls, "statistics line: %d calls seen, the target made %d" % (st["seen"], ncalls))
    return reqs, spans, o


# ------------------------------------------------------------ running

def run_latch(s, ctx, opt, mode, latch_args, env, prog_args=(), name="latch", probes=(PROBE,)):
    """latch on spans, launched or attached; (latch Proc, target argv,
    target output, target pid)."""
    exe = s.bin(opt, "spans")
    if mode == "launch":
        argv = [exe] + list(prog_args)
        lp = s.launch(ctx, list(latch_args) + list(probes), argv, name=name, env=env)
        check(lp.target_pid, "no pid line from the target: %s; latch: %s" % (E.short(lp.out()), E.short(lp.err())))
        return lp, argv, lp.out(), lp.target_pid
    argv = [exe, "-w"] + list(prog_args)
    t = s.start_target(ctx, argv, name=name + "-target")
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, *latch_args, *probes), name, env=env)
    t.wait()
    lp.wait()
    lp.t0, lp.t1, lp.target_pid = t.t0, time.time_ns(), t.pid
    check(t.rc == 0, "target exited %s; stderr: %s" % (t.rc, E.short(t.err())))
    return lp, argv, t.out(), t.pid


def latch_version(s, ctx):
    p = E.Proc(ctx, s.latch_cmd("-V"), "version")
    p.wait()
    m = re.search(r"\d+\.\d+(\.\d+)?", p.out() + p.err())
    return m.group(0) if m else None


# ------------------------------------------------------------ tests

def t_receiver(s, ctx):
    """The receiver itself: it decodes good requests in both encodings,
    and fails bad ones (so that a test passing means something)."""
    R = receiver_module()
    svc = R.pb.svc
    req = svc.ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "self-test"
    ss = rs.scope_spans.add()
    ss.scope.name = "latch"
    for i in range(3):
        sp = ss.spans.add()
        sp.trace_id, sp.span_id = bytes(range(1, 17)), bytes([i + 1] * 8)
        sp.parent_span_id = bytes([1] * 8) if i else b""
        sp.name, sp.kind = "f%d" % i, 1
        sp.start_time_unix_nano, sp.end_time_unix_nano = 10 ** 18 + i, 10 ** 18 + 10 + i
        a = sp.attributes.add()
        a.key, a.value.int_value = "latch.arg.x", -5 - i
        sp.status.code = 2 if i == 2 else 0
    pbody = req.SerializeToString()
    # Span.flags (field 16) of later OTLP versions, unknown to these
    # definitions, in the second span
    ss.spans[1].MergeFromString(b"\x80\x01\x01")
    pflags = req.SerializeToString()
    jdoc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {
        "stringValue": "self-test"}}]}, "scopeSpans": [{"scope": {"name": "latch"}, "spans": [
            {"traceId": bytes(range(1, 17)).hex(), "spanId": bytes([i + 1] * 8).hex(),
             "parentSpanId": bytes([1] * 8).hex() if i else "", "name": "f%d" % i, "kind": 1,
             "startTimeUnixNano": str(10 ** 18 + i), "endTimeUnixNano": str(10 ** 18 + 10 + i),
             "attributes": [{"key": "latch.arg.x", "value": {"intValue": str(-5 - i)}}],
             "status": {"code": 2} if i == 2 else {}} for i in range(3)]}]}]}

    def bad(path, key, value):
        d = json.loads(json.dumps(jdoc))
        o = d
        for p in path:
            o = o[p]
        o[key] = value
        return json.dumps(d).encode()
    span0 = ["resourceSpans", 0, "scopeSpans", 0, "spans", 0]
    cases = [
        (pbody, "application/x-protobuf", 200),
        (json.dumps(jdoc).encode(), "application/json", 200),
        (pbody + b"\xa8\x06\x01", "application/x-protobuf", 400),      # unknown field 101
        (pflags, "application/x-protobuf", 400),                       # unknown field in a span
        (pbody[:-3], "application/x-protobuf", 400),                   # truncated
        (bad(span0, "traceId", "0102"), "application/json", 400),      # short id
        (bad(span0, "spanId", base64.b64encode(bytes(8)).decode()), "application/json", 400),  # base64, not hex
        (bad(span0, "flags", 1), "application/json", 400),             # unknown field
        (bad(span0, "start_time_unix_nano", "1"), "application/json", 400),
        (bad(span0, "kind", "SPAN_KIND_INTERNAL"), "application/json", 400),
        (b"{}", "text/plain", 400),
    ]
    with R.Receiver() as rx:
        for k, (body, ctype, code) in enumerate(cases):
            r = urllib.request.Request(rx.url, data=body, method="POST", headers={"Content-Type": ctype})
            try:
                with urllib.request.urlopen(r, timeout=30) as resp:
                    got, rbody, rtype = resp.status, resp.read(), resp.headers.get("Content-Type")
            except urllib.error.HTTPError as e:
                got, rbody, rtype = e.code, e.read(), None
            check(got == code, "case %d (%s): answered %d, expected %d" % (k, ctype, got, code))
            if code == 200:
                check(rtype == ctype, "case %d: answered with Content-Type %s" % (k, rtype))
                check(rbody == (b"" if ctype == "application/x-protobuf" else b"{}"),
                      "case %d: body %r is not an empty ExportTraceServiceResponse" % (k, rbody))
        reqs, spans, errors = rx.snapshot()
    check(len(errors) == len(cases) - 2, "%d decode errors recorded, expected %d: %s"
          % (len(errors), len(cases) - 2, errors))
    check(len(spans) == 6, "%d spans decoded from the two good requests, expected 6" % len(spans))
    a, b = ([{k: v for k, v in sp.items() if k != "request"} for sp in x] for x in (spans[:3], spans[3:]))
    check(a == b, "protobuf and JSON decode to different spans:\n%s\n%s" % (a, b))
    check(spans[1]["parent_span_id"] == "01" * 8 and spans[2]["status_code"] == 2 and
          spans[2]["attrs"]["latch.arg.x"] == ("int", -7),
          "decoded values are wrong: %s" % spans[:3])


def t_export(s, ctx, opt, mode, enc, error_if, how="flag"):
    """The whole account: every call a span, right in every field."""
    R = receiver_module()
    env = base_env()
    args = ["-o", "/dev/null"]
    with R.Receiver() as rx:
        if how == "flag":
            args += ["--otlp=" + rx.url] if enc == "json" else ["--otlp", rx.url]
            if enc == "json":
                args += ["--otlp-protocol", "http/json"]
        else:
            # the environment: an endpoint, a protocol, small batches
            env.update(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:%d" % rx.port,
                       OTEL_EXPORTER_OTLP_PROTOCOL="http/json" if enc == "json" else "http/protobuf",
                       OTEL_BSP_MAX_EXPORT_BATCH_SIZE="10", OTEL_BSP_SCHEDULE_DELAY="100")
            args += ["--otlp"]
        if error_if:
            args += ["--error-if", "retval < 0"]
        lp, argv, out, pid = run_latch(s, ctx, opt, mode, args, env)
        decl, calls = parse_target(out)
        reqs, spans, o = check_healthy(lp, rx, len(calls))
    check(o["retries"] == 0, "%d retries with a healthy receiver" % o["retries"])
    check(all(r["encoding"] == enc for r in reqs), "request encodings %s, expected %s"
          % (sorted(set(r["encoding"] for r in reqs)), enc))
    ctype = "application/json" if enc == "json" else "application/x-protobuf"
    check(all(r["headers"].get("content-type", "").split(";")[0] == ctype for r in reqs),
          "Content-Type: %s" % sorted(set(r["headers"].get("content-type") for r in reqs)))
    if how == "env":
        check(all(sum(len(g[2]) for g in r["groups"]) <= 10 for r in reqs) and len(reqs) >= len(calls) // 10,
              "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=10: %d requests of %s spans"
              % (len(reqs), [sum(len(g[2]) for g in r["groups"]) for r in reqs]))
    check_spans(spans, decl, calls, error_if=error_if, t0=lp.t0, t1=lp.t1)
    check_resource(spans, reqs, pid, argv, "spans")
    ver = latch_version(s, ctx)
    sv = reqs[0]["groups"][0][0]["telemetry.sdk.version"]
    check(ver and sv == ("string", ver), "telemetry.sdk.version %r, latch -V says %s" % (sv, ver))


def t_late(s, ctx, opt):
    """A call reported only at its return ('sp_mid ret flag && retval < 0') comes
    after the calls it made, and is still their parent; the calls of one
    it rejects have the traced call below it as their parent."""
    R = receiver_module()
    with R.Receiver() as rx:
        lp, argv, out, pid = run_latch(s, ctx, opt, "launch", ["-o", "/dev/null", "--otlp", rx.url],
                                       base_env(), probes=(":sp_[!m]*", "sp_mid ret flag && retval < 0"))
        decl, calls = parse_target(out)
        reqs, spans, errors = rx.snapshot()
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    check(not errors, "the receiver could not decode: %s" % E.short(" | ".join(errors), 800))
    byk = {(c["tid"], c["n"]): c for c in calls}
    rejected = {k for k, c in byk.items()
                if c["fn"] == "sp_mid" and not (c["args"]["flag"] == "b:true" and negative(c["ret"]))}
    kept = [dict(c) for k, c in byk.items() if k not in rejected]
    for c in kept:
        while c["parent"] is not None and (c["tid"], c["parent"]) in rejected:
            c["parent"] = byk[(c["tid"], c["parent"])]["parent"]
    check(rejected and any(c["fn"] == "sp_mid" for c in kept),
          "the target's sp_mid results test nothing: %d rejected" % len(rejected))
    o = otlp_line(lp.err())
    check((o["sent"], o["dropped"], o["failed"]) == (len(kept), 0, 0) and len(spans) == len(kept),
          "otlp line %s and %d spans for the %d calls reported" % (o, len(spans), len(kept)))
    check_spans(spans, decl, kept)


def t_resource(s, ctx, case):
    """service.name's sources in order, OTEL_RESOURCE_ATTRIBUTES, and
    OTEL_EXPORTER_OTLP_HEADERS."""
    R = receiver_module()
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100")
    args = ["-o", "/dev/null"]
    extra = {}
    ra = "service.name=from-attrs,deployment.environment=e2e%20test,team.name=latch"
    if case == "attrs":
        env["OTEL_RESOURCE_ATTRIBUTES"] = ra
        want = "from-attrs"
        extra = {"deployment.environment": ("string", "e2e test"), "team.name": ("string", "latch")}
    elif case == "env":
        env.update(OTEL_RESOURCE_ATTRIBUTES=ra, OTEL_SERVICE_NAME="from-env",
                   OTEL_EXPORTER_OTLP_HEADERS="x-api-key=s3cr3t,x-tenant=a%20b")
        want = "from-env"
        extra = {"deployment.environment": ("string", "e2e test")}
    else:
        env.update(OTEL_RESOURCE_ATTRIBUTES=ra, OTEL_SERVICE_NAME="from-env")
        args += ["--service-name", "from-flag"]
        want = "from-flag"
    with R.Receiver() as rx:
        lp, argv, out, pid = run_latch(s, ctx, "O2", "launch", args + ["--otlp", rx.url], env)
        decl, calls = parse_target(out)
        reqs, spans, o = check_healthy(lp, rx, len(calls))
    check_resource(spans, reqs, pid, argv, want, extra)
    if case == "env":
        for r in reqs:
            h = r["headers"]
            check(h.get("x-api-key") == "s3cr3t" and h.get("x-tenant") == "a b",
                  "request %d: headers x-api-key %r, x-tenant %r; OTEL_EXPORTER_OTLP_HEADERS says s3cr3t, 'a b'"
                  % (r["n"], h.get("x-api-key"), h.get("x-tenant")))
    else:
        check(all("x-api-key" not in r["headers"] for r in reqs), "an x-api-key header no one asked for")


def t_endpoint(s, ctx):
    """OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the whole URL, taken as it
    is (over OTEL_EXPORTER_OTLP_ENDPOINT); its protocol variable wins too."""
    R = receiver_module()
    with R.Receiver(path="/custom/traces") as rx:
        env = base_env(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=rx.url,
                       OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:%d" % R.free_port(),
                       OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json",
                       OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf")
        lp, argv, out, pid = run_latch(s, ctx, "O0", "launch", ["-o", "/dev/null", "--otlp"], env)
        decl, calls = parse_target(out)
        reqs, spans, o = check_healthy(lp, rx, len(calls))
    check(all(r["encoding"] == "json" for r in reqs), "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json, "
          "but the requests were %s" % sorted(set(r["encoding"] for r in reqs)))
    check_spans(spans, decl, calls)


def t_trace_parent(s, ctx, mode):
    R = receiver_module()
    tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    with R.Receiver() as rx:
        lp, argv, out, pid = run_latch(s, ctx, "O2", mode, ["-o", "/dev/null", "--otlp", rx.url,
                                                            "--trace-parent", "00-%s-%s-01" % (tid, sid)],
                                       base_env())
        decl, calls = parse_target(out)
        reqs, spans, o = check_healthy(lp, rx, len(calls))
    check_spans(spans, decl, calls, trace_parent=(tid, sid))
    check(all(sp["trace_id"] == tid for sp in spans), "spans outside the --trace-parent trace")


def read_otlp_file(R, path):
    """The requests of an --otlp-file, each line decoded by the receiver's
    JSON path: (requests as the receiver records them, spans)."""
    check(os.path.exists(path), "no %s" % path)
    spans, reqs = [], []
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    check(lines[-1] == b"", "the file does not end with a newline")
    for n, line in enumerate(lines[:-1]):
        try:
            groups = R.request_dicts(R.parse_json_line(line))
        except R.DecodeError as e:
            raise E.TestFail("line %d is not an OTLP/JSON ExportTraceServiceRequest: %s: %s"
                             % (n + 1, e, E.short(line.decode(errors="replace"), 200)))
        reqs.append({"n": n, "status": 200, "groups": groups, "headers": {}})
        for res, scope, sps in groups:
            spans += [dict(sp, resource=res, scope=scope) for sp in sps]
    return reqs, spans


def t_file(s, ctx, opt, also_http):
    """--otlp-file: one OTLP/JSON request a line, the same spans; with
    --otlp too, the receiver gets exactly the spans of the file."""
    R = receiver_module()
    path = ctx.path("spans.jsonl")
    args = ["-o", "/dev/null", "--otlp-file", path, "--error-if", "retval < 0"]
    env = base_env(OTEL_BSP_MAX_EXPORT_BATCH_SIZE="16")
    rx = R.Receiver().start()
    try:
        if also_http:
            args += ["--otlp", rx.url]
        lp, argv, out, pid = run_latch(s, ctx, opt, "launch", args, env)
    finally:
        rx.stop()
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    decl, calls = parse_target(out)
    reqs, spans = read_otlp_file(R, path)
    check(len(spans) == len(calls), "%d spans in %d lines, the target made %d calls"
          % (len(spans), len(reqs), len(calls)))
    check(len(reqs) >= len(calls) // 16, "%d lines for %d spans in batches of 16" % (len(reqs), len(spans)))
    check_spans(spans, decl, calls, error_if=True, t0=lp.t0, t1=lp.t1)
    check_resource(spans, reqs, pid, argv, "spans")
    o = otlp_line(lp.err(), "otlp-file")
    check((o["sent"], o["dropped"], o["failed"]) == (len(calls), 0, 0), "otlp-file line: %s" % o)
    if not also_http:
        check(not rx.snapshot()[0], "requests without --otlp")
        check(not any(OTLP_RE.match(l) and OTLP_RE.match(l).group(1) == "otlp" for l in lp.err().splitlines()),
              "an otlp line without --otlp: %s" % E.short(lp.err()))
        return
    hreqs, hspans, o2 = check_healthy(lp, rx, len(calls))
    strip = lambda sp: {k: v for k, v in sp.items() if k not in ("request",)}
    by_id = {sp["span_id"]: strip(sp) for sp in hspans}
    for sp in spans:
        check(by_id.get(sp["span_id"]) == strip(sp), "span %s differs between the file and the receiver:\n%s\n%s"
              % (describe(sp), strip(sp), by_id.get(sp["span_id"])))


def t_errors(s, ctx):
    """Bad values are refused before the command runs main."""
    exe = s.bin("O0", "spans")
    cases = [
        (["--otlp", "--otlp-protocol", "grpc"], (2,), "grpc"),
        (["--otlp", "--otlp-protocol", "http/xml"], (2,), "http/xml"),
        (["--otlp", "--trace-parent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"], (1, 2), None),
        (["--otlp", "--trace-parent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"], (1, 2), None),
        (["--otlp", "--trace-parent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01"], (1, 2), None),
        (["--otlp", "--error-if", "retval <"], (1, 2), None),
        (["--otlp", "--error-if", "nosuchname > 1"], (1, 2), "nosuchname"),
        # refused after the options, when the probes are resolved: still
        # no spans, so no counts of them
        (["--otlp", "zz_no_such_function"], (1,), "zz_no_such_function"),
        (["--otlp", "sp_leaf if zz > 1"], (1,), "zz"),
    ]
    for k, (args, rcs, word) in enumerate(cases):
        probe = [] if args[-1].startswith(("zz", "sp_")) else [PROBE]
        lp = s.launch(ctx, args + probe, [exe], name="latch%d" % k, env=base_env())
        what = " ".join(E.shq(a) for a in args)
        check(lp.rc in rcs, "%s: exit %s, expected %s; %s" % (what, lp.rc, rcs, E.short(lp.err())))
        lines = [l for l in lp.err().strip().splitlines() if l != TRY_HELP]
        check(len(lines) == 1 and lines[0].startswith("latch: "),
              "%s: expected one 'latch: ...' line, got: %s" % (what, E.short(lp.err())))
        check(word is None or word in lines[0], "%s: the message does not name %r: %s" % (what, word, lines[0]))
        check("pid " not in lp.out(), "%s: the command ran main although latch refused" % what)


# ------------------------------------------------------------ faults

def t_down(s, ctx):
    """No receiver at all: one warning, tracing goes on, the spans are
    counted as failed, latch exits with the command's status."""
    R = receiver_module()
    port = R.free_port()
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100", OTEL_EXPORTER_OTLP_TIMEOUT="2000")
    lp, argv, out, pid = run_latch(s, ctx, "O2", "launch",
                                   ["-o", "/dev/null", "--otlp", "http://127.0.0.1:%d/v1/traces" % port],
                                   env, prog_args=["-t", "300"])
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    decl, calls = parse_target(out)
    st = E.stats(lp.err())
    check(st["seen"] == len(calls), "%d calls seen, the target made %d" % (st["seen"], len(calls)))
    o = otlp_line(lp.err())
    check(len(o["warnings"]) == 1, "expected one 'latch: otlp: ' warning, got %d: %s"
          % (len(o["warnings"]), o["warnings"][:5]))
    check(o["sent"] == 0 and o["failed"] > 0 and o["sent"] + o["dropped"] + o["failed"] == len(calls),
          "otlp line %s for %d spans and no receiver" % (o, len(calls)))


def t_down_then_up(s, ctx):
    """The receiver comes up once latch has warned: later spans arrive,
    none twice, and the counts add up."""
    R = receiver_module()
    port = R.free_port()
    go = ctx.path("go")
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100", OTEL_EXPORTER_OTLP_TIMEOUT="20000")
    exe = s.bin("O2", "spans")
    argv = [exe, "-W", go, "-t", "200"]
    lp = E.Proc(ctx, s.latch_cmd("-o", "/dev/null", "--otlp", "http://127.0.0.1:%d/v1/traces" % port,
                                 PROBE, "--", *argv), "latch", env=env)
    t0 = time.time_ns()
    warned = E.wait_until(lambda: [l for l in lp.err().splitlines() if l.startswith("latch: otlp: ")], 60)
    check(warned, "no 'latch: otlp: ' warning within 60 s with the receiver down: %s" % E.short(lp.err()))
    rx = R.Receiver(port=port).start()
    try:
        open(go, "w").close()
        lp.wait()
        reqs, spans, errors = rx.snapshot()
    finally:
        rx.stop()
    t1 = time.time_ns()
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    check(not errors, "the receiver could not decode: %s" % errors[:3])
    decl, calls = parse_target(lp.out())
    o = otlp_line(lp.err())
    # one when it could not send, one when it could again (man/latch.1)
    check(len(o["warnings"]) == 2 and "again" in o["warnings"][1],
          "expected a warning, then one that sending works again; got %s" % o["warnings"][:5])
    check(o["sent"] == len(spans), "otlp line says %d sent, %d arrived" % (o["sent"], len(spans)))
    check(o["sent"] + o["dropped"] + o["failed"] == len(calls), "otlp line %s for %d spans" % (o, len(calls)))
    got = check_spans(spans, decl, calls, partial=True, t0=t0, t1=t1)
    ticks = [(c["tid"], c["n"]) for c in calls if c["fn"] in ("sp_tick", "sp_exit")]
    lost = [k for k in ticks if k not in got]
    check(not lost, "%d of the %d calls made after the receiver came up have no span, e.g. %s"
          % (len(lost), len(ticks), lost[:5]))


def t_503(s, ctx, enc, status):
    """503 (or 429) with Retry-After: 1, twice, then healthy: nothing lost,
    nothing twice, the retries counted, Retry-After honoured."""
    R = receiver_module()
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100")
    with R.Receiver(mode="fail", fail_first=2, fail_status=status, retry_after="1") as rx:
        args = ["-o", "/dev/null", "--otlp", rx.url, "--otlp-protocol", "http/" + enc]
        lp, argv, out, pid = run_latch(s, ctx, "O0", "launch", args, env)
        decl, calls = parse_target(out)
        reqs, spans, o = check_healthy(lp, rx, len(calls), warnings=True)
    check(o["retries"] >= 2, "otlp line reports %d retries after two 503 answers" % o["retries"])
    check(len(o["warnings"]) == 2 and str(status) in o["warnings"][0] and "again" in o["warnings"][1],
          "expected one warning of the %d answers, then one that sending works again; got %s"
          % (status, o["warnings"]))
    fails = [r for r in reqs if r["status"] == status]
    check(len(fails) == 2, "%d requests answered %d, expected 2" % (len(fails), status))
    after = sorted(r["time"] for r in reqs)
    check(len(after) >= 3, "%d requests for two 503 answers and a success" % len(after))
    check(after[1] - after[0] >= 0.9 and after[2] - after[1] >= 0.9,
          "requests at +%.2f s and +%.2f s after each 503 with Retry-After: 1"
          % (after[1] - after[0], after[2] - after[1]))
    check_spans(spans, decl, calls)


def t_rejected(s, ctx):
    """A request answered 400 is not sent again: its spans are failed, the
    others arrive."""
    R = receiver_module()
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE="10")
    with R.Receiver(mode="fail", fail_first=1, fail_status=400, retry_after=None) as rx:
        lp, argv, out, pid = run_latch(s, ctx, "O2", "launch", ["-o", "/dev/null", "--otlp", rx.url], env)
        decl, calls = parse_target(out)
        reqs, spans, errors = rx.snapshot()
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    check(not errors, "the receiver could not decode: %s" % errors[:3])
    o = otlp_line(lp.err())
    first = [r for r in reqs if r["status"] == 400]
    check(len(first) == 1 and o["retries"] == 0, "%d requests answered 400, %d retries: a 400 is not retried"
          % (len(first), o["retries"]))
    check(1 <= o["failed"] <= 10 and o["sent"] == len(spans) and o["dropped"] == 0 and
          o["sent"] + o["failed"] == len(calls),
          "otlp line %s: expected the first batch (at most 10) failed, the other %d spans sent"
          % (o, len(calls) - o["failed"]))
    check(len(o["warnings"]) >= 1 and "400" in o["warnings"][0], "no warning of the 400: %s" % o["warnings"])
    check_spans(spans, decl, calls, partial=True)


def t_delay(s, ctx, long_delay):
    """OTEL_BSP_SCHEDULE_DELAY: with 200 ms, spans go out while latch runs,
    not only when it detaches; with 60 s, none go out for the 2 s the
    target waits, and all at the end, without waiting for the delay."""
    R = receiver_module()
    go = ctx.path("go")
    exe = s.bin("O0", "spans")
    with R.Receiver() as rx:
        lp = E.Proc(ctx, s.latch_cmd("-o", "/dev/null", "--otlp", rx.url, PROBE, "--", exe, "-W", go, "-t", "5"),
                    "latch", env=base_env(OTEL_BSP_SCHEDULE_DELAY="60000" if long_delay else "200"))
        if long_delay:
            # the target has started; its trees take milliseconds, then
            # it waits for go
            check(E.wait_until(lambda: E.readtext(lp.outpath).startswith("pid "), 30),
                  "the target did not start: %s" % E.short(lp.err()))
            time.sleep(2)
        else:
            # the calls that returned in the three threads' trees (3 x 15)
            # end before the target waits for go (the main thread's
            # unwound ones only when latch sees that thread again)
            rx.wait_spans(45, 60)
        early = set(span_key(sp) for sp in rx.snapshot()[1])
        alive = lp.poll() is None
        open(go, "w").close()
        t = time.monotonic()
        lp.wait()
        took = time.monotonic() - t
        decl, calls = parse_target(lp.out())
        reqs, spans, o = check_healthy(lp, rx, len(calls))
    check(alive, "latch exited before the target was let go")
    if long_delay:
        check(not early, "%d spans sent within 2 s with OTEL_BSP_SCHEDULE_DELAY=60000" % len(early))
        check(took < 30, "latch took %.1f s to end after the target was let go" % took)
    else:
        returned = set((c["tid"], c["n"]) for c in calls
                       if c["fn"] not in ("sp_tick", "sp_exit") and c["ret"] != "unwound")
        check(len(returned) == 45 and returned <= early,
              "%d of the %d calls that returned before the target waited had their spans sent by then"
              % (len(returned & early), len(returned)))
    check_spans(spans, decl, calls)


def wait_done_then_latch(lp, outpath, timeout=120):
    """Waits for the target's "done" line, then for latch; the seconds
    latch took after it."""
    done = E.wait_until(lambda: os.path.exists(outpath) and re.search(r"^done$", E.readtext(outpath), re.M)
                    and time.monotonic(), timeout, 0.02)
    check(done, "the target did not finish within %d s: %s" % (timeout, E.short(E.readtext(outpath))))
    lp.wait(timeout)
    return time.monotonic() - done


def t_hang(s, ctx, queue):
    """A receiver that never answers: tracing goes on, the target ends,
    latch ends soon after (OTEL_EXPORTER_OTLP_TIMEOUT=1000), and what was
    not sent is counted. With queue, a queue of 8 spans: most are
    dropped, none waited for: the target's calls take no longer than
    three times as long as with -f json alone (plus half a second)."""
    R = receiver_module()
    env = base_env(OTEL_BSP_SCHEDULE_DELAY="100", OTEL_EXPORTER_OTLP_TIMEOUT="1000")
    n = 300
    if queue:
        env.update(OTEL_BSP_MAX_QUEUE_SIZE="8", OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4")
        n = 3000 // E.SCALE
    exe = s.bin("O2", "spans")
    with R.Receiver(mode="hang") as rx:
        lp = E.Proc(ctx, s.latch_cmd("-o", "/dev/null", "--otlp", rx.url, PROBE, "--", exe, "-t", n),
                    "latch", env=env)
        after = wait_done_then_latch(lp, lp.outpath)
        reqs, spans, errors = rx.snapshot()
    check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err(), 800)))
    decl, calls = parse_target(lp.out())
    check(reqs, "no request reached the hanging receiver")
    st = E.stats(lp.err())
    check(st["seen"] == len(calls), "%d calls seen, the target made %d" % (st["seen"], len(calls)))
    o = otlp_line(lp.err())
    check(o["sent"] == 0 and o["sent"] + o["dropped"] + o["failed"] == len(calls),
          "otlp line %s for %d spans and a receiver that never answers" % (o, len(calls)))
    check(o["failed"] > 0, "nothing counted as failed: %s" % o)
    check(1 <= len(o["warnings"]) <= 3 - (not queue), "warnings: %s" % o["warnings"])
    if queue:
        check(o["dropped"] > 0, "a queue of 8 and %d spans, but none dropped: %s" % (len(calls), o))
        slow = tick_us(lp.out())
        base = s.launch(ctx, ["-f", "json", "-o", "/dev/null", PROBE], [exe, "-t", n], name="base", env=base_env())
        check(base.rc == 0, "latch -f json exited %s: %s" % (base.rc, E.short(base.err())))
        fast = tick_us(base.out())
        check(slow <= 3 * fast + 500000,
              "%d calls took %.3f s with the queue full and the receiver hanging, %.3f s with -f json alone"
              % (n, slow / 1e6, fast / 1e6))
    # (an emulated guest, with its scaled-down runs, detaches slowly too)
    limit = 8 if E.SCALE == 1 else 30
    check(after < limit, "latch took %.1f s after the target ended, with OTEL_EXPORTER_OTLP_TIMEOUT=1000" % after)


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    R("otlp-receiver", lambda c: t_receiver(s, c))
    for opt in E.OPTS:
        R("otlp-protobuf-launch-" + opt, lambda c, o=opt: t_export(s, c, o, "launch", "protobuf", o == "O2"))
        R("otlp-json-launch-" + opt, lambda c, o=opt: t_export(s, c, o, "launch", "json", o == "O0"))
        R("otlp-file-" + opt, lambda c, o=opt: t_file(s, c, o, o == "O2"))
    R("otlp-protobuf-attach-O2", lambda c: t_export(s, c, "O2", "attach", "protobuf", True))
    R("otlp-json-attach-O0", lambda c: t_export(s, c, "O0", "attach", "json", False))
    R("otlp-env-batches-json-O2", lambda c: t_export(s, c, "O2", "launch", "json", True, how="env"))
    R("otlp-env-batches-protobuf-O0", lambda c: t_export(s, c, "O0", "launch", "protobuf", False, how="env"))
    R("otlp-endpoint-env", lambda c: t_endpoint(s, c))
    for case in ("attrs", "env", "flag"):
        R("otlp-resource-" + case, lambda c, k=case: t_resource(s, c, k))
    R("otlp-trace-parent-launch", lambda c: t_trace_parent(s, c, "launch"))
    R("otlp-trace-parent-attach", lambda c: t_trace_parent(s, c, "attach"))
    R("otlp-errors", lambda c: t_errors(s, c))
    for opt in E.OPTS:
        R("otlp-late-parent-" + opt, lambda c, o=opt: t_late(s, c, o))
    R("otlp-fault-down", lambda c: t_down(s, c))
    R("otlp-fault-down-then-up", lambda c: t_down_then_up(s, c))
    R("otlp-fault-503-protobuf", lambda c: t_503(s, c, "protobuf", 503))
    R("otlp-fault-429-json", lambda c: t_503(s, c, "json", 429))
    R("otlp-fault-400", lambda c: t_rejected(s, c))
    R("otlp-schedule-delay-short", lambda c: t_delay(s, c, False))
    R("otlp-schedule-delay-long", lambda c: t_delay(s, c, True))
    R("otlp-fault-hang", lambda c: t_hang(s, c, False))
    R("otlp-fault-queue-full", lambda c: t_hang(s, c, True))
