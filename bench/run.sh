#!/bin/sh
# bench/run.sh LATCH: `make bench`. Per-call cost of tracing one empty
# function, entry and return, with latch and its peers.
#
# Builds bench/*.c into build/bench/, then runs build/bench/loop (N calls to
# bench_fn) untraced, under latch, ltrace -x, bpftrace uprobe+uretprobe and
# the two-stop floor (bench/floor.c), REPS times each, and takes the median.
# Per-call cost = (wall time traced - wall time untraced) / N; the loop's own
# ns_per_call (timed inside the target, so without tool start-up) is shown
# too. Then the wait-loop microbenchmark (bench/stops.c). The results go to
# standard output and to build/bench/results.txt; progress goes to stderr.
#
# Environment: BENCH_N (default 100000) calls; ltrace and the "+qos" extras
# run N/10. BENCH_REPS (3) runs per measurement. BENCH_TIMEOUT (120) seconds
# per run. BENCH_STOPS (10000) stops per wait-loop strategy. CC (cc).
set -u

LATCH=${1:?usage: sh bench/run.sh LATCH}
case $LATCH in /*) ;; *) LATCH=$PWD/$LATCH ;; esac
N=${BENCH_N:-100000}
NS=$((N / 10))
[ "$NS" -ge 1 ] || NS=1
REPS=${BENCH_REPS:-3}
TMO=${BENCH_TIMEOUT:-120}
STOPS=${BENCH_STOPS:-10000}
CC=${CC:-cc}
B=build/bench
RES=$B/results.txt
T=$B/tmp
START=$(date +%s)

mkdir -p "$T" || exit 1
: >"$RES"

say() { printf '%s\n' "$*" | tee -a "$RES"; }
note() { printf 'bench: %s\n' "$*" >&2; }

# ---- build ----
for p in loop wall qos stops; do
	$CC -std=gnu11 -O2 -g -Wall -Wextra -o "$B/$p" "bench/$p.c" || exit 1
done
HAVE_FLOOR=0
if [ "$(uname -m)" = x86_64 ]; then
	$CC -std=gnu11 -O2 -g -Wall -Wextra -o "$B/floor" bench/floor.c || exit 1
	HAVE_FLOOR=1
fi
LOOP=$PWD/$B/loop
ADDR=$(nm "$LOOP" | awk '$3 == "bench_fn" { print $1 }')
[ -n "$ADDR" ] || { echo "bench: no bench_fn in $LOOP" >&2; exit 1; }

# ---- peers ----
if ! command -v ltrace >/dev/null 2>&1 || ! command -v bpftrace >/dev/null 2>&1; then
	note "installing ltrace and bpftrace"
	LATCH_BENCH_DEPS=1 sh tests/deps.sh || note "could not install the peers; continuing without"
fi

# ---- measuring ----
# Per key K: $T/K.wall, $T/K.npc (medians: wall ns, loop ns/call), $T/K.n,
# $T/K.err (stderr of the last run), or $T/K.why if it could not run.
median() { sort -n "$1" | sed -n "$(((REPS + 1) / 2))p"; }

# measure KEY N CHECK CMD...: CHECK is an extended regexp that the run's
# stdout+stderr must also match ("" for none).
measure() {
	key=$1 n=$2 check=$3
	shift 3
	rm -f "$T/$key".*
	: >"$T/$key.walls"
	: >"$T/$key.npcs"
	i=0
	while [ "$i" -lt "$REPS" ]; do
		i=$((i + 1))
		note "$key: run $i/$REPS (N=$n)"
		timeout -k 5 "$TMO" "$B/wall" "$T/w" "$@" >"$T/out" 2>"$T/err"
		rc=$?
		why=""
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			why="timed out after ${TMO}s"
		elif [ "$rc" -ne 0 ]; then
			why="exit status $rc"
		elif ! grep -q "^calls=$n " "$T/out"; then
			why="the loop did not finish its $n calls"
		elif [ -n "$check" ] && ! cat "$T/out" "$T/err" | grep -Eq "$check"; then
			why="output does not match /$check/"
		fi
		if [ -n "$why" ]; then
			last=$(grep -v '^$' "$T/err" | tail -n 2 | tr '\n' ' ')
			echo "$why${last:+: $last}" >"$T/$key.why"
			cp "$T/err" "$T/$key.err"
			note "$key: $why"
			return 1
		fi
		cat "$T/w" >>"$T/$key.walls"
		sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p' "$T/out" >>"$T/$key.npcs"
	done
	median "$T/$key.walls" >"$T/$key.wall"
	median "$T/$key.npcs" >"$T/$key.npc"
	echo "$n" >"$T/$key.n"
	cp "$T/err" "$T/$key.err"
	return 0
}

skip() { echo "$2" >"$T/$1.why"; note "$1: $2"; }

# us per call of KEY over the untraced run at the same N, or "" if none.
percall() {
	[ -f "$T/$1.wall" ] || return 0
	n=$(cat "$T/$1.n")
	base=untraced
	[ "$n" -eq "$N" ] || base=untraced_s
	awk -v w="$(cat "$T/$1.wall")" -v b="$(cat "$T/$base.wall")" -v n="$n" \
		'BEGIN { printf "%.2f", (w - b) / n / 1000 }'
}
loopcall() {
	[ -f "$T/$1.npc" ] || return 0
	awk -v x="$(cat "$T/$1.npc")" 'BEGIN { printf "%.2f", x / 1000 }'
}
ratio() {
	[ -n "$1" ] && [ -n "$2" ] || return 0
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
}

# floor_spc KEY N: stops per call from the floor's "floor: ... N stops" line
floor_spc() {
	s=$(sed -n 's/^floor: .* \([0-9][0-9]*\) stops$/\1/p' "$T/$1.err")
	[ -n "$s" ] && ratio "$s" "$2" >"$T/$1.spc"
}

measure untraced "$N" "" "$LOOP" "$N" || exit 1
measure untraced_s "$NS" "" "$LOOP" "$NS" || exit 1

# latch: timed runs quiet; one more run without -q for the stop count
if measure latch "$N" "" "$LATCH" -q -o /dev/null bench_fn -- "$LOOP" "$N"; then
	note "latch: stop count (N=$NS)"
	timeout -k 5 "$TMO" "$LATCH" -o /dev/null bench_fn -- "$LOOP" "$NS" >/dev/null 2>"$T/latch_stops.err"
	stops=$(sed -n 's/^latch: \([0-9]*\) calls, \([0-9]*\) returns, \([0-9]*\) unwinds, \([0-9]*\) stops.*/\1 \2 \3 \4/p' \
		"$T/latch_stops.err" | tail -n 1)
	if [ -n "$stops" ]; then
		# shellcheck disable=SC2086 # split into the four numbers
		set -- $stops
		echo "$1 calls, $2 returns, $3 unwinds, $4 stops for N=$NS" >"$T/latch.stopline"
		ratio "$4" "$NS" >"$T/latch.spc"
	else
		note "latch: no 'latch: N calls, N returns, N unwinds, N stops' line on stderr"
	fi
fi

if command -v ltrace >/dev/null 2>&1; then
	measure ltrace "$NS" "" ltrace -x bench_fn -o /dev/null "$LOOP" "$NS"
else
	skip ltrace "ltrace is not installed"
fi

if ! command -v bpftrace >/dev/null 2>&1; then
	skip bpftrace "bpftrace is not installed"
elif ! timeout 60 bpftrace -e 'BEGIN { exit(); }' >"$T/bpf.out" 2>&1; then
	skip bpftrace "bpftrace cannot run here: $(grep -i error "$T/bpf.out" | tail -n 1)"
else
	measure bpftrace "$N" "@c: $N" bpftrace \
		-e "uprobe:$LOOP:bench_fn { @c = count(); } uretprobe:$LOOP:bench_fn { @r = count(); }" \
		-c "$LOOP $N"
fi

if [ "$HAVE_FLOOR" -eq 1 ]; then
	measure floor "$N" "floor: $N calls, $N returns" "$B/floor" -a "$ADDR" -- "$LOOP" "$N" &&
		floor_spc floor "$N"
else
	skip floor "the floor emulates x86-64 instructions only"
fi

# extras at N/10: the same with every CPU kept out of idle states
if "$B/qos" true 2>"$T/qos.err"; then
	[ "$HAVE_FLOOR" -eq 1 ] &&
		measure floor+qos "$NS" "floor: $NS calls" "$B/qos" "$B/floor" -a "$ADDR" -- "$LOOP" "$NS" &&
		floor_spc floor+qos "$NS"
	[ -f "$T/latch.wall" ] &&
		measure latch+qos "$NS" "" "$B/qos" "$LATCH" -q -o /dev/null bench_fn -- "$LOOP" "$NS"
else
	QOS_WHY=$(cat "$T/qos.err")
	skip floor+qos "$QOS_WHY"
	skip latch+qos "$QOS_WHY"
fi

# ---- report ----
LT=$(percall ltrace)
FL=$(percall floor)
LA=$(percall latch)

say "latch bench: one empty function bench_fn(int), entry and return traced"
say "host: $(uname -srm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"cpuidle $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
say "N=$N (ltrace and +qos rows: N=$NS), median of $REPS runs; us/call = (wall traced - wall untraced) / N;"
say "loop us/call = the target's own timing of its loop (no tool start-up); +qos = /dev/cpu_dma_latency held at 0,"
say "and a +qos row's x floor is relative to floor+qos"
say ""
say "$(printf '%-11s %8s %12s %12s %9s %9s %10s' tool N 'us/call' 'loop us/call' 'x ltrace' 'x floor' 'stops/call')"
for k in untraced latch ltrace bpftrace floor latch+qos floor+qos; do
	if [ -f "$T/$k.why" ]; then
		say "$(printf '%-11s   not measured: %s' "$k" "$(cat "$T/$k.why")")"
		continue
	fi
	[ -f "$T/$k.wall" ] || continue
	pc=$(percall "$k")
	[ "$k" = untraced ] && pc=0.00
	spc=$(cat "$T/$k.spc" 2>/dev/null)
	xl=$(ratio "$pc" "$LT")
	xf=$(ratio "$pc" "$FL")
	case $k in *+qos) xl="" xf=$(ratio "$pc" "$(percall floor+qos)") ;; esac
	[ "$k" = untraced ] && { xl=""; xf=""; }
	say "$(printf '%-11s %8s %12s %12s %9s %9s %10s' "$k" "$(cat "$T/$k.n")" "$pc" "$(loopcall "$k")" \
		"${xl:--}" "${xf:--}" "${spc:--}")"
done
[ -f "$T/latch.stopline" ] && say "latch stderr: $(cat "$T/latch.stopline")"
say ""

verdict() { # NAME VALUE GOAL
	if [ -z "$2" ]; then
		say "$1 = n/a (goal <= $3)"
	elif awk -v v="$2" -v g="$3" 'BEGIN { exit !(v <= g) }'; then
		say "$1 = $2 (goal <= $3): met"
	else
		say "$1 = $2 (goal <= $3): NOT met"
	fi
}
verdict latch/ltrace "$(ratio "$LA" "$LT")" 0.15
verdict latch/floor "$(ratio "$LA" "$FL")" 2
LQ=$(percall latch+qos)
[ -n "$LQ" ] && say "(with qos: latch/floor = $(ratio "$LQ" "$(percall floor+qos)"), latch+qos/ltrace = $(ratio "$LQ" "$LT"))"
say ""

note "wait-loop strategies ($STOPS stops each)"
"$B/stops" -n "$STOPS" >"$T/stops.out" 2>&1
while IFS= read -r line; do say "$line"; done <"$T/stops.out"
say ""
say "bench took $(($(date +%s) - START)) s; results in $RES"
exit 0
