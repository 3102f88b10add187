"""End-to-end tests of debug information and C++ names, run by e2e.py.

Each test builds its program in its own scratch directory (the sources are
in tests/targets/debuginfo and tests/targets/cxx_names.cc), ships the debug
information the way a system would -- inside the binary as DWARF 4 or 5,
in a separate file found by .gnu_debuglink or by build-id, from a
debuginfod server, as MiniDebugInfo, or as split DWARF -- and checks that
latch finds the functions and, where DWARF is available, their typed
arguments.  A test that needs a compiler or binutils raises TestSkip when
the tool is missing.

With LATCH_E2E_PREBUILT=1 and a directory $LATCH_E2E_TARGETS/debuginfo
(made by tests/targets/debuginfo/build.sh, e.g. cross-built for the arm64
guest, which has no compiler, binutils or xz), the tests use the programs
and debug files there instead, copied into their scratch directory when
they move or delete files.

Environment used by latch here: LATCH_DEBUG_DIRS (directories searched
instead of /usr/lib/debug), DEBUGINFOD_URLS and DEBUGINFOD_CACHE_PATH.
"""

import functools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading

E = sys.modules.get("__main__")
if not hasattr(E, "Suite"):
    import e2e as E  # noqa: E402  (imported as a module, not run)

check, short, TestSkip, TestFail, Proc = E.check, E.short, E.TestSkip, E.TestFail, E.Proc

SRC = os.path.join(E.ROOT, "tests", "targets", "debuginfo")
CXX_SRC = os.path.join(E.ROOT, "tests", "targets", "cxx_names.cc")
CFLAGS = ["-std=gnu11", "-O0", "-g", "-fno-inline", "-Wall", "-Wextra"]


# ------------------------------------------------------------------ tools

def prebuilt(s, name):
    """OUTDIR/name of tests/targets/debuginfo/build.sh in prebuilt mode
    (LATCH_E2E_PREBUILT=1 and $LATCH_E2E_TARGETS/debuginfo exists), else
    None: the test builds its files itself."""
    if os.environ.get("LATCH_E2E_PREBUILT") != "1":
        return None
    d = os.path.join(s.tdir, "debuginfo")
    if not os.path.isdir(d):
        return None
    path = os.path.join(d, name)
    check(os.path.exists(path), "prebuilt %s missing (tests/targets/debuginfo/build.sh)" % path)
    return path


def copy_in(ctx, src, dst):
    """A copy of the prebuilt directory src as ctx.tmp/dst, to change."""
    shutil.copytree(src, ctx.path(dst), symlinks=True)
    return ctx.path(dst)


def tool(name):
    path = shutil.which(name)
    if not path:
        raise TestSkip("no %s on this machine" % name)
    return path


def run(argv, cwd=None, stdin=None):
    p = subprocess.run(argv, cwd=cwd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    if p.returncode != 0:
        raise TestFail("%s failed: %s" % (" ".join(argv), short(p.stdout.decode(errors="replace"))))
    return p.stdout.decode(errors="replace")


def cc(ctx, out, srcs, flags=(), cxx=False):
    """Compile and link srcs into ctx.tmp/out."""
    comp = tool("c++" if cxx else "cc")
    path = ctx.path(out)
    base = ["-O0", "-g", "-fno-inline"] if cxx else CFLAGS
    run([comp] + base + list(flags) + ["-o", path] + list(srcs), cwd=ctx.tmp)
    return path


def build_id(path):
    """The GNU build-id of an ELF file, as hex, from its SHT_NOTE sections."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:4] == b"\x7fELF", "%s is not ELF" % path)
    is64, end = data[4] == 2, "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3a)
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2e)
    for i in range(shnum):
        sh = shoff + i * shentsize
        if is64:
            stype, = struct.unpack_from(end + "I", data, sh + 4)
            off, size = struct.unpack_from(end + "QQ", data, sh + 0x18)
        else:
            stype, = struct.unpack_from(end + "I", data, sh + 4)
            off, size = struct.unpack_from(end + "II", data, sh + 0x10)
        if stype != 7:  # SHT_NOTE
            continue
        pos = off
        while pos + 12 <= off + size:
            namesz, descsz, ntype = struct.unpack_from(end + "III", data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            if ntype == 3 and name.rstrip(b"\0") == b"GNU":
                return data[desc_at:desc_at + descsz].hex()
            pos = desc_at + ((descsz + 3) & ~3)
    raise TestFail("%s has no build-id note" % path)


def latch(s, ctx, args, argv, env_extra=None, name="latch"):
    env = dict(os.environ)
    # hermetic: no debuginfod server, no system debug directory, unless
    # a test asks for one
    env.pop("DEBUGINFOD_URLS", None)
    env.pop("LATCH_DEBUG_DIRS", None)
    env.update(env_extra or {})
    p = Proc(ctx, s.latch_cmd(*args) + ["--"] + [str(a) for a in argv], name, env=env)
    p.wait()
    return p


def events(p, func):
    evs = []
    for line in p.out().splitlines():
        if line.startswith("{"):
            ev = json.loads(line)
            if ev.get("type") == "call" and ev.get("func") == func:
                evs.append(ev)
    return evs


def check_typed(p, what):
    """The three di_add calls of prog.c with their DWARF names and types."""
    check(p.rc == 0, "latch exited %s (%s); stderr: %s" % (p.rc, what, short(p.err())))
    evs = events(p, "di_add")
    check(len(evs) == 3, "%s: %d di_add calls, expected 3: %s" % (what, len(evs), short(p.out())))
    for i, ev in enumerate(evs):
        check(ev.get("args") == {"a": i, "s": "hello"},
              "%s: di_add args %r, expected a=%d and s=\"hello\" from DWARF" % (what, ev.get("args"), i))


def check_raw(p, what):
    """Without DWARF the same calls show "..." for arguments unknown: what
    makes a typed result above mean the debug information was found."""
    check(p.rc == 0, "latch exited %s (%s); stderr: %s" % (p.rc, what, short(p.err())))
    evs = events(p, "di_add")
    check(len(evs) == 3 and all(ev.get("args") == {"...": "..."} for ev in evs),
          "%s: expected unknown arguments (...) without debug information: %s" % (what, short(p.out())))


def split_debug(ctx, exe, debug_name):
    """Move exe's DWARF into debug_name, as distributions ship it."""
    objcopy, strip = tool("objcopy"), tool("strip")
    debug = ctx.path(debug_name)
    os.makedirs(os.path.dirname(debug), exist_ok=True)
    run([objcopy, "--only-keep-debug", exe, debug])
    run([strip, "--strip-debug", exe])
    return debug


# ------------------------------------------------------------------ tests

def t_dwarf_version(s, ctx, version):
    exe = prebuilt(s, "dwarf%d/prog" % version) or \
        cc(ctx, "prog", [os.path.join(SRC, "prog.c")], ["-gdwarf-%d" % version])
    p = latch(s, ctx, ["-f", "json", "di_add"], [exe])
    check_typed(p, "DWARF %d in the binary" % version)


def t_debuglink(s, ctx, where):
    # not "prog.debug": libdwfl tries that name even without a debuglink
    rel = {"next": "prog-symbols.dbg", "subdir": ".debug/prog-symbols.dbg"}[where]
    pre = prebuilt(s, "debuglink-" + where)
    if pre:
        d = copy_in(ctx, pre, "linked")
        exe, debug = os.path.join(d, "prog"), os.path.join(d, rel)
    else:
        exe = cc(ctx, "prog", [os.path.join(SRC, "prog.c")])
        debug = split_debug(ctx, exe, rel)
        # the link holds the base name; objcopy reads the file for its CRC
        run([tool("objcopy"), "--add-gnu-debuglink=" + debug, exe])
    check_typed(latch(s, ctx, ["-f", "json", "di_add"], [exe], name="linked"),
                ".gnu_debuglink to %s" % rel)
    os.unlink(debug)
    check_raw(latch(s, ctx, ["-f", "json", "di_add"], [exe], name="unlinked"),
              "debug file removed")


def t_debuglink_root(s, ctx):
    """.gnu_debuglink under DIR/<directory of the file>/ of a debug root."""
    root = ctx.path("root")
    pre = prebuilt(s, "debuglink-root")
    if pre:
        # used in place: its debug file is one directory up, not searched
        exe = os.path.join(pre, "bin", "prog")
    else:
        exe = cc(ctx, "prog", [os.path.join(SRC, "prog.c")])
        debug = split_debug(ctx, exe, "prog-symbols.dbg")
        run([tool("objcopy"), "--add-gnu-debuglink=" + debug, exe])
    dest = root + os.path.dirname(os.path.realpath(exe))
    os.makedirs(dest)
    if pre:
        shutil.copy(os.path.join(pre, "prog-symbols.dbg"), os.path.join(dest, "prog-symbols.dbg"))
    else:
        shutil.move(debug, os.path.join(dest, "prog-symbols.dbg"))
    check_typed(latch(s, ctx, ["-f", "json", "di_add"], [exe], {"LATCH_DEBUG_DIRS": root}),
                "debuglink under LATCH_DEBUG_DIRS")


def t_build_id(s, ctx):
    pre = prebuilt(s, "build-id")
    if pre:
        exe, root = os.path.join(pre, "prog"), os.path.join(pre, "debugroot")
        bid = build_id(exe)
        check(os.path.exists("%s/.build-id/%s/%s.debug" % (root, bid[:2], bid[2:])),
              "prebuilt %s has no .build-id/%s/%s.debug" % (root, bid[:2], bid[2:]))
    else:
        exe = cc(ctx, "prog", [os.path.join(SRC, "prog.c")], ["-Wl,--build-id"])
        bid = build_id(exe)
        root = ctx.path("debugroot")
        split_debug(ctx, exe, "debugroot/.build-id/%s/%s.debug" % (bid[:2], bid[2:]))
    check_typed(latch(s, ctx, ["-f", "json", "di_add"], [exe], {"LATCH_DEBUG_DIRS": root}),
                "build-id under LATCH_DEBUG_DIRS")
    check_raw(latch(s, ctx, ["-f", "json", "di_add"], [exe], {"LATCH_DEBUG_DIRS": ctx.path("none")},
                    name="elsewhere"), "another debug directory")


def have_libdebuginfod():
    try:
        import ctypes
    except ImportError:
        # (the arm64 guest's python has no ctypes): look in ld.so's
        # default directories
        dirs = ["/lib", "/usr/lib", "/lib64", "/usr/lib64"]
        dirs += [os.path.join(d, a) for d in ("/lib", "/usr/lib")
                 for a in (os.uname().machine + "-linux-gnu",)]
        return any(os.path.exists(os.path.join(d, "libdebuginfod.so.1")) for d in dirs)
    try:
        ctypes.CDLL("libdebuginfod.so.1")
        return True
    except OSError:
        return False


def t_debuginfod(s, ctx):
    # libdw loads libdebuginfod.so.1 (with libcurl) when DEBUGINFOD_URLS
    # is set; the arm64 guest has neither, nor python's http.server
    if not have_libdebuginfod():
        raise TestSkip("libdebuginfod.so.1, which libdw loads for DEBUGINFOD_URLS, is not installed"
                       " (Debian package libdebuginfod1)")
    try:
        import http.server
    except ImportError as e:
        raise TestSkip("python lacks %s, needed for the test's debuginfod server" % e.name)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            self.server.requests.append(self.path)

    pre = prebuilt(s, "debuginfod")
    if pre:
        exe, srvdir = os.path.join(pre, "prog"), os.path.join(pre, "srv")
        bid = build_id(exe)
    else:
        exe = cc(ctx, "prog", [os.path.join(SRC, "prog.c")], ["-Wl,--build-id"])
        bid = build_id(exe)
        split_debug(ctx, exe, "srv/buildid/%s/debuginfo" % bid)
        srvdir = ctx.path("srv")
    handler = functools.partial(Quiet, directory=srvdir)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.requests = []
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        env = {"DEBUGINFOD_URLS": "http://127.0.0.1:%d" % srv.server_address[1],
               "DEBUGINFOD_CACHE_PATH": ctx.path("cache"),
               "LATCH_DEBUG_DIRS": ctx.path("none")}
        p = latch(s, ctx, ["-f", "json", "di_add"], [exe], env)
    finally:
        srv.shutdown()
        srv.server_close()
    check("/buildid/%s/debuginfo" % bid in srv.requests,
          "no request for /buildid/%s/debuginfo; requests: %s" % (bid, srv.requests))
    check_typed(p, "debuginfod")


def t_minidebuginfo(s, ctx):
    """.gnu_debugdata as Fedora builds it: the function symbols that
    .dynsym lacks, xz-compressed, in a binary with no .symtab."""
    pre = prebuilt(s, "minidebuginfo")
    if pre:
        exe, bare = os.path.join(pre, "prog"), os.path.join(pre, "bare")
    else:
        exe, bare = minidebuginfo_build(ctx), ctx.path("bare")
    lst = latch(s, ctx, ["-l", ":di_*"], [exe], name="list")
    check(lst.rc == 0, "latch -l exited %s; stderr: %s" % (lst.rc, short(lst.err())))
    check(re.search(r"^di_add\(\)", lst.out(), re.M) and re.search(r"^di_scale\(\)", lst.out(), re.M),
          "di_add() and di_scale() not listed from .gnu_debugdata: %s" % short(lst.out()))
    check_raw(latch(s, ctx, ["-f", "json", ":di_add"], [exe]), "MiniDebugInfo")
    bare = latch(s, ctx, [":di_add"], [bare], name="bare")
    check(bare.rc != 0 and "no symbols" in bare.err(),
          "without .gnu_debugdata, di_add should not be found: rc %s, stderr %s" % (bare.rc, short(bare.err())))


def minidebuginfo_build(ctx):
    nm, objcopy, strip, xz = tool("nm"), tool("objcopy"), tool("strip"), tool("xz")
    exe = cc(ctx, "prog", [os.path.join(SRC, "prog.c")])
    dyn = set(l.split()[0] for l in run([nm, "-D", exe, "--format=posix", "--defined-only"]).splitlines())
    funcs = [l.split()[0] for l in run([nm, exe, "--format=posix", "--defined-only"]).splitlines()
             if l.split()[1] in ("T", "t")]
    with open(ctx.path("keep"), "w") as f:
        f.write("".join(n + "\n" for n in funcs if n not in dyn))
    run([objcopy, "--only-keep-debug", exe, ctx.path("full.dbg")])
    run([objcopy, "-S", "--remove-section", ".gdb_index", "--remove-section", ".comment",
         "--keep-symbols=" + ctx.path("keep"), ctx.path("full.dbg"), ctx.path("mini")])
    run([xz, "-f", ctx.path("mini")])
    run([strip, "--strip-all", "-R", ".comment", exe])
    shutil.copy(exe, ctx.path("bare"))
    run([objcopy, "--add-section", ".gnu_debugdata=" + ctx.path("mini.xz"), exe])
    os.unlink(ctx.path("full.dbg"))
    return exe


def t_split_dwarf(s, ctx, version, where):
    pre = prebuilt(s, "split-dwarf%d%s" % (version, "-moved" if where == "moved" else ""))
    if pre:
        t_split_dwarf_prebuilt(s, ctx, version, where, pre)
        return
    cc_path = tool("cc")
    os.makedirs(ctx.path("obj"))
    flags = CFLAGS + ["-gsplit-dwarf", "-gdwarf-%d" % version]
    run([cc_path] + flags + ["-c", os.path.join(SRC, "prog.c"), "-o", "prog.o"], cwd=ctx.path("obj"))
    exe = ctx.path("obj/prog")
    run([cc_path, "-o", exe, "prog.o"], cwd=ctx.path("obj"))
    check(os.path.exists(ctx.path("obj/prog.dwo")), "the compiler made no prog.dwo")
    if where == "moved":
        # DW_AT_comp_dir no longer exists: the .dwo is found next to the binary
        shutil.move(ctx.path("obj"), ctx.path("moved"))
        exe = ctx.path("moved/prog")
    check_typed(latch(s, ctx, ["-f", "json", "di_add"], [exe]),
                "split DWARF %d (.dwo %s)" % (version, where))
    os.unlink(os.path.join(os.path.dirname(exe), "prog.dwo"))
    p = latch(s, ctx, ["-f", "json", "di_add"], [exe], name="nodwo")
    check_raw(p, ".dwo removed")
    note = "latch: note: split DWARF of %s not found" % os.path.realpath(exe)
    check(p.err().count(note) == 1, "no note %r: %s" % (note, short(p.err())))


def t_split_dwarf_prebuilt(s, ctx, version, where, pre):
    """build.sh compiled split-dwarfV in place (its DW_AT_comp_dir, mapped
    by DEBUGINFO_RUN_DIR, is where it is now) and split-dwarfV-nodwo the
    same way without keeping the .dwo: deleting the .dwo of a copy would
    not do, the comp dir would still have it. split-dwarf5-moved was
    compiled in a directory that no longer exists: copied and changed."""
    what = "split DWARF %d (.dwo %s)" % (version, where)
    if where == "moved":
        exe = os.path.join(copy_in(ctx, pre, "moved"), "prog")
    else:
        exe = os.path.join(pre, "prog")
    check(os.path.exists(os.path.join(os.path.dirname(exe), "prog.dwo")), "prebuilt %s has no prog.dwo" % pre)
    check_typed(latch(s, ctx, ["-f", "json", "di_add"], [exe]), what)
    if where == "moved":
        os.unlink(os.path.join(os.path.dirname(exe), "prog.dwo"))
    else:
        exe = os.path.join(pre + "-nodwo", "prog")
        check(not os.path.exists(os.path.join(pre + "-nodwo", "prog.dwo")), "prebuilt %s-nodwo has a .dwo" % pre)
    p = latch(s, ctx, ["-f", "json", "di_add"], [exe], name="nodwo")
    check_raw(p, ".dwo removed")
    note = "latch: note: split DWARF of %s not found" % os.path.realpath(exe)
    check(p.err().count(note) == 1, "no note %r: %s" % (note, short(p.err())))


NOTE_RE = re.compile(r"^latch: note: no debug info for (\S+): arguments print as raw registers only "
                     r"to conditions, else as \(\.\.\.\); (.*)$", re.M)


def t_note(s, ctx):
    pre = prebuilt(s, "note")
    if pre:
        lib, exe = os.path.join(pre, "libnote.so"), os.path.join(pre, "usenote")
    else:
        lib = cc(ctx, "libnote.so", [os.path.join(SRC, "libnote.c")], ["-shared", "-fPIC", "-Wl,--build-id"])
        run([tool("strip"), "--strip-debug", lib])
        exe = cc(ctx, "usenote", [os.path.join(SRC, "usenote.c"), "-L" + ctx.tmp, "-lnote",
                                  "-Wl,-rpath," + ctx.tmp])
    bid = build_id(lib)
    root = ctx.path("dbg")
    p = latch(s, ctx, ["-f", "json", "libnote.so:dn_*", ":un_local"], [exe], {"LATCH_DEBUG_DIRS": root})
    check(p.rc == 0, "latch exited %s; stderr: %s" % (p.rc, short(p.err())))
    notes = NOTE_RE.findall(p.err())
    check(len(notes) == 1, "expected one note (for libnote.so only), got: %s" % short(p.err()))
    path, hint = notes[0]
    check(os.path.realpath(path) == os.path.realpath(lib), "note names %s, expected %s" % (path, lib))
    want = "put its debug file at %s/.build-id/%s/%s.debug" % (root, bid[:2], bid[2:])
    check(hint == want, "note says %r, expected %r" % (hint, want))
    check(len(events(p, "dn_twice")) == 3 and len(events(p, "un_local")) == 3,
          "expected 3 calls each of dn_twice and un_local: %s" % short(p.out()))
    # the debug file where the note says makes the note go away
    dest = os.path.join(root, ".build-id", bid[:2], bid[2:] + ".debug")
    os.makedirs(os.path.dirname(dest))
    if pre:
        shutil.copy(os.path.join(pre, "symbols", "libnote.so.debug"), dest)
    else:
        cc(ctx, "libnote-full.so", [os.path.join(SRC, "libnote.c")], ["-shared", "-fPIC", "-Wl,--build-id"])
        run([tool("objcopy"), "--only-keep-debug", ctx.path("libnote-full.so"), dest])
    again = latch(s, ctx, ["-f", "json", "libnote.so:dn_*"], [exe], {"LATCH_DEBUG_DIRS": root}, name="again")
    check(again.rc == 0 and not NOTE_RE.search(again.err()),
          "a note although the debug file is at %s: %s" % (dest, short(again.err())))
    evs = events(again, "dn_twice")
    check(len(evs) == 3 and evs[1].get("args") == {"v": 1},
          "dn_twice not typed from the build-id file: %s" % short(again.out()))


def libc_package():
    for arch in ("amd64", "arm64"):
        if os.path.exists("/var/lib/dpkg/info/libc6:%s.list" % arch):
            return "libc6"
    return None


def t_note_libc(s, ctx):
    if not libc_package():
        raise TestSkip("no dpkg database listing libc6 on this machine (/var/lib/dpkg/info/libc6:ARCH.list):"
                       " latch names the package from it")
    exe = s.bin("O0", "args")
    p = latch(s, ctx, ["-l", "libc.so.6:malloc"], [exe], {"LATCH_DEBUG_DIRS": ctx.path("none")})
    check(p.rc == 0, "latch -l exited %s; stderr: %s" % (p.rc, short(p.err())))
    notes = NOTE_RE.findall(p.err())
    check(len(notes) == 1 and "libc.so.6" in notes[0][0],
          "expected one note for libc.so.6: %s" % short(p.err()))
    check(notes[0][1].startswith("install libc6-dbg (or libc6-dbgsym), or put its debug file at %s/.build-id/"
                                 % ctx.path("none")),
          "the note does not name libc6-dbg and the build-id file: %r" % notes[0][1])


def libc_debug_file(libc):
    bid = build_id(libc)
    path = "/usr/lib/debug/.build-id/%s/%s.debug" % (bid[:2], bid[2:])
    if not os.path.exists(path):
        raise TestSkip("no debug information for %s under /usr/lib/debug (Debian package libc6-dbg)" % libc)


def libc_path(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            path = line.split()[-1]
            if os.path.basename(path) == "libc.so.6":
                return path
    raise TestFail("no libc.so.6 in /proc/%d/maps" % pid)


def t_libc_dbg(s, ctx):
    exe = prebuilt(s, "libc_calls/libc_calls") or cc(ctx, "libc_calls", [os.path.join(SRC, "libc_calls.c")])
    go = ctx.path("go")
    t = s.start_target(ctx, [exe, "-w", go])
    libc_debug_file(libc_path(t.pid))
    lst = Proc(ctx, s.latch_cmd("-l", "-p", t.pid, "libc.so.6:open*", "libc.so.6:malloc"), "list")
    lst.wait()
    open(go, "w").close()
    t.wait()
    check(lst.rc == 0, "latch -l exited %s; stderr: %s" % (lst.rc, short(lst.err())))
    for proto in ("void *malloc(size_t bytes)", "int open(const char *file, int oflag, ...)"):
        check(proto in lst.out(), "no prototype %r in: %s" % (proto, short(lst.out(), 2000)))
    check(re.search(r"^FILE \*open_memstream\(char \*\*\w+, size_t \*\w+\)", lst.out(), re.M),
          "typedef names not kept in: %s" % short(lst.out(), 2000))
    p = latch(s, ctx, ["libc.so.6:open", "libc.so.6:malloc"], [exe], {"LATCH_DEBUG_DIRS": "/usr/lib/debug"},
              name="trace")
    check(p.rc == 0, "latch exited %s; stderr: %s" % (p.rc, short(p.err())))
    check(re.search(r'\bopen\(file="/etc/hosts", oflag=0\b', p.out()),
          "no open(file=\"/etc/hosts\", ...) in: %s" % short(p.out(), 2000))
    check(re.search(r"\bmalloc\((bytes|size)=4096\)", p.out()),
          "no malloc(bytes=4096) in: %s" % short(p.out(), 2000))


def cxx_build(s, ctx):
    return prebuilt(s, "cxx_names/cxx_names") or cc(ctx, "cxx_names", [CXX_SRC], cxx=True)


def list_of(s, ctx, exe, *probes, name="list"):
    p = latch(s, ctx, ["-l"] + list(probes), [exe], name=name)
    check(p.rc == 0, "latch -l %s exited %s; stderr: %s" % (" ".join(probes), p.rc, short(p.err())))
    return [re.sub(r"  \[.*\]$", "", l) for l in p.out().splitlines() if l.endswith("]")]


def t_cxx_match(s, ctx):
    exe = cxx_build(s, ctx)
    got = list_of(s, ctx, exe, "Parser::*")
    want = ["ns::Parser::Parser(int base)", "int ns::Parser::parse(const char *s) const",
            "int ns::Parser::parse(const string &s, int extra) const"]
    check(sorted(got) == sorted(want), "'Parser::*' lists %s, expected %s" % (got, want))
    got = list_of(s, ctx, exe, "ns::fn(int)", name="params")
    check(got == ["int ns::fn(int x)"], "'ns::fn(int)' lists %s" % got)
    got = list_of(s, ctx, exe, "ns::fn(long,long)", name="params2")
    check(got == ["long ns::fn(long x, long y)"], "'ns::fn(long,long)' lists %s" % got)
    got = list_of(s, ctx, exe, "ns::fn", name="overloads")
    check(sorted(got) == ["int ns::fn(int x)", "long ns::fn(long x, long y)"], "'ns::fn' lists %s" % got)
    got = list_of(s, ctx, exe, "_ZN2ns2fnEi", name="mangled")
    check(got == ["int ns::fn(int x)"], "the mangled name lists %s" % got)
    got = list_of(s, ctx, exe, "ns::twice", name="template")
    check(got == ["int ns::twice<int>(int v)"], "'ns::twice' (every instance) lists %s" % got)
    bad = latch(s, ctx, ["-l", "Parser::prase"], [exe], name="typo")
    check(bad.rc != 0 and "did you mean: ns::Parser::parse" in bad.err(),
          "no demangled suggestion for 'Parser::prase': %s" % short(bad.err()))


def t_cxx_trace(s, ctx):
    exe = cxx_build(s, ctx)
    p = latch(s, ctx, ["Parser::parse", "ns::twice<int>", "ns::Vec::operator=="], [exe])
    check(p.rc == 0, "latch exited %s; stderr: %s" % (p.rc, short(p.err())))
    out = p.out()
    for pat in (r'\] ns::Parser::parse\(this=0x[0-9a-f]+.*, s="abc"\) = 13 ',
                r"\] ns::Parser::parse\(this=0x[0-9a-f]+.*, extra=1\) = 16 ",
                r"\] ns::twice<int>\(v=1\) = 2 ",
                r"\] ns::Vec::operator==\(this=.*\) = true "):
        check(re.search(pat, out), "no line matching %r in: %s" % (pat, short(out, 2000)))
    check(len(re.findall(r"\] ns::Parser::parse\(", out)) == 4, "expected 4 parse calls: %s" % short(out, 2000))
    check("_ZN" not in out, "mangled names in the trace: %s" % short(out, 2000))


def register(s, R):
    for v in (4, 5):
        R("debuginfo-dwarf%d" % v, lambda c, v=v: t_dwarf_version(s, c, v))
    R("debuginfo-debuglink-next", lambda c: t_debuglink(s, c, "next"))
    R("debuginfo-debuglink-subdir", lambda c: t_debuglink(s, c, "subdir"))
    R("debuginfo-debuglink-root", lambda c: t_debuglink_root(s, c))
    R("debuginfo-build-id", lambda c: t_build_id(s, c))
    R("debuginfo-debuginfod", lambda c: t_debuginfod(s, c))
    R("debuginfo-minidebuginfo", lambda c: t_minidebuginfo(s, c))
    for v in (4, 5):
        R("debuginfo-split-dwarf%d" % v, lambda c, v=v: t_split_dwarf(s, c, v, "in place"))
    R("debuginfo-split-dwarf5-moved", lambda c: t_split_dwarf(s, c, 5, "moved"))
    R("debuginfo-note", lambda c: t_note(s, c))
    R("debuginfo-note-libc-package", lambda c: t_note_libc(s, c))
    R("debuginfo-libc-dbg", lambda c: t_libc_dbg(s, c))
    R("cxx-names-match", lambda c: t_cxx_match(s, c))
    R("cxx-names-trace", lambda c: t_cxx_trace(s, c))
