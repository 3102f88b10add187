"""Targets whose files are hard to find, or that lack what a dynamic -g
build has: end-to-end tests registered by e2e.py.

tests/targets/roots.c calls rt_visit(i, name, color) three times and
puts(line) twice, and prints what it passed and got ("call rt_visit I NAME
COLOR -> R", "puts 0xADDR"); tests/targets/build.sh builds it into O0/ and
O2/ as roots (-g), roots-stripped, roots-static (-static -g) and
roots-static-stripped.  Every test traces rt_visit and puts with -f json
and compares the calls with those lines: exact counts, typed values where
DWARF is found, raw registers where it cannot be.

* static-*: a statically linked executable (no dynamic linker: the probes
  are planted at its entry point, or in place when attached); puts is in it
  without DWARF, which one note says.
* static-stripped-*, stripped-dynamic-*: what a stripped executable still
  allows (libc's functions when it is dynamic) and the one line that says
  why its own cannot be traced.
* chroot-*, container-*, deleted-exe-*: the process's files are not where
  latch would look: in a chroot (its files are shown as it sees them, e.g.
  "/roots", and its separate debug files are inside it), in a private mount
  namespace whose root is a tmpfs latch cannot see (found through
  /proc/PID/root), or deleted since it started (/proc/PID/map_files).

The chroot and mount namespace tests need root (CAP_SYS_CHROOT,
CAP_SYS_ADMIN); the dynamic linker's --list names the target's libraries.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

E = None            # the e2e.py module (its TestFail, check, Proc, ...)

# a condition on arg1: without DWARF, puts then shows its raw registers
PROBES = ("rt_visit", "puts if arg1 != 0")
CALL_RE = re.compile(r"^call rt_visit (\d+) (\w+) (\w+) -> (-?\d+)$", re.M)
PUTS_RE = re.compile(r"^puts (0x[0-9a-f]+)\n(.*)$", re.M)


def expected(out):
    """What the target says it did: [(i, name, color, ret)], [(addr, line)]."""
    visits = [(int(i), n, c, int(r)) for i, n, c, r in CALL_RE.findall(out)]
    puts = [(int(a, 16), line) for a, line in PUTS_RE.findall(out)]
    E.check(len(visits) == 3 and len(puts) == 2,
            "the target did not print 3 rt_visit and 2 puts lines: %s" % E.short(out))
    return visits, puts


def raw(v):
    """A raw register as printed without DWARF ("0x1f5"), as a number."""
    E.check(isinstance(v, str) and re.match(r"^0x[0-9a-f]+$", v), "not a raw register value: %s" % json.dumps(v))
    return int(v, 16)


def check_trace(path, out, pid, module, puts_typed, t0=None, t1=None):
    """The trace against the target's output: rt_visit with its DWARF types
    in module, puts typed (libc with DWARF), raw (no DWARF), typed by its
    declaration in roots.c ("declared") or either (puts_typed None)."""
    visits, puts = expected(out)
    evs = E.load_json(path, None, pid, t0, t1)
    calls = [e for e in evs if e["type"] == "call"]
    rets = [e for e in evs if e["type"] == "return"]
    E.check([e["func"] for e in calls] == ["rt_visit"] * 3 + ["puts"] * 2,
            "calls are not 3 of rt_visit then 2 of puts: %s" % E.fmt_events(evs))
    E.check(len(rets) == 5 and [e["func"] for e in rets] == [e["func"] for e in calls],
            "returns do not match the calls: %s" % E.fmt_events(evs))
    for k, (i, name, color, r) in enumerate(visits):
        where = "rt_visit call #%d" % k
        E.check(calls[k]["args"] == {"i": i, "name": name, "color": color},
                "%s: args %s, expected i=%d name=%s color=%s from DWARF"
                % (where, json.dumps(calls[k]["args"]), i, name, color))
        E.check(rets[k].get("ret") == r, "%s: ret %s, expected %d" % (where, json.dumps(rets[k].get("ret")), r))
        E.check(calls[k]["module"] == module and rets[k]["module"] == module,
                "%s: module %s, expected %s" % (where, json.dumps(calls[k]["module"]), module))
    for k, (addr, line) in enumerate(puts):
        where = "puts call #%d" % k
        a, ret = calls[3 + k]["args"], rets[3 + k].get("ret")
        if puts_typed == "declared":
            E.check(a == {"arg1": line} and ret == len(line) + 1,
                    "%s: %s = %s, expected arg1=%s = %d from puts's declaration"
                    % (where, json.dumps(a), json.dumps(ret), json.dumps(line), len(line) + 1))
            continue
        typed = "str" in a
        E.check(puts_typed is None or typed == puts_typed,
                "%s: args %s, expected %s" % (where, json.dumps(a), "{\"str\": ...}" if puts_typed else "raw registers"))
        if typed:
            E.check(a == {"str": line} and ret == len(line) + 1,
                    "%s: %s = %s, expected str=%s = %d" % (where, json.dumps(a), json.dumps(ret),
                                                          json.dumps(line), len(line) + 1))
        else:
            E.check(raw(a.get("arg1")) == addr and raw(ret) == len(line) + 1,
                    "%s: arg1=%s = %s, expected arg1=0x%x = 0x%x" % (where, a.get("arg1"), json.dumps(ret),
                                                                    addr, len(line) + 1))
    return evs


def json_args(ctx):
    return ["-f", "json", "-o", ctx.path("trace.json")] + list(PROBES)


def notes(err):
    return [l for l in err.splitlines() if l.startswith("latch: note:")]


def check_ran_untraced_like(s, ctx, opt, prog, out):
    _, base = s.untraced(ctx, opt, prog)
    E.check(E.noaddr(E.drop_pid(out)) == E.noaddr(base),
            "target output differs from an untraced run: %s" % E.short(out))


# ------------------------------------------------------------- static

def t_static(s, ctx, opt, mode):
    exe = s.bin(opt, "roots-static")
    if mode == "launch":
        lp = s.launch(ctx, json_args(ctx), [exe])
        E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
        out = lp.out()
    else:
        lp, t = s.attach(ctx, [exe, "-w"], json_args(ctx))
        E.check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
                % (t.rc, lp.rc, E.short(t.err()), E.short(lp.err())))
        out = t.out()
    check_ran_untraced_like(s, ctx, opt, "roots-static", out)
    # libc.a has no DWARF, but roots.c's unit declares puts: its prototype
    check_trace(ctx.path("trace.json"), out, lp.target_pid, os.path.realpath(exe), "declared",
                lp.t0, lp.t1)
    E.check_stats(lp.err(), 5, 5, 0)
    n = notes(lp.err())
    E.check(not n, "puts has its declaration's prototype, yet a note says it has no DWARF: %s"
            % E.short(lp.err()))


def one_line_error(p, what):
    lines = [l for l in p.err().splitlines() if l.strip()]
    E.check(p.rc == 1, "latch exited %s for %s, expected 1; stderr: %s" % (p.rc, what, E.short(p.err())))
    E.check(len(lines) == 1, "expected one line on stderr for %s, got %d: %s" % (what, len(lines), E.short(p.err())))
    E.check(not re.search(r"^pid \d+$", p.out(), re.M), "the target ran: %s" % E.short(p.out()))
    return lines[0]


def t_static_stripped(s, ctx, opt):
    exe = s.bin(opt, "roots-static-stripped")
    for probe in ("rt_visit", "puts"):
        lp = s.launch(ctx, [probe], [exe], name="latch-" + probe)
        msg = one_line_error(lp, "'%s' in a static stripped executable" % probe)
        E.check("'%s' is static and stripped" % exe in msg and "libc" in msg,
                "the message does not say that %s is static and stripped, libc included: %s" % (exe, msg))


def t_stripped_dynamic(s, ctx, opt):
    exe = s.bin(opt, "roots-stripped")
    lp = s.launch(ctx, ["-f", "json", "-o", ctx.path("trace.json"), "puts if arg1 != 0"], [exe])
    E.check(lp.rc == 0, "latch exited %s tracing libc's puts; stderr: %s" % (lp.rc, E.short(lp.err())))
    _, puts = expected(lp.out())
    evs = E.load_json(ctx.path("trace.json"), None, lp.target_pid, lp.t0, lp.t1)
    calls = [e for e in evs if e["type"] == "call"]
    E.check(len(calls) == 2 and all(e["func"] == "puts" for e in calls),
            "expected 2 calls of puts: %s" % E.fmt_events(evs))
    for (addr, line), ev in zip(puts, calls):
        a = ev["args"]
        E.check(a == {"str": line} if "str" in a else raw(a.get("arg1")) == addr,
                "puts args %s, expected str=%s or arg1=0x%x" % (json.dumps(a), json.dumps(line), addr))
    for probe in ("rt_visit", ":rt_visit"):
        lp = s.launch(ctx, [probe], [exe], name="latch-" + probe.strip(":"))
        msg = one_line_error(lp, "'%s' in a stripped executable" % probe)
        E.check("module '%s' has no symbols (stripped)" % exe in msg,
                "the message does not say that %s is stripped: %s" % (exe, msg))


# ------------------------------------------------------------- roots

def need_root():
    if os.geteuid() != 0:
        raise E.TestSkip("needs root (chroot, mount namespaces)")


def interpreter(exe):
    """The program interpreter an ELF executable asks for (PT_INTERP)."""
    with open(exe, "rb") as f:
        data = f.read()
    E.check(data[:4] == b"\x7fELF" and data[4] == 2, "%s is not a 64-bit ELF file" % exe)
    end = "<" if data[5] == 1 else ">"
    phoff, = struct.unpack_from(end + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    for i in range(phnum):
        ptype, = struct.unpack_from(end + "I", data, phoff + i * phentsize)
        if ptype == 3:   # PT_INTERP
            off, = struct.unpack_from(end + "Q", data, phoff + i * phentsize + 8)
            size, = struct.unpack_from(end + "Q", data, phoff + i * phentsize + 32)
            return data[off:off + size].rstrip(b"\0").decode()
    raise E.TestFail("%s has no program interpreter" % exe)


def shared_libs(exe):
    """The files the dynamic linker maps for exe, as ldd names them (the
    dynamic linker's own --list, which ldd runs: machines without ldd have
    it too)."""
    out = subprocess.run([interpreter(exe), "--list", exe], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=30).stdout.decode()
    libs = re.findall(r"(?:=> )?(/\S+) \(0x", out)
    E.check(libs, "%s --list %s lists no library: %s" % (interpreter(exe), exe, E.short(out)))
    return libs


def make_root(ctx, name, exe, as_name="roots"):
    """A directory with exe as /roots and the libraries it needs at the
    paths it will ask for them."""
    root = ctx.path(name)
    os.makedirs(root)
    shutil.copy(exe, os.path.join(root, as_name))
    for lib in shared_libs(exe):
        dst = root + lib
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(lib, dst)
    return root


def t_chroot_launch(s, ctx, opt):
    """roots -c ROOT chroots itself and execs the copy in ROOT: the probes
    are resolved again in the new program, whose files the kernel names
    with ROOT in front; latch shows them as the process sees them."""
    need_root()
    exe = s.bin(opt, "roots")
    root = make_root(ctx, "root", exe)
    lp = s.launch(ctx, json_args(ctx), [exe, "-c", root])
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    check_ran_untraced_like(s, ctx, opt, "roots", lp.out())
    check_trace(ctx.path("trace.json"), lp.out(), lp.target_pid, "/roots", None, lp.t0, lp.t1)
    execs = [e for e in E.load_json(ctx.path("trace.json")) if e["type"] == "exec"]
    E.check([e["exe"] for e in execs] == ["/roots"],
            "exec records %s, expected one of /roots, as the chroot sees it" % execs)
    E.check_stats(lp.err(), 5, 5, 0)


def t_chroot_attach(s, ctx, opt):
    """A stripped executable in a chroot, its DWARF and symbols in the
    chroot's own /usr/lib/debug/.build-id: found through /proc/PID/root."""
    need_root()
    import debuginfo
    exe = s.bin(opt, "roots-stripped")
    root = make_root(ctx, "root", exe)
    bid = debuginfo.build_id(exe)
    dbg = os.path.join(root, "usr/lib/debug/.build-id", bid[:2], bid[2:] + ".debug")
    os.makedirs(os.path.dirname(dbg))
    # the unstripped build has the same build-id: a debug file with all
    shutil.copy(s.bin(opt, "roots"), dbg)
    E.check(debuginfo.build_id(dbg) == bid, "roots and roots-stripped differ in build-id")
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    lp, t = s.attach(ctx, [chroot, root, "/roots", "-w"], json_args(ctx))
    E.check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
            % (t.rc, lp.rc, E.short(t.err()), E.short(lp.err())))
    check_ran_untraced_like(s, ctx, opt, "roots", t.out())
    check_trace(ctx.path("trace.json"), t.out(), t.pid, "/roots", None, lp.t0, lp.t1)
    E.check_stats(lp.err(), 5, 5, 0)


def t_container_attach(s, ctx, opt):
    """A process in a private mount namespace whose root is a tmpfs that
    only it sees (pivot_root, as a container runtime does): /proc/PID/maps
    names its files from that root ("/roots"), where latch has none."""
    need_root()
    for tool in ("unshare", "pivot_root"):
        if not shutil.which(tool):
            raise E.TestSkip("%s is not installed" % tool)
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    if probe.returncode != 0:
        raise E.TestSkip("cannot make a mount namespace here (unshare -m)")
    exe = s.bin(opt, "roots")
    stage = make_root(ctx, "stage", exe)
    mnt = ctx.path("mnt")
    os.makedirs(mnt)
    # pivot_root moves the shell's root too: /roots is then the tmpfs's.
    # Where the root is the initramfs (the arm64 guest), which pivot_root
    # refuses, chroot into the tmpfs: it is still seen by nobody else.
    script = ('mount -t tmpfs latch-e2e "$1" && cp -a "$2/." "$1/" && cd "$1" && mkdir old && '
              '{ pivot_root . old 2>/dev/null && exec /roots -w; exec chroot . /roots -w; }')
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", mnt, stage]
    lp, t = s.attach(ctx, argv, json_args(ctx))
    E.check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
            % (t.rc, lp.rc, E.short(t.err()), E.short(lp.err())))
    E.check(not os.path.exists("/roots"), "/roots exists outside the namespace: the test proves nothing")
    check_ran_untraced_like(s, ctx, opt, "roots", t.out())
    check_trace(ctx.path("trace.json"), t.out(), t.pid, "/roots", None, lp.t0, lp.t1)
    E.check_stats(lp.err(), 5, 5, 0)


def t_deleted_exe(s, ctx, opt):
    """The executable is deleted after it started: its file is read through
    /proc/PID/map_files, and shown by the path it had."""
    need_root()
    exe = ctx.path("gone")
    shutil.copy(s.bin(opt, "roots"), exe)
    t = s.start_target(ctx, [exe, "-w"])
    os.unlink(exe)
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, *json_args(ctx)), "latch")
    t.wait()
    lp.wait()
    E.check(t.rc == 0 and lp.rc == 0, "target exited %s, latch %s; stderr: %s %s"
            % (t.rc, lp.rc, E.short(t.err()), E.short(lp.err())))
    check_ran_untraced_like(s, ctx, opt, "roots", t.out())
    check_trace(ctx.path("trace.json"), t.out(), t.pid, exe, None, t.t0, time.time_ns())
    E.check_stats(lp.err(), 5, 5, 0)


def register(s, R):
    global E
    E = sys.modules[type(s).__module__]
    for opt in E.OPTS:
        R("static-launch-" + opt, lambda c, o=opt: t_static(s, c, o, "launch"))
    R("static-attach-O2", lambda c: t_static(s, c, "O2", "attach"))
    R("static-stripped-O2", lambda c: t_static_stripped(s, c, "O2"))
    R("stripped-dynamic-O2", lambda c: t_stripped_dynamic(s, c, "O2"))
    R("chroot-launch-O2", lambda c: t_chroot_launch(s, c, "O2"))
    R("chroot-attach-O2", lambda c: t_chroot_attach(s, c, "O2"))
    R("container-attach-O2", lambda c: t_container_attach(s, c, "O2"))
    R("deleted-exe-attach-O2", lambda c: t_deleted_exe(s, c, "O2"))
