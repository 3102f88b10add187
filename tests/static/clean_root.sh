#!/bin/sh
# latch-static in a clean root: a directory that holds latch-static, the
# test targets and, for the dynamically linked one, libc.so.6 and the
# dynamic linker, and none of the libraries latch links (libdw, libelf,
# capstone, zlib, liblzma, libbz2, libzstd, libcurl, libstdc++). latch
# runs chrooted there, with /proc mounted inside in a mount namespace of
# the script's own (unshare -m), which takes the mount away however the
# script ends.
#
#   sh tests/static/clean_root.sh LATCH_STATIC
#   sh tests/static/clean_root.sh --build-targets DIR
#
# The first runs the tests, as root (chroot, mount): "ok NAME" or
# "FAIL NAME: reason" for each, then "static: N passed, M failed"; exit 1
# on a failure. python3, outside the root, reads the traces. The targets
# (tests/static/target.c, target_cxx.cc) are built with $CC and $CXX
# (default cc and c++), or taken from $STATIC_TARGETS, a directory that
# the second form fills without running anything (cross-built, say, for
# another machine).
#
# Environment: LATCH_STATIC_TIMEOUT, seconds for each latch run (60).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
T=${LATCH_STATIC_TIMEOUT:-60}

# target: static with its debug information, the traced add(a, b);
# target_dyn: the same, dynamically linked; target_cxx: static C++ without
# debug information, whose names only the demangler gives.
build_targets() {
	mkdir -p "$1" &&
		$CC -static -g -O0 -o "$1/target" "$HERE/target.c" &&
		$CC -g -O0 -o "$1/target_dyn" "$HERE/target.c" &&
		$CXX -static -O0 -o "$1/target_cxx" "$HERE/target_cxx.cc"
}

if [ $# -eq 2 ] && [ "$1" = --build-targets ]; then
	build_targets "$2"
	exit
fi
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 LATCH_STATIC | --build-targets DIR" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "static: needs root (chroot, mount)" >&2
	exit 1
fi
if [ -z "${LATCH_STATIC_NS:-}" ] && unshare -m --propagation private true 2>/dev/null; then
	export LATCH_STATIC_NS=1
	exec unshare -m --propagation private sh "$0" "$@"
fi

LATCH=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/latch-static.XXXXXX") || exit 1
ROOT=$TMP/root
passed=0
failed=0

# Without unshare, /proc is mounted where everyone sees it: a root whose
# /proc is still mounted is left alone rather than removed through it.
cleanup() {
	umount "$ROOT/proc" 2>/dev/null
	if grep -q " $ROOT/proc " /proc/self/mounts; then
		echo "static: $ROOT/proc is still mounted; $TMP left behind" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

ok() {
	echo "ok $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

finish() {
	echo "static: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

in_root() {
	timeout "$T" chroot "$ROOT" "$@"
}

# The first lines of a file, on one line, for a failure's reason.
excerpt() {
	head -n 5 "$1" 2>/dev/null | tr '\n' ' ' | cut -c 1-300
}

# check_calls NAME TRACE FUNC COUNT MODULE [args]: the JSON trace holds
# exactly COUNT calls and returns, all of FUNC in MODULE; with "args",
# they are add(i, 10 * i) = 11 * i for i from 1, in order.
check_calls() {
	name=$1
	shift
	if why=$(python3 - "$@" 2>&1 <<-'PY'
		import json, sys
		path, func, n, module = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
		args = sys.argv[5:] == ["args"]
		try:
		    recs = [json.loads(l) for l in open(path) if l.strip()]
		except (OSError, ValueError) as e:
		    sys.exit("cannot read the trace: %s" % e)
		calls = [r for r in recs if r.get("type") == "call"]
		rets = [r for r in recs if r.get("type") == "return"]
		if len(calls) != n or len(rets) != n:
		    sys.exit("%d calls and %d returns, expected %d of each" % (len(calls), len(rets), n))
		for r in calls + rets:
		    if r.get("func") != func or r.get("module") != module:
		        sys.exit("a record of %r in %r, expected %r in %r"
		                 % (r.get("func"), r.get("module"), func, module))
		if args:
		    got = [(c.get("args", {}).get("a"), c.get("args", {}).get("b")) for c in calls]
		    want = [(i, 10 * i) for i in range(1, n + 1)]
		    if got != want:
		        sys.exit("arguments %s, expected %s" % (got, want))
		    got = [r.get("ret") for r in rets]
		    want = [11 * i for i in range(1, n + 1)]
		    if got != want:
		        sys.exit("return values %s, expected %s" % (got, want))
		PY
	); then
		ok "$name"
	else
		fail "$name" "$why"
	fi
}

# A target's own output: it says it ran every call.
check_target_out() {
	grep -qx "$2" "$1" || { fail "$3" "the target printed '$(excerpt "$1")', not '$2'"; return 1; }
}

# run_latch NAME LATCH_ARGS...: latch-static in the root,
# exiting 0; its output and errors in $TMP/NAME.{out,err}.
run_latch() {
	name=$1
	shift
	in_root /latch-static "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	[ "$rc" -eq 0 ] && return 0
	fail "$name" "latch-static $* exited $rc: $(excerpt "$TMP/$name.err")"
	return 1
}

# --- the root
targets=${STATIC_TARGETS:-$TMP/targets}
if [ -z "${STATIC_TARGETS:-}" ] && ! build_targets "$targets"; then
	fail build "cannot build the targets with $CC and $CXX"
	finish
fi
mkdir -p "$ROOT/proc"
if ! cp "$LATCH" "$ROOT/latch-static" ||
	! cp "$targets/target" "$targets/target_dyn" "$targets/target_cxx" "$ROOT/"; then
	fail stage "cannot copy latch-static and the targets into $ROOT"
	finish
fi
# target_dyn's libraries, as its dynamic linker lists them (what ldd does)
libs=$(LD_TRACE_LOADED_OBJECTS=1 "$ROOT/target_dyn" |
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }')
extra=""
for l in $libs; do
	case ${l##*/} in
	libc.so.6 | ld-linux*) ;;
	*) extra="$extra $l" ;;
	esac
	mkdir -p "$ROOT${l%/*}" && cp -L "$l" "$ROOT$l"
done
if [ -z "$libs" ] || [ -n "$extra" ]; then
	fail stage "target_dyn needs libraries besides libc and the dynamic linker:$extra (all: $libs)"
	finish
fi

# --- the tests
found=$(find "$ROOT" \( -name 'libdw*' -o -name 'libelf*' -o -name 'libcapstone*' \
	-o -name 'libz.*' -o -name 'liblzma*' -o -name 'libbz2*' -o -name 'libzstd*' \
	-o -name 'libcurl*' -o -name 'libstdc++*' -o -name 'libdebuginfod*' \) -print)
if [ -z "$found" ]; then
	ok clean-root
else
	fail clean-root "the root holds $(echo "$found" | tr '\n' ' ')"
fi

# no program interpreter and no dynamic section: nothing to load at all
if why=$(python3 - "$ROOT/latch-static" 2>&1 <<-'PY'
	import struct, sys
	with open(sys.argv[1], "rb") as f:
	    elf = f.read()
	if elf[:4] != b"\x7fELF" or elf[4] != 2:
	    sys.exit("not a 64-bit ELF file")
	end = "<" if elf[5] == 1 else ">"
	phoff, = struct.unpack_from(end + "Q", elf, 0x20)
	phentsize, phnum = struct.unpack_from(end + "HH", elf, 0x36)
	for i in range(phnum):
	    kind, = struct.unpack_from(end + "I", elf, phoff + i * phentsize)
	    if kind in (2, 3):
	        sys.exit("it has a %s" % ("PT_DYNAMIC", "PT_INTERP")[kind - 2])
	PY
); then
	ok statically-linked
else
	fail statically-linked "$why"
fi

if ! mount -t proc proc "$ROOT/proc"; then
	fail mount "cannot mount /proc in $ROOT"
	finish
fi

v=$(in_root /latch-static --version 2>&1)
case $v in
"latch "[0-9]*) ok version ;;
*) fail version "latch-static --version printed '$v'" ;;
esac

if run_latch launch-static -f json -o /launch-static.json add -- /target &&
	check_target_out "$TMP/launch-static.out" "sum 165" launch-static; then
	check_calls launch-static "$ROOT/launch-static.json" add 5 /target args
fi

if run_latch launch-dynamic -f json -o /launch-dynamic.json add -- /target_dyn &&
	check_target_out "$TMP/launch-dynamic.out" "sum 165" launch-dynamic; then
	check_calls launch-dynamic "$ROOT/launch-dynamic.json" add 5 /target_dyn args
fi

# the names come from libstdc++'s demangler inside latch-static
if run_latch demangle -f json -o /demangle.json 'ns::twice' -- /target_cxx &&
	check_target_out "$TMP/demangle.out" "sum 12" demangle; then
	check_calls demangle "$ROOT/demangle.json" ns::twice 3 /target_cxx
fi

# -p: the target, started in the root, waits for add's trap
chroot "$ROOT" /target -w >"$TMP/attach-target.out" 2>&1 &
tpid=$!
i=0
while ! grep -qs waiting "$TMP/attach-target.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if run_latch attach -p "$tpid" -f json -o /attach.json add; then
	wait "$tpid"
	trc=$?
	if [ "$trc" -ne 0 ]; then
		fail attach "the target exited $trc: $(excerpt "$TMP/attach-target.out")"
	elif check_target_out "$TMP/attach-target.out" "sum 165" attach; then
		check_calls attach "$ROOT/attach.json" add 5 /target args
	fi
else
	kill "$tpid" 2>/dev/null
	wait "$tpid"
fi

# --otlp-file works without libcurl: one span per call
if run_latch otlp-file -q --otlp-file /spans.json add -- /target; then
	if why=$(python3 - "$ROOT/spans.json" 2>&1 <<-'PY'
		import json, sys
		names = []
		for line in open(sys.argv[1]):
		    for rs in json.loads(line)["resourceSpans"]:
		        for ss in rs["scopeSpans"]:
		            names += [s["name"] for s in ss["spans"]]
		if names != ["add"] * 5:
		    sys.exit("spans %s, expected 5 of add" % names)
		PY
	); then
		ok otlp-file
	else
		fail otlp-file "$why"
	fi
fi

# --otlp needs HTTP, which latch-static is built without: a usage error
in_root /latch-static --otlp http://127.0.0.1:9/v1/traces add -- /target \
	>"$TMP/otlp-http.out" 2>"$TMP/otlp-http.err"
rc=$?
if [ "$rc" -ne 2 ]; then
	fail otlp-http "latch-static --otlp exited $rc, expected 2 (usage)"
elif ! grep -q "built without HTTP export: use --otlp-file" "$TMP/otlp-http.err"; then
	fail otlp-http "no reason given: $(excerpt "$TMP/otlp-http.err")"
else
	ok otlp-http
fi

finish
