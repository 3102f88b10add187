#!/bin/sh
# Build the e2e target programs into OUTDIR/O0 and OUTDIR/O2.
#   O0: -O0 -g -fno-inline      O2: -O2 -g
# nodwarf is built without -g and stripped of debug sections (symbols kept);
# nodwarf-stripped has no symbol table either.
# Usage: tests/targets/build.sh OUTDIR      (CC overrides the compiler)
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
SRC=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
STRIP=${STRIP:-strip}
WARN="-Wall -Wextra"

for opt in O0 O2; do
	case $opt in
	O0) FLAGS="-O0 -fno-inline" ;;
	O2) FLAGS="-O2" ;;
	esac
	d=$OUT/$opt
	mkdir -p "$d"
	for t in args recurse longjmp signal loop; do
		$CC -std=gnu11 $FLAGS -g $WARN -o "$d/$t" "$SRC/$t.c"
	done
	$CC -std=gnu11 $FLAGS -g $WARN -pthread -o "$d/threads" "$SRC/threads.c"
	$CC -std=gnu11 $FLAGS $WARN -o "$d/nodwarf" "$SRC/nodwarf.c"
	$STRIP --strip-debug "$d/nodwarf"
	cp "$d/nodwarf" "$d/nodwarf-stripped"
	$STRIP --strip-all "$d/nodwarf-stripped"
done
