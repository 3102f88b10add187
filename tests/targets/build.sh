#!/bin/sh
# Build the e2e target programs into OUTDIR/O0 and OUTDIR/O2.
#   O0: -O0 -g -fno-inline      O2: -O2 -g
# nodwarf is built without -g and stripped of debug sections (symbols kept);
# nodwarf-stripped has no symbol table either. roots is built four ways:
# roots (-g), roots-stripped (that, strip --strip-all), roots-static
# (-static -g) and roots-static-stripped. stack-nocfi is stack.c
# without -g and without unwind tables, with frame pointers; stack.c itself
# is copied next to the programs, for tests/e2e/stack.py to find its
# marked lines where no source tree is (the arm64 guest).
# The value targets of tests/targets/values/ (v_ints, v_floats, ..., v_cxx,
# see tests/e2e/values.py) are built into OUTDIR/O0, OUTDIR/O2 and also
# OUTDIR/O2-split: -O2 -g -gsplit-dwarf, each NAME with its NAME.dwo next to
# it (compiled in that directory: DW_AT_dwo_name is "NAME.dwo",
# DW_AT_comp_dir the directory's absolute path).
# The issue-7 targets (tests/e2e/follow.py): plughost with its plugins
# libplug_a.so and libplug_b.so (plug.c built twice, -fPIC -shared, next to
# it), forks, execer and exec_b, cancel (-pthread), throws (C++).
# Issue 14's (tests/e2e/faults.py): blocker and hammer (-pthread), storm,
# memedge, and in O2/ only reentry-O1 and reentry-O2 (reentry.c at -O1
# and -O2).
# Issue 17's: firsts, and declared (declared.c with -g, declared_impl.c
# without) (tests/e2e/firsts.py).
# Last, OUTDIR/MANIFEST lists every file built (paths under OUTDIR), written
# only when all were: `make` takes it as the targets' time stamp, and
# e2e.py with LATCH_E2E_PREBUILT=1 checks that each file it names is there.
# Usage: tests/targets/build.sh OUTDIR
# Environment (all optional; unset means the native x86-64 build as before):
#   CC, STRIP        compiler and strip (e.g. aarch64-linux-gnu-gcc and
#                    aarch64-linux-gnu-strip to cross-build)
#   CXX              C++ compiler for v_cxx (default c++; cross:
#                    aarch64-linux-gnu-g++)
#   TARGET_CFLAGS    extra flags for every target (e.g.
#                    -mbranch-protection=standard)
#   TARGET_CXXFLAGS  extra flags for the C++ target (e.g. -static-libstdc++
#                    -static-libgcc, so that a guest needs no libstdc++)
#   LATCH_E2E_SCALE  divide the threads target's 4 x 25000 calls by this
#                    (25000 must be a multiple of it); e2e.py reads the same
#                    variable to expect the scaled counts
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
SRC=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
STRIP=${STRIP:-strip}
WARN="-Wall -Wextra"
EXTRA=${TARGET_CFLAGS:-}
CXXEXTRA=${TARGET_CXXFLAGS:-}
VALUES="ints floats mixed structs structptr unions enums arrays bitfields strings fnptrs depth"
SCALE=${LATCH_E2E_SCALE:-1}
mkdir -p "$OUT"
rm -f "$OUT/MANIFEST"

case $SCALE in
''|*[!0-9]*|0) echo "$0: LATCH_E2E_SCALE must be a positive integer" >&2; exit 2 ;;
esac
[ $((25000 % SCALE)) -eq 0 ] || { echo "$0: LATCH_E2E_SCALE must divide 25000" >&2; exit 2; }

# threads.c has the per-thread count as "#define PER 25000"; a scaled build
# compiles a copy with that one line changed (and fails if it is not there).
THREADS_SRC=$SRC/threads.c
if [ "$SCALE" -ne 1 ]; then
	mkdir -p "$OUT"
	THREADS_SRC=$OUT/threads-scaled.c
	sed "s/^#define PER 25000\$/#define PER $((25000 / SCALE))/" "$SRC/threads.c" >"$THREADS_SRC"
	grep -q "^#define PER $((25000 / SCALE))\$" "$THREADS_SRC" ||
		{ echo "$0: no '#define PER 25000' line in threads.c to scale" >&2; exit 1; }
fi

for opt in O0 O2; do
	case $opt in
	O0) FLAGS="-O0 -fno-inline" ;;
	O2) FLAGS="-O2" ;;
	esac
	d=$OUT/$opt
	mkdir -p "$d"
	for t in args recurse longjmp signal loop clones conds summary stack forks execer exec_b storm memedge firsts; do
		$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -o "$d/$t" "$SRC/$t.c"
	done
	$CC -std=gnu11 $FLAGS $WARN $EXTRA -fno-asynchronous-unwind-tables -fno-unwind-tables \
		-fno-omit-frame-pointer -o "$d/stack-nocfi" "$SRC/stack.c"
	cp "$SRC/stack.c" "$d/stack.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -I"$SRC" -pthread -o "$d/threads" "$THREADS_SRC"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -pthread -o "$d/spans" "$SRC/spans.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -pthread -o "$d/pictures" "$SRC/pictures.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -pthread -o "$d/cancel" "$SRC/cancel.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -pthread -o "$d/blocker" "$SRC/blocker.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -pthread -o "$d/hammer" "$SRC/hammer.c"
	# loop heads at the entry need optimisation: -O1 and -O2 both, in O2/
	if [ $opt = O2 ]; then
		for o in O1 O2; do
			$CC -std=gnu11 -$o -g $WARN $EXTRA -pthread -o "$d/reentry-$o" "$SRC/reentry.c"
		done
	fi
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -o "$d/plughost" "$SRC/plughost.c" -ldl
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -fPIC -shared -DNAME=a -DK=1 -o "$d/libplug_a.so" "$SRC/plug.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -fPIC -shared -DNAME=b -DK=2 -o "$d/libplug_b.so" "$SRC/plug.c"
	$CXX $FLAGS -g $WARN $EXTRA $CXXEXTRA -o "$d/throws" "$SRC/throws.cc"
	$CC -std=gnu11 $FLAGS $WARN $EXTRA -o "$d/nodwarf" "$SRC/nodwarf.c"
	$STRIP --strip-debug "$d/nodwarf"
	$CC -std=gnu11 $FLAGS $WARN $EXTRA -c -o "$d/declared_impl.o" "$SRC/declared_impl.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -o "$d/declared" "$SRC/declared.c" "$d/declared_impl.o"
	rm -f "$d/declared_impl.o"
	cp "$d/nodwarf" "$d/nodwarf-stripped"
	$STRIP --strip-all "$d/nodwarf-stripped"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -o "$d/roots" "$SRC/roots.c"
	$CC -std=gnu11 $FLAGS -g $WARN $EXTRA -static -o "$d/roots-static" "$SRC/roots.c"
	for t in roots roots-static; do
		cp "$d/$t" "$d/$t-stripped"
		$STRIP --strip-all "$d/$t-stripped"
	done
done

# Value targets, in every variant, compiled in the variant's directory
# and linked apart (a one-step build would name the .dwo v_ints-ints.dwo).
for opt in O0 O2 O2-split; do
	case $opt in
	O0) FLAGS="-O0 -fno-inline -g" ;;
	O2) FLAGS="-O2 -g" ;;
	O2-split) FLAGS="-O2 -g -gsplit-dwarf" ;;
	esac
	mkdir -p "$OUT/$opt"
	d=$(cd "$OUT/$opt" && pwd)
	for t in $VALUES; do
		(cd "$d" && $CC -std=gnu11 $FLAGS $WARN $EXTRA -c -o "v_$t.o" "$SRC/values/$t.c" &&
			$CC $FLAGS $EXTRA -o "v_$t" "v_$t.o" -lm && rm -f "v_$t.o")
	done
	(cd "$d" && $CXX $FLAGS $WARN $EXTRA $CXXEXTRA -c -o v_cxx.o "$SRC/values/cxx.cpp" &&
		$CXX $FLAGS $EXTRA $CXXEXTRA -o v_cxx v_cxx.o && rm -f v_cxx.o)
done

(cd "$OUT" && find O0 O2 O2-split -type f | LC_ALL=C sort) >"$OUT/MANIFEST.tmp"
mv "$OUT/MANIFEST.tmp" "$OUT/MANIFEST"
