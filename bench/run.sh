#!/bin/sh
# bench/run.sh LATCH: `make bench`. Per-call cost of tracing one empty
# function, entry and return, with latch and its peers.
#
# Builds bench/*.c into build/bench/, then runs build/bench/loop (N calls to
# bench_fn) untraced, under latch, ltrace -x, bpftrace uprobe+uretprobe and
# the two-stop floor (bench/floor.c), in REPS rounds in which the tools take
# turns, and takes the median. Per-call cost = (wall time traced - wall time
# untraced) / N; the loop's own ns_per_call (timed inside the target, so
# without tool start-up) is shown too. Then the wait-loop microbenchmark
# (bench/stops.c). latch-rich traces bench_rich, six mixed arguments with a
# string and a struct, against latch-ints on bench_ints, six integers: the
# cost of decoding values. latch-cond traces bench_fn with a condition that
# holds for one call in a hundred ('bench_fn if x % 100 == 0'): against the
# latch row, what a rejected call costs. latch-otlp adds --otlp to latch-json
# (-f json -o /dev/null), exporting every call as a span to a loopback
# OTLP/HTTP receiver (tests/otlp/receiver.py, started here, reading and
# acknowledging each request): what the export costs the traced program.
# latch-otlp+dec is the same with the receiver also decoding every request
# with the opentelemetry-proto definitions of tests/otlp/protos.sh, on the
# same CPUs as latch and its target. bench/attach.sh then measures a big
# module: resolving 10000 functions of one unit, and pointers named by
# their symbols among 10000. The results go to standard
# output and to build/bench/results.txt; progress goes to stderr.
#
# Environment: BENCH_N (default 100000) calls; ltrace and the "+qos" rows run
# N/10. A "+qos" row is the same run with every CPU kept out of idle states
# (bench/qos.c, needs root). BENCH_REPS (3) rounds. BENCH_TIMEOUT (120)
# seconds per run. BENCH_STOPS (10000) stops per wait-loop strategy. CC (cc).
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

rm -rf "$T"
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

# ---- OTLP receivers ----
# One receiver per row for all its runs, stopped (and its counts read) at
# the end; a run counts only if latch says it sent all N spans. latch-otlp's
# receiver answers without decoding; against it, latch-otlp+dec shows what a
# decoding receiver's own CPU time costs the run when it shares the machine
# (a real back end runs elsewhere).
RXPIDS=""
stop_rx() {
	for p in $RXPIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $RXPIDS; do wait "$p" 2>/dev/null; done
	RXPIDS=""
}
trap 'stop_rx' EXIT
trap 'stop_rx; exit 130' INT TERM HUP
# start_rx KEY [RECEIVER-ARGS]: sets RX_URL, or writes $T/KEY.why (not in
# a subshell: RXPIDS must keep the receiver's pid)
start_rx() {
	rxkey=$1
	shift
	python3 tests/otlp/receiver.py --pydir "$pydir" "$@" >"$T/$rxkey.rx" 2>&1 </dev/null &
	rxpid=$!
	RXPIDS="$RXPIDS $rxpid"
	i=0
	while [ $i -lt 200 ] && ! grep -q '^url ' "$T/$rxkey.rx" && kill -0 "$rxpid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	RX_URL=$(sed -n 's/^url //p' "$T/$rxkey.rx")
	[ -n "$RX_URL" ] || echo "the receiver did not start: $(tail -n 1 "$T/$rxkey.rx")" >"$T/$rxkey.why"
}
OTLP_URL="" OTLP0_URL=""
if ! pydir=$(sh tests/otlp/protos.sh "build/otlp" 2>"$T/protos.err"); then
	echo "tests/otlp/protos.sh failed: $(tail -n 1 "$T/protos.err")" >"$T/latch-otlp+dec.why"
	cp "$T/latch-otlp+dec.why" "$T/latch-otlp.why"
else
	start_rx latch-otlp+dec
	OTLP_URL=$RX_URL
	start_rx latch-otlp --no-decode
	OTLP0_URL=$RX_URL
fi
for k in latch-otlp+dec latch-otlp; do [ -f "$T/$k.why" ] && note "$k: $(cat "$T/$k.why")"; done

# ---- peers ----
if ! command -v ltrace >/dev/null 2>&1 || ! command -v bpftrace >/dev/null 2>&1; then
	note "installing ltrace and bpftrace"
	LATCH_BENCH_DEPS=1 sh tests/deps.sh || note "could not install the peers; continuing without"
fi

# ---- measuring ----
# The tools take turns: REPS rounds, each running every tool once, so that a
# change in the machine's state (other load, where the scheduler puts tracer
# and tracee) hits them all alike; a tool that fails once is dropped.
# Per key K: $T/K.n, $T/K.walls and $T/K.npcs (one line per round: wall ns,
# loop ns/call), $T/K.err (stderr of the last run), or $T/K.why if it could
# not run; after the rounds $T/K.wall and $T/K.npc hold the medians.
median() { sort -n "$1" | sed -n "$((($(wc -l <"$1") + 1) / 2))p"; }

skip() { echo "$2" >"$T/$1.why"; note "$1: $2"; }

# run_once KEY N CHECK CMD...: CHECK is an extended regexp that the run's
# stdout+stderr must also match ("" for none).
run_once() {
	key=$1 n=$2 check=$3
	shift 3
	[ -f "$T/$key.why" ] && return 1
	echo "$n" >"$T/$key.n"
	timeout -k 5 "$TMO" "$B/wall" "$T/w" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	cp "$T/err" "$T/$key.err"
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
		skip "$key" "$why${last:+: $last}"
		return 1
	fi
	cat "$T/w" >>"$T/$key.walls"
	sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p' "$T/out" >>"$T/$key.npcs"
	note "$key: round $ROUND/$REPS: N=$n, loop $(sed -n 's/.*ns_per_call=//p' "$T/out") ns/call"
	return 0
}

# us per call of wall ns $2 over the untraced run, for key $1
percall_of() {
	n=$(cat "$T/$1.n")
	base=untraced
	[ "$n" -eq "$N" ] || base=untraced_s
	[ "$1" = latch-rich ] && base=untraced_r
	[ "$1" = latch-ints ] && base=untraced_i
	awk -v w="$2" -v b="$(cat "$T/$base.wall")" -v n="$n" \
		'BEGIN { printf "%.2f", (w - b) / n / 1000 }'
}
# median us per call of KEY, or "" if not measured
percall() {
	[ -f "$T/$1.wall" ] || return 0
	percall_of "$1" "$(cat "$T/$1.wall")"
}
# per-round us per call of KEY, one a line
percalls() {
	[ -f "$T/$1.wall" ] || return 0
	while read -r w; do percall_of "$1" "$w"; echo; done <"$T/$1.walls"
}
loopcall() {
	[ -f "$T/$1.npc" ] || return 0
	awk -v x="$(cat "$T/$1.npc")" 'BEGIN { printf "%.2f", x / 1000 }'
}
ratio() {
	[ -n "$1" ] && [ -n "$2" ] || return 0
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
}
# per-round ratios of KEY1 to KEY2, space-separated
round_ratios() {
	percalls "$1" >"$T/r1"
	percalls "$2" >"$T/r2"
	paste -d' ' "$T/r1" "$T/r2" |
		awk 'NF == 2 && $2 > 0 { printf "%s%.2f", sep, $1 / $2; sep = " " }'
}

# floor_spc KEY N: stops per call from the floor's "floor: ... N stops" line
floor_spc() {
	s=$(sed -n 's/^floor: .* \([0-9][0-9]*\) stops$/\1/p' "$T/$1.err")
	[ -n "$s" ] && ratio "$s" "$2" >"$T/$1.spc"
}

command -v ltrace >/dev/null 2>&1 || { skip ltrace "ltrace is not installed"; skip ltrace+qos "ltrace is not installed"; }
if ! command -v bpftrace >/dev/null 2>&1; then
	skip bpftrace "bpftrace is not installed"
elif ! timeout 60 bpftrace -e 'BEGIN { exit(); }' >"$T/bpf.out" 2>&1; then
	skip bpftrace "bpftrace cannot run here: $(grep -i error "$T/bpf.out" | tail -n 1)"
fi
[ "$HAVE_FLOOR" -eq 1 ] || skip floor "the floor emulates x86-64 instructions only"
if ! "$B/qos" true 2>"$T/qos.err"; then
	skip floor+qos "$(cat "$T/qos.err")"
	skip ltrace+qos "$(cat "$T/qos.err")"
fi
[ "$HAVE_FLOOR" -eq 1 ] || skip floor+qos "the floor emulates x86-64 instructions only"

ROUND=0
while [ "$ROUND" -lt "$REPS" ]; do
	ROUND=$((ROUND + 1))
	run_once untraced "$N" "" "$LOOP" "$N" || exit 1
	run_once untraced_s "$NS" "" "$LOOP" "$NS" || exit 1
	run_once untraced_r "$N" "" "$LOOP" "$N" -r || exit 1
	run_once untraced_i "$N" "" "$LOOP" "$N" -i || exit 1
	run_once latch "$N" "" "$LATCH" -q -o /dev/null bench_fn -- "$LOOP" "$N"
	run_once latch-ints "$N" "" "$LATCH" -q -o /dev/null bench_ints -- "$LOOP" "$N" -i
	run_once latch-rich "$N" "" "$LATCH" -q -o /dev/null bench_rich -- "$LOOP" "$N" -r
	run_once latch-cond "$N" "" "$LATCH" -q -o /dev/null 'bench_fn if x % 100 == 0' -- "$LOOP" "$N"
	# (no -q: the otlp line on stderr says every span was sent)
	run_once latch-json "$N" "" "$LATCH" -f json -o /dev/null bench_fn -- "$LOOP" "$N"
	run_once latch-otlp+dec "$N" "^latch: otlp: $N spans sent, 0 dropped, 0 failed" \
		"$LATCH" -f json -o /dev/null --otlp "$OTLP_URL" bench_fn -- "$LOOP" "$N"
	run_once latch-otlp "$N" "^latch: otlp: $N spans sent, 0 dropped, 0 failed" \
		"$LATCH" -f json -o /dev/null --otlp "$OTLP0_URL" bench_fn -- "$LOOP" "$N"
	run_once floor "$N" "floor: $N calls, $N returns" "$B/floor" -a "$ADDR" -- "$LOOP" "$N"
	run_once latch-entry "$N" "" "$LATCH" -q --no-returns -o /dev/null bench_fn -- "$LOOP" "$N"
	run_once latch-noqos "$NS" "" "$LATCH" --no-qos -q -o /dev/null bench_fn -- "$LOOP" "$NS"
	run_once floor+qos "$NS" "floor: $NS calls, $NS returns" "$B/qos" "$B/floor" -a "$ADDR" -- "$LOOP" "$NS"
	run_once ltrace "$NS" "" ltrace -x bench_fn -o /dev/null "$LOOP" "$NS"
	run_once ltrace+qos "$NS" "" "$B/qos" ltrace -x bench_fn -o /dev/null "$LOOP" "$NS"
	run_once bpftrace "$N" "@c: $N" bpftrace \
		-e "uprobe:$LOOP:bench_fn { @c = count(); } uretprobe:$LOOP:bench_fn { @r = count(); }" \
		-c "$LOOP $N"
done
for k in untraced untraced_s untraced_r untraced_i latch latch-ints latch-rich latch-cond latch-json latch-otlp latch-otlp+dec floor latch-entry latch-noqos floor+qos ltrace ltrace+qos bpftrace; do
	{ [ -s "$T/$k.walls" ] && [ ! -f "$T/$k.why" ]; } || continue
	median "$T/$k.walls" >"$T/$k.wall"
	median "$T/$k.npcs" >"$T/$k.npc"
done
[ -f "$T/floor.wall" ] && floor_spc floor "$N"
[ -f "$T/floor+qos.wall" ] && floor_spc floor+qos "$NS"

# latch: one more run, untimed and without -q, for the stop count
if [ -f "$T/latch.wall" ]; then
	note "latch: stop count (N=$NS)"
	timeout -k 5 "$TMO" "$LATCH" -o /dev/null bench_fn -- "$LOOP" "$NS" >/dev/null 2>"$T/latch_stops.err"
	stops=$(sed -n 's/^latch: [0-9]* calls seen, \([0-9]*\) printed, .*; \([0-9]*\) returns, \([0-9]*\) unwinds, \([0-9]*\) stops.*/\1 \2 \3 \4/p' \
		"$T/latch_stops.err" | tail -n 1)
	if [ -n "$stops" ]; then
		# shellcheck disable=SC2086 # split into the four numbers
		set -- $stops
		echo "$1 calls, $2 returns, $3 unwinds, $4 stops for N=$NS" >"$T/latch.stopline"
		ratio "$4" "$NS" >"$T/latch.spc"
	else
		note "latch: no 'latch: ... N printed, ...; N returns, N unwinds, N stops' line on stderr"
	fi
fi

# ---- report ----
LT=$(percall ltrace)
FL=$(percall floor)
LA=$(percall latch)

say "latch bench: one empty function bench_fn(int), entry and return traced"
say "host: $(uname -srm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"cpuidle $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
say "N=$N (ltrace and +qos rows: N=$NS), median of $REPS rounds, the tools taking turns in each round;"
say "us/call = (wall traced - wall untraced) / N, and its range over the rounds; loop us/call = the target's"
say "own timing of its loop (no tool start-up); +qos = /dev/cpu_dma_latency held at 0 (no CPU idles in HLT),"
say "and a +qos row's ratios are to ltrace+qos and floor+qos; latch-entry = latch --no-returns (entry stops only);"
say "latch holds that QoS request itself while tracing; latch-noqos = latch --no-qos;"
say "latch-ints = latch on bench_ints(int, long, int, long, int, long); latch-rich = latch on"
say "bench_rich(const char *, struct point {int, int, double}, double, int, float, long);"
say "latch-cond = latch 'bench_fn if x % 100 == 0': 99% of the calls rejected at entry;"
say "latch-json = latch -f json -o /dev/null; latch-otlp = the same with --otlp to a loopback receiver"
say "(tests/otlp/receiver.py) that acknowledges each request, every span sent; latch-otlp+dec = the same"
say "to a receiver decoding every request with the OTLP definitions, on the same two CPUs"
say ""
row() { say "$(printf '%-14s %7s %9s %17s %8s %8s %8s %6s' "$@")"; }
row tool N us/call 'range' 'loop' 'x ltrace' 'x floor' stops
for k in untraced latch latch-ints latch-rich latch-cond latch-json latch-otlp latch-otlp+dec floor latch-entry latch-noqos floor+qos ltrace ltrace+qos bpftrace; do
	if [ -f "$T/$k.why" ]; then
		say "$(printf '%-14s not measured: %s' "$k" "$(cat "$T/$k.why")")"
		continue
	fi
	[ -f "$T/$k.wall" ] || continue
	pc=$(percall "$k")
	range=$(percalls "$k" | sort -n | sed -n '1p;$p' | tr '\n' ' ' | awk '{ printf "%s-%s", $1, $2 }')
	spc=$(cat "$T/$k.spc" 2>/dev/null)
	xl=$(ratio "$pc" "$LT")
	xf=$(ratio "$pc" "$FL")
	case $k in *+qos) xl=$(ratio "$pc" "$(percall ltrace+qos)") xf=$(ratio "$pc" "$(percall floor+qos)") ;; esac
	[ "$k" = untraced ] && { pc=0; range=-; xl=""; xf=""; }
	row "$k" "$(cat "$T/$k.n")" "$pc" "$range" "$(loopcall "$k")" "${xl:--}" "${xf:--}" "${spc:--}"
done
say "(us/call and loop in microseconds; stops = ptrace stops per call)"
[ -f "$T/latch.stopline" ] && say "latch stderr: $(cat "$T/latch.stopline")"
if [ -n "$RXPIDS" ]; then
	stop_rx
	for k in latch-otlp latch-otlp+dec; do
		runs=0
		[ -f "$T/$k.walls" ] && runs=$(wc -l <"$T/$k.walls")
		say "$k receiver: $(sed -n 's/^received //p' "$T/$k.rx") for $runs runs of N=$N"
		grep '^error: ' "$T/$k.rx" | head -n 3 | while IFS= read -r line; do say "$k receiver $line"; done
	done
fi
say ""

verdict() { # NAME VALUE GOAL PER-ROUND
	if [ -z "$2" ]; then
		say "$1 = n/a (goal <= $3)"
	elif awk -v v="$2" -v g="$3" 'BEGIN { exit !(v <= g) }'; then
		say "$1 = $2 (goal <= $3): met${4:+   [per round: $4]}"
	else
		say "$1 = $2 (goal <= $3): NOT met${4:+   [per round: $4]}"
	fi
}
verdict latch/ltrace "$(ratio "$LA" "$LT")" 0.15 "$(round_ratios latch ltrace)"
verdict latch/floor "$(ratio "$LA" "$FL")" 2 "$(round_ratios latch floor)"
verdict latch-rich/latch-ints "$(ratio "$(percall latch-rich)" "$(percall latch-ints)")" 1.3 \
	"$(round_ratios latch-rich latch-ints)"
verdict latch-cond/latch "$(ratio "$(percall latch-cond)" "$LA")" 0.6 \
	"$(round_ratios latch-cond latch)"
verdict latch-otlp/latch-json "$(ratio "$(percall latch-otlp)" "$(percall latch-json)")" 1.2 \
	"$(round_ratios latch-otlp latch-json)"
[ -f "$T/latch-otlp+dec.wall" ] && [ -f "$T/latch-json.wall" ] &&
	say "receiver decoding on the same CPUs: latch-otlp+dec/latch-json =" \
		"$(ratio "$(percall latch-otlp+dec)" "$(percall latch-json)")" \
		"  [per round: $(round_ratios latch-otlp+dec latch-json)]"
LQ=$(percall latch)
[ -n "$LQ" ] && [ -n "$(percall ltrace+qos)" ] &&
	say "peers with qos too: latch/ltrace+qos = $(ratio "$LQ" "$(percall ltrace+qos)")   [per round: $(round_ratios latch ltrace+qos)]"
[ -n "$LQ" ] && [ -n "$(percall floor+qos)" ] &&
	say "peers with qos too: latch/floor+qos  = $(ratio "$LQ" "$(percall floor+qos)")   [per round: $(round_ratios latch floor+qos)]"
say ""

sh bench/attach.sh "$LATCH" "$RES"
say ""

note "wait-loop strategies ($STOPS stops each)"
"$B/stops" -n "$STOPS" >"$T/stops.out" 2>&1
while IFS= read -r line; do say "$line"; done <"$T/stops.out"
say ""
say "bench took $(($(date +%s) - START)) s; results in $RES"
exit 0
