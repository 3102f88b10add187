#!/usr/bin/env python3
"""The layers of the source tree, checked: tests/layers.py BUILD_DIR

1. Folders: each file of src/ and cmd/ includes only headers of its own
   folder or of folders below it, in the order src/core/engine.h gives;
   no file of src/output/ or cmd/ includes libdw/libdwfl, directly or
   through the headers it includes, and cmd/ uses the engine through
   tracer/tracer.h only, never tracer/priv.h.
2. The ptrace engine: each file of src/tracer/ calls only functions of
   the files listed before it in src/tracer/priv.h's list, read from the
   objects' symbols (nm) in BUILD_DIR, so no call cycle can hide behind
   a header.
Prints one line per violation and "layers: N checked, M wrong".
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def folder_order():
    """Folders lowest first, from engine.h's "Layers" comment: a line
    "  a, b   text" puts a and b on one level."""
    text = open(os.path.join(ROOT, "src/core/engine.h")).read()
    block = text[text.index("Layers, lowest first"):text.index("*/", text.index("Layers, lowest first"))]
    levels = {}
    for n, line in enumerate(block.splitlines()[1:]):
        m = re.match(r"\s*\*\s+([a-z/]+(?:, [a-z/]+)*)\s{2,}", line)
        if m:
            for name in m.group(1).split(", "):
                levels[name.rstrip("/")] = n
    return levels


def folder_of(path):
    parts = path.split("/")
    if parts[0] == "cmd":
        return "cmd"
    return "/".join(parts[1:-1])


INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.M)


def project_header(f, inc):
    """The project file that #include "inc" in f names, or None."""
    for d in ("src", os.path.dirname(f), "arch/x86_64"):
        p = os.path.normpath(os.path.join(d, inc))
        if os.path.exists(os.path.join(ROOT, p)):
            return p
    return None


def reaches_libdw(f, seen):
    """Does f include libdw or libdwfl, itself or through the project's
    headers it includes?"""
    if f in seen:
        return False
    seen.add(f)
    for inc in INCLUDE.findall(open(os.path.join(ROOT, f)).read()):
        if inc.startswith("elfutils/"):
            return True
        h = project_header(f, inc)
        if h and reaches_libdw(h, seen):
            return True
    return False


def check_folders(levels, bad):
    checked = 0
    files = subprocess.check_output(["git", "ls-files", "src", "cmd"], cwd=ROOT).decode().split()
    for f in files:
        if not f.endswith((".c", ".h")):
            continue
        src = open(os.path.join(ROOT, f)).read()
        here = folder_of(f)
        if here in ("cmd", "output", "output/otlp") and reaches_libdw(f, set()):
            bad.append("%s includes libdw or libdwfl, through its headers: sinks and cmd/ "
                       "see core/event.h only" % f)
        if here == "":
            continue   # src/arch.h: the back end's interface, below all
        if here not in levels:
            bad.append("%s: folder %s is not in src/core/engine.h's layers" % (f, here))
            continue
        for inc in INCLUDE.findall(src):
            checked += 1
            if here == "cmd" and inc == "tracer/priv.h":
                bad.append("%s includes tracer/priv.h: cmd/ uses tracer/tracer.h" % f)
            if not os.path.exists(os.path.join(ROOT, "src", inc)) or "/" not in inc:
                continue
            there = folder_of("src/" + inc)
            if there != here and levels.get(there, 99) >= levels[here]:
                bad.append("%s includes %s: %s is not below %s" % (f, inc, there, here))
    return checked


def engine_order():
    text = open(os.path.join(ROOT, "src/tracer/priv.h")).read()
    return re.findall(r"^ \*   ([a-z_]+)\.c\s", text, re.M)


def symbols(obj):
    out = subprocess.check_output(["nm", obj]).decode().splitlines()
    defined, used = set(), set()
    for line in out:
        p = line.split()
        if len(p) == 3 and p[1] in "TDBR":
            defined.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            used.add(p[1])
    return defined, used


def check_engine(build, bad):
    order = engine_order()
    files = sorted(f[:-2] for f in os.listdir(os.path.join(ROOT, "src/tracer")) if f.endswith(".c"))
    for f in files:
        if f not in order:
            bad.append("src/tracer/%s.c is not in src/tracer/priv.h's list of layers" % f)
    owner, uses = {}, {}
    for f in files:
        obj = os.path.join(build, "src/tracer/%s.o" % f)
        if not os.path.exists(obj):
            bad.append("%s: not built" % obj)
            continue
        defined, used = symbols(obj)
        for s in defined:
            owner[s] = f
        uses[f] = used
    checked = 0
    for f, used in sorted(uses.items()):
        for s in sorted(used):
            g = owner.get(s)
            if g is None or g == f:
                continue
            checked += 1
            if f in order and g in order and order.index(g) >= order.index(f):
                bad.append("src/tracer/%s.c calls %s of %s.c, which is not below it" % (f, s, g))
    return checked


def main():
    if len(sys.argv) != 2:
        print("usage: tests/layers.py BUILD_DIR", file=sys.stderr)
        return 2
    bad = []
    n = check_folders(folder_order(), bad)
    n += check_engine(sys.argv[1], bad)
    for b in bad:
        print("FAIL %s" % b)
    print("layers: %d checked, %d wrong" % (n, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
