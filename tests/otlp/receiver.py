#!/usr/bin/env python3
"""A loopback OTLP/HTTP trace receiver for the tests and the benchmark.

It listens on 127.0.0.1 (an ephemeral port unless told), takes POST
/v1/traces, and decodes every request with the opentelemetry-proto
definitions compiled by tests/otlp/protos.sh: application/x-protobuf with
ExportTraceServiceRequest.FromString, application/json with
google.protobuf.json_format.Parse(ignore_unknown_fields=False) once the hex
ids of OTLP/JSON are turned into the base64 of the protobuf JSON mapping.
Anything it cannot decode, or that breaks a rule of OTLP/HTTP it checks
(path, method, content type, unknown fields, lowerCamelCase JSON keys,
integer enums, well-formed ids), is recorded in .errors and answered 400:
the tests fail on any error.

Behaviour (mode): "ok" answers 200 with an empty ExportTraceServiceResponse
in the request's encoding; "fail" answers fail_status (503) with
Retry-After for the first fail_first requests, then 200; "hang" reads the
request and never answers (until stop()). A receiver that is "not
listening" is one not started yet: pick a port with free_port(), start
Receiver(port=that) later.

Every decoded span is kept in .spans as a plain dict (see span_dict), with
the request's resource attributes, scope and headers in .requests.

Importable (tests/e2e/otlp.py) and runnable (bench/run.sh):
  receiver.py [--port N] [--mode ok|fail|hang] [--fail-first N]
              [--no-decode] [--pydir DIR]
prints "url URL" when it listens, and on SIGTERM or SIGINT
"received N spans in M requests, K errors" (and the errors) on stdout;
exits 1 if there were errors.

Only the standard library and google.protobuf (Debian's python3-protobuf)
are used. Interpreters other than Debian's python3 (pyenv, a guest's
staged python) find google.protobuf in Debian's dist-packages, or through
PYTHONPATH.
"""

import base64
import binascii
import gzip
import http.server
import json
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEBIAN_DIST = "/usr/lib/python3/dist-packages"

pb = None            # the loaded modules: pb.svc (trace_service_pb2), pb.json_format


class _Modules:
    pass


def load(pydir=None):
    """Import google.protobuf and the generated modules from pydir
    (default $LATCH_OTLP_PY, else build/otlp/py); idempotent."""
    global pb
    if pb is not None:
        return pb
    pydir = pydir or os.environ.get("LATCH_OTLP_PY") or os.path.join(ROOT, "build", "otlp", "py")
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        # Debian's python3-protobuf, for another interpreter of the same
        # Python (its C extension loads when the ABI matches; otherwise
        # google.protobuf falls back to its pure-Python implementation)
        if os.path.isdir(os.path.join(DEBIAN_DIST, "google", "protobuf")):
            sys.path.append(DEBIAN_DIST)
    if pydir not in sys.path:
        sys.path.insert(0, pydir)
    m = _Modules()
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
    m.json_format = json_format
    m.svc = trace_service_pb2
    try:
        from google.protobuf import unknown_fields
        m.unknown = lambda msg: len(unknown_fields.UnknownFieldSet(msg))
    except ImportError:
        m.unknown = lambda msg: len(msg.UnknownFields())
    from google.protobuf.internal import api_implementation
    m.implementation = api_implementation.Type()
    pb = m
    return m


class DecodeError(Exception):
    pass


# ------------------------------------------------------------ decoding

ID_FIELDS = {"traceId": 16, "spanId": 8, "parentSpanId": 8}


def _json_check_keys(o, where):
    """OTLP/JSON: lowerCamelCase keys (json_format would also take the
    proto names), and enums as integers (it would also take names)."""
    if isinstance(o, dict):
        for k, v in o.items():
            if "_" in k:
                raise DecodeError("%s: key %r is not lowerCamelCase" % (where, k))
            _json_check_keys(v, where + "." + k)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            _json_check_keys(v, "%s[%d]" % (where, i))


def _hex_ids_to_base64(obj, where):
    """The hex ids of OTLP/JSON as the base64 the protobuf JSON mapping
    has for bytes, checking their length (parentSpanId may be "")."""
    for key, n in ID_FIELDS.items():
        if key not in obj:
            continue
        v = obj[key]
        if not isinstance(v, str):
            raise DecodeError("%s.%s is %r, not a hex string" % (where, key, v))
        if v == "" and key == "parentSpanId":
            continue
        try:
            raw = bytes.fromhex(v)
        except ValueError:
            raise DecodeError("%s.%s is %r, not hex" % (where, key, v))
        if len(raw) != n or len(v) != 2 * n:
            raise DecodeError("%s.%s is %r: %d bytes, expected %d" % (where, key, v, len(raw), n))
        obj[key] = base64.b64encode(raw).decode("ascii")


def otlp_json_to_proto3(doc):
    """Rewrites an OTLP/JSON request (parsed) in place for json_format."""
    if not isinstance(doc, dict):
        raise DecodeError("the JSON body is not an object")
    _json_check_keys(doc, "$")
    for i, rs in enumerate(doc.get("resourceSpans") or []):
        for j, ss in enumerate((rs or {}).get("scopeSpans") or []):
            for k, sp in enumerate((ss or {}).get("spans") or []):
                where = "resourceSpans[%d].scopeSpans[%d].spans[%d]" % (i, j, k)
                if not isinstance(sp, dict):
                    raise DecodeError("%s is not an object" % where)
                if "kind" in sp and (not isinstance(sp["kind"], int) or isinstance(sp["kind"], bool)):
                    raise DecodeError("%s.kind is %r, not an integer" % (where, sp["kind"]))
                st = sp.get("status")
                if isinstance(st, dict) and "code" in st and (not isinstance(st["code"], int)
                                                               or isinstance(st["code"], bool)):
                    raise DecodeError("%s.status.code is %r, not an integer" % (where, st["code"]))
                _hex_ids_to_base64(sp, where)
                for n, link in enumerate(sp.get("links") or []):
                    if isinstance(link, dict):
                        _hex_ids_to_base64(link, "%s.links[%d]" % (where, n))
    return doc


def _no_unknown_fields(m, msg, where="request"):
    """Fields the definitions do not know mean a misnumbered or mistyped
    field in latch's encoder: FromString would keep them silently."""
    if m.unknown(msg):
        raise DecodeError("%s (%s) has %d unknown field(s)" % (where, msg.DESCRIPTOR.name, m.unknown(msg)))
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        if fd.label == fd.LABEL_REPEATED:
            for i, v in enumerate(value):
                _no_unknown_fields(m, v, "%s.%s[%d]" % (where, fd.name, i))
        else:
            _no_unknown_fields(m, value, "%s.%s" % (where, fd.name))


def decode_request(body, content_type):
    """An ExportTraceServiceRequest from an HTTP body; DecodeError if it is
    not one. Returns (message, "protobuf" or "json")."""
    m = load()
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/x-protobuf":
        try:
            req = m.svc.ExportTraceServiceRequest.FromString(body)
        except Exception as e:
            raise DecodeError("protobuf: %s: %s" % (type(e).__name__, e))
        if m.implementation == "python":
            _no_unknown_fields(m, req)
        else:
            # the C++ messages count unknown fields in their size: a
            # cheap test first (the walk costs ten times the decoding),
            # then the walk that says where they are
            size = req.ByteSize()
            req.DiscardUnknownFields()
            if req.ByteSize() != size:
                _no_unknown_fields(m, m.svc.ExportTraceServiceRequest.FromString(body))
                raise DecodeError("unknown fields (%d bytes)" % (size - req.ByteSize()))
        return req, "protobuf"
    if ctype == "application/json":
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise DecodeError("not JSON: %s" % e)
        otlp_json_to_proto3(doc)
        try:
            req = m.json_format.ParseDict(doc, m.svc.ExportTraceServiceRequest(),
                                          ignore_unknown_fields=False)
        except Exception as e:
            raise DecodeError("json_format: %s: %s" % (type(e).__name__, e))
        return req, "json"
    raise DecodeError("Content-Type %r is neither application/x-protobuf nor application/json"
                      % content_type)


def parse_json_line(line):
    """One line of --otlp-file: an OTLP/JSON ExportTraceServiceRequest."""
    return decode_request(line.encode("utf-8") if isinstance(line, str) else line,
                          "application/json")[0]


def any_value(v):
    """An AnyValue as (kind, python value): ("string", str), ("int", int),
    ("double", float), ("bool", bool), ("bytes", bytes), ("array", [...]),
    ("kvlist", {...}), or (None, None) when unset."""
    k = v.WhichOneof("value")
    if k == "string_value":
        return "string", v.string_value
    if k == "int_value":
        return "int", v.int_value
    if k == "double_value":
        return "double", v.double_value
    if k == "bool_value":
        return "bool", v.bool_value
    if k == "bytes_value":
        return "bytes", v.bytes_value
    if k == "array_value":
        return "array", [any_value(x) for x in v.array_value.values]
    if k == "kvlist_value":
        return "kvlist", attrs_dict(v.kvlist_value.values)
    return None, None


def attrs_dict(kvs):
    """Repeated KeyValue as {key: (kind, value)}; a key that appears twice
    is a DecodeError (OTLP keys are unique)."""
    out = {}
    for kv in kvs:
        if kv.key in out:
            raise DecodeError("attribute %r appears twice" % kv.key)
        out[kv.key] = any_value(kv.value)
    return out


def span_dict(sp):
    return {
        "trace_id": sp.trace_id.hex(), "span_id": sp.span_id.hex(),
        "parent_span_id": sp.parent_span_id.hex(), "trace_state": sp.trace_state,
        "name": sp.name, "kind": sp.kind,
        "start": sp.start_time_unix_nano, "end": sp.end_time_unix_nano,
        "attrs": attrs_dict(sp.attributes),
        "dropped_attributes_count": sp.dropped_attributes_count,
        "events": len(sp.events), "links": len(sp.links),
        "status_code": sp.status.code, "status_message": sp.status.message,
    }


def request_dicts(req):
    """[(resource attrs, scope (name, version), [span dicts])] of a request."""
    out = []
    for rs in req.resource_spans:
        res = attrs_dict(rs.resource.attributes)
        if len(rs.instrumentation_library_spans):
            raise DecodeError("deprecated instrumentation_library_spans in a request")
        for ss in rs.scope_spans:
            out.append((res, (ss.scope.name, ss.scope.version), [span_dict(s) for s in ss.spans]))
        if not len(rs.scope_spans):
            out.append((res, None, []))
    return out


def empty_response(encoding):
    m = load()
    r = m.svc.ExportTraceServiceResponse()
    if encoding == "json":
        return b"{}", "application/json"
    return r.SerializeToString(), "application/x-protobuf"


# ------------------------------------------------------------ server

class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1: keep-alive, and the 100 Continue that a client sending
    # "Expect: 100-continue" waits for
    protocol_version = "HTTP/1.1"
    server_version = "latch-test-receiver/1"

    def log_message(self, fmt, *args):
        pass

    def _answer(self, code, body=b"", ctype="text/plain", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        n = self.headers.get("Content-Length")
        if n is None:
            raise DecodeError("no Content-Length and not chunked")
        return self.rfile.read(int(n))

    def do_GET(self):
        self.server.rx.error("GET %s: only POST is OTLP/HTTP" % self.path)
        self._answer(405)

    def do_PUT(self):
        self.do_GET()

    def do_POST(self):
        rx = self.server.rx
        t = time.time()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = self._body()
        except (DecodeError, ValueError) as e:
            rx.error("POST %s: reading the body: %s" % (self.path, e))
            self._answer(400)
            return
        if self.path != rx.path:
            rx.error("POST to %s, expected %s" % (self.path, rx.path))
            self._answer(404)
            return
        n = rx.next_request()
        if rx.mode == "hang":
            rx.note(n, t, headers, None, [], None, len(body))
            rx.unblock.wait()
            self.close_connection = True
            return
        if rx.mode == "fail" and n < rx.fail_first:
            rx.note(n, t, headers, None, [], rx.fail_status, len(body))
            self._answer(rx.fail_status, b"try later",
                         extra=[("Retry-After", rx.retry_after)] if rx.retry_after else [])
            return
        if not rx.decode:
            enc = "json" if headers.get("content-type", "").startswith("application/json") else "protobuf"
            rx.note(n, t, headers, enc, [], 200, len(body))
            body, ctype = empty_response(enc)
            self._answer(200, body, ctype)
            return
        try:
            if headers.get("content-encoding", "identity") == "gzip":
                body = gzip.decompress(body)
            elif headers.get("content-encoding", "identity") != "identity":
                raise DecodeError("Content-Encoding %r" % headers["content-encoding"])
            req, enc = decode_request(body, headers.get("content-type"))
            # (without record, as for the benchmark, only the count)
            groups = request_dicts(req) if rx.record else []
            nspans = sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)
        except (DecodeError, binascii.Error) as e:
            rx.error("request %d (%s, %d bytes): %s" % (n, headers.get("content-type"), len(body), e))
            rx.note(n, t, headers, None, [], 400, len(body))
            self._answer(400, str(e).encode())
            return
        rx.note(n, t, headers, enc, groups, 200, len(body), nspans)
        body, ctype = empty_response(enc or "protobuf")
        self._answer(200, body, ctype)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Receiver:
    """See the module's docstring. Attributes for the tests:
    requests  [{"n", "time", "headers", "encoding", "status", "bytes",
                "groups": [(resource, scope, spans)]}], in arrival order
    spans     every decoded span dict, with "resource" and "scope" added
    errors    [str]: decode and protocol failures
    nspans    the number of spans accepted (also without record, which
              decodes but keeps no spans and no groups)
    Without decode (for the benchmark's comparison only) every POST to
    the path is answered 200 unread: nothing is checked or counted but
    the requests.
    """

    def __init__(self, port=0, mode="ok", fail_first=0, fail_status=503, retry_after="1",
                 record=True, decode=True, path="/v1/traces"):
        load()
        self.port, self.mode, self.fail_first = port, mode, fail_first
        self.fail_status, self.retry_after, self.record, self.path = fail_status, retry_after, record, path
        self.decode = decode
        self.nspans = 0
        self.lock = threading.Lock()
        self.unblock = threading.Event()
        self.requests, self.spans, self.errors = [], [], []
        self.nreq = 0
        self.server = None
        self.thread = None

    @property
    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, self.path)

    def start(self):
        self.server = _Server(("127.0.0.1", self.port), _Handler)
        self.server.rx = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.unblock.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # called by the handler threads
    def next_request(self):
        with self.lock:
            self.nreq += 1
            return self.nreq - 1

    def error(self, msg):
        with self.lock:
            self.errors.append(msg)

    def note(self, n, t, headers, enc, groups, status, nbytes, nspans=0):
        with self.lock:
            self.nspans += nspans
            self.requests.append({"n": n, "time": t, "headers": headers, "encoding": enc,
                                  "status": status, "bytes": nbytes, "groups": groups})
            if status == 200:
                for res, scope, spans in groups:
                    for sp in spans:
                        sp = dict(sp, resource=res, scope=scope, request=n)
                        self.spans.append(sp)

    # for the tests
    def snapshot(self):
        with self.lock:
            return list(self.requests), list(self.spans), list(self.errors)

    def wait_spans(self, n, timeout):
        """Wait until at least n spans arrived; the number that did."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.spans) >= n:
                    break
            time.sleep(0.02)
        with self.lock:
            return len(self.spans)


def free_port():
    """A port nothing listens on now (for a receiver started later)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main(argv):
    import argparse
    import signal
    ap = argparse.ArgumentParser(description="loopback OTLP/HTTP trace receiver")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", choices=("ok", "fail", "hang"), default="ok")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--no-decode", action="store_true", help="answer without decoding (benchmark only)")
    ap.add_argument("--pydir")
    a = ap.parse_args(argv)
    load(a.pydir)
    rx = Receiver(port=a.port, mode=a.mode, fail_first=a.fail_first, record=False,
                  decode=not a.no_decode).start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print("url %s" % rx.url, flush=True)
    while not done.wait(0.2):
        pass
    rx.stop()
    reqs, spans, errors = rx.snapshot()
    if rx.decode:
        print("received %d spans in %d requests, %d errors (protobuf %s)"
              % (rx.nspans, len(reqs), len(errors), pb.implementation), flush=True)
    else:
        print("received %d requests, not decoded" % len(reqs), flush=True)
    for e in errors[:20]:
        print("error: %s" % e, flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
