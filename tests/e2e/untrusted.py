"""Files a hostile target names: end-to-end tests registered by e2e.py
(issue 14). latch runs as root; every ELF and debug file that a traced
process (or its container) names must be opened inside that process's
root, never block, and be a regular file.

tests/targets/roots.c (see roots.py) stripped, in a chroot, with its
build-id debug file path inside the chroot made:
* untrusted-build-id-fifo: a FIFO, which would block open(2) forever;
* untrusted-build-id-abslink: a link to an absolute path that, on the host
  (not in the chroot), holds the real debug file: opened through
  /proc/PID/root that path would be the host's, and latch would trace
  rt_visit with DWARF; inside the root it names nothing;
* untrusted-build-id-dotdot: the same with a relative link climbing out by
  "..";
and, with objcopy on the machine (not in the arm64 guest):
* untrusted-debuglink-fifo: a .gnu_debuglink naming a FIFO next to the
  binary;
* untrusted-debuglink-dotdot: a .gnu_debuglink of "../../..." leading to
  the real debug file: a debug link is a file name, and this one is
  refused.
Each run is bounded in time and must not have found the planted file.
"""

import os
import shutil
import struct
import subprocess
import sys
import zlib

E = None
R_ = None           # the roots module

BOUND = 20          # seconds latch may take; blocked, it would never end


def stripped_in_root(s, ctx):
    exe = s.bin("O2", "roots-stripped")
    root = R_.make_root(ctx, "root", exe)
    import debuginfo
    bid = debuginfo.build_id(exe)
    dbg = os.path.join(root, "usr/lib/debug/.build-id", bid[:2], bid[2:] + ".debug")
    os.makedirs(os.path.dirname(dbg))
    return exe, root, dbg


def check_not_found(lp):
    """latch ended by itself, with the stripped executable's message: it
    found no debug file for it."""
    E.check(lp.elapsed < BOUND, "latch took %.1f s" % lp.elapsed)
    E.check("has no symbols" in lp.err() and "rt_visit(" not in lp.out(),
            "latch found a debug file it must not open; rc %s, stderr: %s" % (lp.rc, E.short(lp.err())))


def t_build_id(s, ctx, kind):
    R_.need_root()
    exe, root, dbg = stripped_in_root(s, ctx)
    host_copy = ctx.path("host/debug/roots.debug")       # outside the root
    os.makedirs(os.path.dirname(host_copy))
    shutil.copy(s.bin("O2", "roots"), host_copy)          # a debug file with all
    if kind == "fifo":
        os.mkfifo(dbg)
    elif kind == "abslink":
        os.symlink(host_copy, dbg)
    else:
        os.symlink("../" * 12 + host_copy.lstrip("/"), dbg)
    t = s.start_target(ctx, [shutil.which("chroot") or "/usr/sbin/chroot", root, "/roots", "-w"])
    lp = E.Proc(ctx, s.latch_cmd("-p", t.pid, "-d", "2", "rt_visit"), "latch")
    lp.wait(BOUND)
    check_not_found(lp)
    E.check(lp.rc == 1, "latch exited %s, expected 1 (no function matched); stderr: %s"
            % (lp.rc, E.short(lp.err())))
    t.kill()


def objcopy():
    path = shutil.which("objcopy")
    if not path:
        raise E.TestSkip("no objcopy on this machine")
    return path


def with_debuglink(ctx, s, name, section_name=None):
    """roots, its debug information moved out, its .gnu_debuglink saying
    section_name (default name): (directory, program)."""
    d = ctx.path("app")
    os.makedirs(d)
    prog = os.path.join(d, "roots")
    shutil.copy(s.bin("O2", "roots"), prog)
    link = (section_name or name).encode() + b"\0"
    link += b"\0" * (-len(link) % 4)
    with open(s.bin("O2", "roots"), "rb") as f:
        crc = zlib.crc32(f.read())
    sect = ctx.path("debuglink.bin")
    with open(sect, "wb") as f:
        f.write(link + struct.pack("<I", crc))
    subprocess.run([objcopy(), "--strip-debug", "--remove-section=.gnu_debuglink",
                    "--add-section", ".gnu_debuglink=" + sect, prog], check=True)
    return d, prog


def t_debuglink_fifo(s, ctx):
    d, prog = with_debuglink(ctx, s, "roots.dbg")
    os.mkfifo(os.path.join(d, "roots.dbg"))
    lp = s.launch(ctx, ["-f", "json", "-o", ctx.path("trace.json"), "-d", "5", "rt_visit"], [prog],
                  timeout=BOUND)
    E.check(lp.elapsed < BOUND, "latch took %.1f s" % lp.elapsed)
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    # the symbols are still there (--strip-debug keeps them): traced raw
    calls = [e for e in E.load_json(ctx.path("trace.json")) if e["type"] == "call"]
    E.check(len(calls) == 3, "%d calls of rt_visit traced, expected 3" % len(calls))


def t_debuglink_dotdot(s, ctx):
    host_copy = ctx.path("elsewhere/roots.debug")
    os.makedirs(os.path.dirname(host_copy))
    shutil.copy(s.bin("O2", "roots"), host_copy)
    d, prog = with_debuglink(ctx, s, None, "../elsewhere/roots.debug")
    lp = s.launch(ctx, ["-f", "json", "-o", ctx.path("trace.json"), "-d", "5", "rt_visit"], [prog],
                  timeout=BOUND)
    E.check(lp.rc == 0, "latch exited %s; stderr: %s" % (lp.rc, E.short(lp.err())))
    calls = [e for e in E.load_json(ctx.path("trace.json")) if e["type"] == "call"]
    E.check(calls and all(e["args"] == {"...": "..."} for e in calls),
            "rt_visit was traced with DWARF from a debug link with '..' in it: %s" % E.fmt_events(calls))


def register(s, R):
    global E, R_
    E = sys.modules[type(s).__module__]
    import roots
    R_ = roots
    for kind in ("fifo", "abslink", "dotdot"):
        R("untrusted-build-id-" + kind, lambda c, k=kind: t_build_id(s, c, k))
    R("untrusted-debuglink-fifo", lambda c: t_debuglink_fifo(s, c))
    R("untrusted-debuglink-dotdot", lambda c: t_debuglink_dotdot(s, c))
