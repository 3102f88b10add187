#!/bin/sh
# Build ahead of time every program and debug file of the debug-information
# and C++-name tests (tests/e2e/debuginfo.py), for machines that cannot
# build them at run time (the arm64 guest: no compiler, binutils or xz).
# e2e.py uses them with LATCH_E2E_PREBUILT=1 when $LATCH_E2E_TARGETS/debuginfo
# exists; tests/aarch64/e2e.sh builds them there (OUTDIR = .../VARIANT/debuginfo).
# Usage: tests/targets/debuginfo/build.sh OUTDIR
# Layout of OUTDIR (each test finds its files by these names):
#   dwarf4/prog dwarf5/prog          -gdwarf-4 / -gdwarf-5 in the binary
#   debuglink-next/{prog,prog-symbols.dbg}
#   debuglink-subdir/{prog,.debug/prog-symbols.dbg}
#   debuglink-root/{bin/prog,prog-symbols.dbg}   the test puts the .dbg
#                                    under a LATCH_DEBUG_DIRS root itself
#   build-id/prog, build-id/debugroot/.build-id/NN/REST.debug
#   debuginfod/prog, debuginfod/srv/buildid/ID/debuginfo
#   minidebuginfo/prog (.gnu_debugdata), minidebuginfo/bare (without it)
#   split-dwarfV/{prog,prog.dwo}     compiled there: DW_AT_comp_dir is
#                                    that directory (see DEBUGINFO_RUN_DIR)
#   split-dwarfV-nodwo/prog          the same, its .dwo deleted
#   split-dwarf5-moved/{prog,prog.dwo}  compiled in a directory since renamed
#   note/{libnote.so,usenote}        libnote.so without DWARF (build-id
#                                    kept), usenote with RUNPATH $ORIGIN;
#   note/symbols/libnote.so.debug    libnote.so's debug file
#   libc_calls/libc_calls, cxx_names/cxx_names
# Environment (optional; native tools by default, cross: aarch64-linux-gnu-*):
#   CC CXX OBJCOPY STRIP NM READELF   compilers and binutils
#   XZ                                xz (runs on the build machine)
#   TARGET_CFLAGS                     extra flags for every program
#   DEBUGINFO_RUN_DIR  absolute path at which OUTDIR is seen when the tests
#                      run (default OUTDIR): the split-DWARF programs' comp
#                      dirs are mapped there, so that "in place" stays in
#                      place in a guest (e.g. /targets/default/debuginfo)
# shellcheck disable=SC2086,SC2016  # flag lists split on purpose; $ORIGIN literal
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")" && pwd)
CXX_SRC=$SRC/../cxx_names.cc
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
OBJCOPY=${OBJCOPY:-objcopy}
STRIP=${STRIP:-strip}
NM=${NM:-nm}
READELF=${READELF:-readelf}
XZ=${XZ:-xz}
EXTRA=${TARGET_CFLAGS:-}
RUN_DIR=${DEBUGINFO_RUN_DIR:-$OUT}
# as in tests/e2e/debuginfo.py
CFLAGS="-std=gnu11 -O0 -g -fno-inline -Wall -Wextra $EXTRA"

build_id() {
	id=$($READELF -n "$1" | sed -n 's/^ *Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
	[ -n "$id" ] || { echo "$0: $1 has no build-id note" >&2; exit 1; }
	echo "$id"
}

# prog DIR [FLAGS...]: tests/targets/debuginfo/prog.c into DIR/prog
prog() {
	d=$1
	shift
	rm -rf "$d"
	mkdir -p "$d"
	$CC $CFLAGS "$@" -o "$d/prog" "$SRC/prog.c"
}

# split_debug EXE DEBUG: the DWARF of EXE into DEBUG, as distributions ship it
split_debug() {
	mkdir -p "$(dirname "$2")"
	$OBJCOPY --only-keep-debug "$1" "$2"
	$STRIP --strip-debug "$1"
}

for v in 4 5; do
	prog "$OUT/dwarf$v" "-gdwarf-$v"
done

# .gnu_debuglink: the link holds the base name, objcopy reads the file for
# its CRC (not "prog.debug": libdwfl tries that name even without a link)
prog "$OUT/debuglink-next"
split_debug "$OUT/debuglink-next/prog" "$OUT/debuglink-next/prog-symbols.dbg"
(cd "$OUT/debuglink-next" && $OBJCOPY --add-gnu-debuglink=prog-symbols.dbg prog)
prog "$OUT/debuglink-subdir"
split_debug "$OUT/debuglink-subdir/prog" "$OUT/debuglink-subdir/.debug/prog-symbols.dbg"
(cd "$OUT/debuglink-subdir" && $OBJCOPY --add-gnu-debuglink=.debug/prog-symbols.dbg prog)
prog "$OUT/debuglink-root/bin"
split_debug "$OUT/debuglink-root/bin/prog" "$OUT/debuglink-root/prog-symbols.dbg"
(cd "$OUT/debuglink-root" && $OBJCOPY --add-gnu-debuglink=prog-symbols.dbg bin/prog)

# build-id under a debug root, and served by debuginfod
prog "$OUT/build-id" -Wl,--build-id
bid=$(build_id "$OUT/build-id/prog")
rest=${bid#??}
split_debug "$OUT/build-id/prog" "$OUT/build-id/debugroot/.build-id/${bid%"$rest"}/$rest.debug"
prog "$OUT/debuginfod" -Wl,--build-id
bid=$(build_id "$OUT/debuginfod/prog")
split_debug "$OUT/debuginfod/prog" "$OUT/debuginfod/srv/buildid/$bid/debuginfo"

# MiniDebugInfo as Fedora builds it: the function symbols that .dynsym
# lacks, xz-compressed into .gnu_debugdata, in a binary with no .symtab
d=$OUT/minidebuginfo
prog "$d"
$NM -D "$d/prog" --format=posix --defined-only | awk '{ print $1 }' | sort -u >"$d/dyn"
$NM "$d/prog" --format=posix --defined-only | awk '$2 == "T" || $2 == "t" { print $1 }' |
	sort -u | comm -23 - "$d/dyn" >"$d/keep"
$OBJCOPY --only-keep-debug "$d/prog" "$d/full.dbg"
$OBJCOPY -S --remove-section .gdb_index --remove-section .comment \
	--keep-symbols="$d/keep" "$d/full.dbg" "$d/mini"
$XZ -f "$d/mini"
$STRIP --strip-all -R .comment "$d/prog"
cp "$d/prog" "$d/bare"
$OBJCOPY --add-section .gnu_debugdata="$d/mini.xz" "$d/prog"
rm -f "$d/dyn" "$d/keep" "$d/full.dbg" "$d/mini.xz"

# Split DWARF, compiled and linked apart in the directory (DW_AT_dwo_name
# "prog.dwo", DW_AT_comp_dir the directory as seen at run time)
split() { # DIR VERSION
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$1" &&
		$CC $CFLAGS -gsplit-dwarf "-gdwarf-$2" "-fdebug-prefix-map=$OUT=$RUN_DIR" \
			-c "$SRC/prog.c" -o prog.o &&
		$CC $EXTRA -o prog prog.o && rm -f prog.o)
	[ -f "$1/prog.dwo" ] || { echo "$0: the compiler made no $1/prog.dwo" >&2; exit 1; }
}
for v in 4 5; do
	split "$OUT/split-dwarf$v" "$v"
	split "$OUT/split-dwarf$v-nodwo" "$v"
	rm -f "$OUT/split-dwarf$v-nodwo/prog.dwo"
done
rm -rf "$OUT/split-dwarf5-moved"
split "$OUT/split-dwarf5-moved.build" 5
mv "$OUT/split-dwarf5-moved.build" "$OUT/split-dwarf5-moved"

# A library without DWARF (build-id kept) and its debug file
d=$OUT/note
rm -rf "$d"
mkdir -p "$d/symbols"
$CC $CFLAGS -shared -fPIC -Wl,--build-id -o "$d/libnote.so" "$SRC/libnote.c"
split_debug "$d/libnote.so" "$d/symbols/libnote.so.debug"
$CC $CFLAGS -o "$d/usenote" "$SRC/usenote.c" -L"$d" -lnote '-Wl,-rpath,$ORIGIN'

rm -rf "$OUT/libc_calls" "$OUT/cxx_names"
mkdir -p "$OUT/libc_calls" "$OUT/cxx_names"
$CC $CFLAGS -o "$OUT/libc_calls/libc_calls" "$SRC/libc_calls.c"
$CXX -O0 -g -fno-inline $EXTRA -o "$OUT/cxx_names/cxx_names" "$CXX_SRC"
