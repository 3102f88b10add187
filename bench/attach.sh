#!/bin/sh
# bench/attach.sh LATCH RESULTS: the costs of a big module, both engines'
# (issue 16): resolving 10000 functions of one compilation unit (an
# amalgamated build such as sqlite3.c), and naming pointers by the symbols
# they point into in a module of 10000 symbols. Appends to RESULTS.
#
# The unit is generated: u0 .. u9999(int x, struct sN *s), and
# ptr_call(struct ops *o, int n) whose three pointer members point at
# functions and at a global. Environment: BENCH_N calls (default 100000,
# here N/10), BENCH_REPS (3), CC.
set -u

LATCH=${1:?usage: sh bench/attach.sh LATCH RESULTS}
RES=${2:?usage: sh bench/attach.sh LATCH RESULTS}
N=$((${BENCH_N:-100000} / 10))
REPS=${BENCH_REPS:-3}
CC=${CC:-cc}
B=build/bench
T=$B/tmp

say() { printf '%s\n' "$*" | tee -a "$RES"; }
note() { printf 'bench: %s\n' "$*" >&2; }
median() { sort -n | sed -n "$((($REPS + 1) / 2))p"; }
now_ns() { date +%s%N; }

awk 'BEGIN {
	print "#include <stdlib.h>"
	print "struct ops { int (*open)(int); int (*close)(int); struct ops *self; };"
	for (i = 0; i < 10000; i++) {
		printf "struct s%d { int a; char *p; };\n", i
		printf "__attribute__((noinline)) int u%d(int x, struct s%d *s) ", i, i
		printf "{ return x + %d + (s ? s->a : 0); }\n", i
	}
	print "static int op_open(int x) { return x; }"
	print "static int op_close(int x) { return -x; }"
	print "struct ops table = { op_open, op_close, &table };"
	print "__attribute__((noinline)) int ptr_call(struct ops *o, int n) { return o->open(n); }"
	print "int main(int argc, char **argv) {"
	print "	int n = atoi(argv[1]), t = 0;"
	print "	for (int i = 0; i < n; i++)"
	print "		t += argv[2][0] == *\"p\" ? ptr_call(&table, i) : u0(i, 0);"
	print "	return t == 42;"
	print "}"
}' >"$T/unit.c"
note "attach: building a unit of 10000 functions"
$CC -std=gnu11 -O0 -g -o "$B/unit" "$T/unit.c" || exit 1
UNIT=$PWD/$B/unit

# wall seconds of CMD..., median of REPS runs
timed() {
	r=0
	while [ "$r" -lt "$REPS" ]; do
		r=$((r + 1))
		t0=$(now_ns)
		"$@" >/dev/null 2>"$T/attach.err" || { note "failed: $* ($(tail -n 1 "$T/attach.err"))"; return 1; }
		echo $(($(now_ns) - t0))
	done | median | awk '{ printf "%.3f", $1 / 1e9 }'
}

L=$(timed "$LATCH" -l --max-probes 20000 ':u*' -- "$UNIT" 1 i)
A=$(timed "$LATCH" -q -c --max-probes 20000 ':u*' -- "$UNIT" 1 i)
U=$(timed "$UNIT" "$N" p)
P=$(timed "$LATCH" -q -o /dev/null ptr_call -- "$UNIT" "$N" p)
I=$(timed "$LATCH" -q -o /dev/null u0 -- "$UNIT" "$N" i)
say "big module: one unit of 10000 functions (and symbols), -O0 -g; median of $REPS runs"
say "resolve 10000 probes (-l):                 ${L:-n/a} s (goal <= 1)"
say "trace 10000 probes, 1 call (-c):           ${A:-n/a} s (goal <= 1)"
if [ -n "$P" ] && [ -n "$I" ] && [ -n "$U" ]; then
	ratio=$(awk -v p="$P" -v i="$I" -v u="$U" 'BEGIN { printf "%.2f", (p - u) / (i - u) }')
	say "ptr_call(o) with 3 pointers named by symbol, against u0(int, NULL), N=$N each:"
	say "  $P s against $I s (untraced $U s): ptr/int = $ratio (goal <= 1.5)"
fi
exit 0
